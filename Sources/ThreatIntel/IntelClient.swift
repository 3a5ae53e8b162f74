import CCurl

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A threat-intel API client over one reused libcurl easy handle.
///
/// One client per worker thread: the handle keeps its connection alive between lookups, which is
/// what makes sequential lookups fast, and a libcurl easy handle must never be used by two threads
/// at once. The client is therefore deliberately not `Sendable`: hand each one to a single thread
/// (creating it elsewhere first is fine) and use it only there.
///
/// Lookups never throw: every way a request can end is an `IntelOutcome`. The client does not log;
/// the caller decides what to print, and the API key is never part of any outcome or description.
public final class IntelClient {
    /// `curl_global_init` must run once per process before any other libcurl call, and is not safe to
    /// race with them; a static `let` is initialised exactly once, on first use, under a lock.
    private static let globalInitialization: CURLcode = ccurl_global_init_default()

    public let configuration: IntelClientConfiguration
    /// How long the latest `lookup(ip:)` took, request and classification included.
    public private(set) var lastLookupDuration: Duration = .zero
    /// New connections made so far; stays at 1 over many lookups while keep-alive works.
    public private(set) var connectionsOpened = 0

    let handle: UnsafeMutableRawPointer
    let headers: UnsafeMutablePointer<curl_slist>?
    /// libcurl's detailed message for the latest failure (CURLOPT_ERRORBUFFER).
    let errorText: UnsafeMutablePointer<CChar>
    let body: ResponseBody
    let lookupPrefix: String
    let healthURL: String
    let timeoutMilliseconds: Int
    let connectTimeoutMilliseconds: Int

    /// Creates a client and its libcurl handle; no connection is made until the first request.
    /// - Throws: `IntelClientError.invalidConfiguration` for an unusable configuration,
    ///   `IntelClientError.curl` when libcurl cannot be set up.
    public init(configuration: IntelClientConfiguration) throws(IntelClientError) {
        let base = try Self.validatedBaseURL(configuration.baseURL)
        guard configuration.timeout > .zero, configuration.connectTimeout > .zero else {
            throw .invalidConfiguration("timeouts must be more than zero (zero would mean no limit to libcurl)")
        }
        guard configuration.maximumBodyBytes > 0 else {
            throw .invalidConfiguration("the body limit must be more than zero bytes")
        }
        let headerLines = try Self.headerLines(for: configuration)
        let initialization = Self.globalInitialization
        guard initialization == CURLE_OK else {
            throw .curl(call: "curl_global_init", message: String(cString: curl_easy_strerror(initialization)))
        }
        guard let handle = curl_easy_init() else {
            throw .curl(call: "curl_easy_init", message: "no handle (out of memory?)")
        }

        var list: UnsafeMutablePointer<curl_slist>?
        for line in headerLines {
            guard let extended = curl_slist_append(list, line) else {
                curl_slist_free_all(list)
                curl_easy_cleanup(handle)
                throw .curl(call: "curl_slist_append", message: "out of memory")
            }
            list = extended
        }
        self.configuration = configuration
        self.handle = handle
        self.headers = list
        self.errorText = .allocate(capacity: Int(CURL_ERROR_SIZE))
        self.errorText.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        self.body = ResponseBody(limit: configuration.maximumBodyBytes)
        self.lookupPrefix = base + "/api/v3/ip/"
        self.healthURL = base + "/health"
        self.timeoutMilliseconds = max(1, configuration.timeout.clampedMilliseconds)
        self.connectTimeoutMilliseconds = max(1, configuration.connectTimeout.clampedMilliseconds)
        try configureHandle()
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headers)
        errorText.deallocate()
    }

    /// Asks the API about one IP address: `GET {baseURL}/api/v3/ip/{ip}`.
    ///
    /// Callers validate the address first; the client only percent-encodes it as a path segment.
    /// The time taken is in `lastLookupDuration` afterwards.
    public func lookup(ip: String) -> IntelOutcome {
        let start = ContinuousClock.now
        let outcome: IntelOutcome
        switch perform(url: lookupPrefix + Self.percentEncodedPathSegment(ip)) {
        case let .response(status, retryAfter):
            outcome = IntelOutcome.classify(
                status: status, body: body.bytes, retryAfter: retryAfter,
                retryAfterLimit: configuration.maximumRetryAfter)
        case let .failed(reason, permanent):
            outcome = permanent ? .rejected(reason) : .transient(reason)
        }
        lastLookupDuration = ContinuousClock.now - start
        return outcome
    }

    /// Whether the API is up: `GET {baseURL}/health` answers 2xx within the timeout.
    ///
    /// Used while the circuit breaker is open; it shares the lookup connection, so a success also
    /// leaves a warm connection behind for the next lookup.
    public func health() -> Bool {
        if case let .response(status, _) = perform(url: healthURL) {
            return (200..<300).contains(status)
        }
        return false
    }

    /// The result of one transfer, before it is read as an outcome.
    private enum Transfer {
        /// A complete HTTP response; the body is in `body.bytes`.
        case response(status: Int, retryAfter: String?)
        /// No usable response; `permanent` when repeating the request cannot help.
        case failed(reason: String, permanent: Bool)
    }

    private func perform(url: String) -> Transfer {
        body.reset()
        errorText[0] = 0
        let start = ContinuousClock.now
        var code = url.withCString { ccurl_setopt_string(handle, CURLOPT_URL, $0) }
        if code == CURLE_OK {
            code = curl_easy_perform(handle)
        }
        var connects = 0
        if ccurl_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK {
            connectionsOpened += connects
        }
        guard code == CURLE_OK else {
            let elapsed = ContinuousClock.now - start
            return .failed(reason: reason(for: code, elapsed: elapsed), permanent: isPermanent(code))
        }
        var status = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .response(status: status, retryAfter: status == 429 ? header(named: "Retry-After") : nil)
    }

    /// The value of a response header of the latest transfer, through libcurl's header API.
    private func header(named name: String) -> String? {
        var found: UnsafeMutablePointer<curl_header>?
        guard curl_easy_header(handle, name, 0, UInt32(CURLH_HEADER), -1, &found) == CURLHE_OK,
            let value = found?.pointee.value
        else {
            return nil
        }
        return String(cString: value)
    }

    /// A short reason for a failed transfer, as it goes into a log line or a dead letter.
    private func reason(for code: CURLcode, elapsed: Duration) -> String {
        var osError = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_OS_ERRNO, &osError)
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            // libcurl reports both limits with one code. The total limit cannot fire before it has
            // elapsed, so a timeout well short of it was the connect limit.
            let connect = connectTimeoutMilliseconds
            let total = timeoutMilliseconds
            if connect < total, elapsed.clampedMilliseconds < (connect + total) / 2 {
                return "connect timeout after \(connect)ms"
            }
            return "timeout after \(total)ms"
        case CURLE_COULDNT_CONNECT:
            return osError == Int(ECONNREFUSED) ? "connection refused" : "could not connect" + Self.detail(osError)
        case CURLE_COULDNT_RESOLVE_HOST:
            return "could not resolve host"
        case CURLE_GOT_NOTHING:
            return "empty reply"
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR:
            if osError == Int(ECONNRESET) || osError == Int(EPIPE) {
                return "connection reset"
            }
            return (code == CURLE_RECV_ERROR ? "receive failed" : "send failed") + Self.detail(osError)
        case CURLE_WRITE_ERROR where body.overflowed:
            return "answer over \(configuration.maximumBodyBytes) bytes"
        case CURLE_PARTIAL_FILE:
            return "truncated answer"
        case CURLE_WEIRD_SERVER_REPLY, CURLE_UNSUPPORTED_PROTOCOL:
            // The URL was checked to be http(s) up front, so an unsupported protocol can only be the
            // reply's: libcurl says so for a reply that is not HTTP/1.x or later.
            return "malformed http response"
        default:
            let message = errorText[0] == 0 ? String(cString: curl_easy_strerror(code)) : String(cString: errorText)
            return "curl error \(code.rawValue): \(message)"
        }
    }

    /// Whether a failed transfer cannot succeed by being repeated: the request URL itself is unusable.
    private func isPermanent(_ code: CURLcode) -> Bool {
        code == CURLE_URL_MALFORMAT
    }

    private static func detail(_ osError: Int) -> String {
        osError == 0 ? "" : " (\(String(cString: strerror(Int32(osError)))))"
    }
}
