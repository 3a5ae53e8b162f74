import CCurl

extension IntelClient {
    /// Sets the options that stay the same for every request of this handle.
    func configureHandle() throws(IntelClientError) {
        func check(_ code: CURLcode, _ option: String) throws(IntelClientError) {
            guard code == CURLE_OK else {
                throw .curl(call: "curl_easy_setopt(\(option))", message: String(cString: curl_easy_strerror(code)))
            }
        }
        // Signals cannot carry timeouts in a multi-threaded process; libcurl must not install any.
        try check(ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1), "NOSIGNAL")
        // Requests and answers are small: Nagle's algorithm would only add delayed-ACK stalls.
        try check(ccurl_setopt_long(handle, CURLOPT_TCP_NODELAY, 1), "TCP_NODELAY")
        try check(ccurl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1), "TCP_KEEPALIVE")
        try check(ccurl_setopt_long(handle, CURLOPT_HTTPGET, 1), "HTTPGET")
        try check(ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeoutMilliseconds), "TIMEOUT_MS")
        try check(ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, connectTimeoutMilliseconds), "CONNECTTIMEOUT_MS")
        // A redirect is reported as what it is rather than followed to wherever it points.
        try check(ccurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0), "FOLLOWLOCATION")
        // The IP segment is sent as encoded: no dot-segment squashing of a hostile "..".
        try check(ccurl_setopt_long(handle, CURLOPT_PATH_AS_IS, 1), "PATH_AS_IS")
        try check(ccurl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"), "PROTOCOLS_STR")
        try check(ccurl_setopt_string(handle, CURLOPT_USERAGENT, "alert-enrichment"), "USERAGENT")
        try check(ccurl_setopt_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headers)), "HTTPHEADER")
        try check(ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorText)), "ERRORBUFFER")
        // The body object lives as long as the client, which outlives every transfer of its handle.
        let context = Unmanaged.passUnretained(body).toOpaque()
        try check(ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, context), "WRITEDATA")
        let appendBody: ccurl_write_callback = { data, size, count, context in
            guard let data, let context else {
                return 0
            }
            let body = Unmanaged<ResponseBody>.fromOpaque(context).takeUnretainedValue()
            let length = size * count
            // Returning less than was offered makes libcurl abort the transfer with CURLE_WRITE_ERROR.
            return body.append(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
        }
        try check(ccurl_setopt_write_function(handle, appendBody), "WRITEFUNCTION")
    }

    /// The base URL without trailing slashes, once libcurl agrees it is a plain http(s) URL.
    static func validatedBaseURL(_ text: String) throws(IntelClientError) -> String {
        var base = Substring(text)
        while base.hasSuffix("/") {
            base = base.dropLast()
        }
        guard let url = curl_url() else {
            throw .curl(call: "curl_url", message: "out of memory")
        }
        defer { curl_url_cleanup(url) }
        guard curl_url_set(url, CURLUPART_URL, String(base), 0) == CURLUE_OK else {
            throw .invalidConfiguration("base URL '\(text)' is not a URL")
        }
        var scheme: UnsafeMutablePointer<CChar>?
        guard curl_url_get(url, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK, let scheme else {
            throw .invalidConfiguration("base URL '\(text)' has no scheme")
        }
        let schemeName = String(cString: scheme)
        curl_free(scheme)
        guard schemeName == "http" || schemeName == "https" else {
            throw .invalidConfiguration("base URL '\(text)' is not http or https")
        }
        guard !base.contains("?"), !base.contains("#") else {
            throw .invalidConfiguration("base URL '\(text)' has a query or fragment")
        }
        return String(base)
    }

    /// The request headers sent with every request, the API key header included when there is a key.
    static func headerLines(for configuration: IntelClientConfiguration) throws(IntelClientError) -> [String] {
        var lines = ["Accept: application/json"]
        guard let key = configuration.apiKey else {
            return lines
        }
        let name = configuration.apiKeyHeader
        let isTokenCharacter: (UInt8) -> Bool = { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                return true
            default:
                return false
            }
        }
        guard !name.isEmpty, name.utf8.allSatisfy(isTokenCharacter) else {
            throw .invalidConfiguration("API key header name '\(name)' is not a header name")
        }
        // A line break in the key would let it inject headers; the key itself stays out of the message.
        guard !key.isEmpty, !key.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
            throw .invalidConfiguration("the API key is empty or contains control characters")
        }
        lines.append("\(name): \(key)")
        return lines
    }

    /// `segment` percent-encoded for use as one path segment: unreserved characters and `:` (IPv6)
    /// stay, everything else, `%` of a zone id and `/` included, becomes `%XX`.
    static func percentEncodedPathSegment(_ segment: String) -> String {
        let hexDigits = Array("0123456789ABCDEF".utf8)
        var encoded: [UInt8] = []
        encoded.reserveCapacity(segment.utf8.count)
        for byte in segment.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"), UInt8(ascii: ":"):
                encoded.append(byte)
            default:
                encoded += [UInt8(ascii: "%"), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }
}

/// The body of the response being received, capped so a hostile server cannot exhaust memory.
final class ResponseBody {
    let limit: Int
    private(set) var bytes: [UInt8] = []
    /// Whether the latest response was cut off at the limit.
    private(set) var overflowed = false

    init(limit: Int) {
        self.limit = limit
        bytes.reserveCapacity(min(limit, 4_096))
    }

    /// Empties the buffer for the next response, keeping its storage.
    func reset() {
        bytes.removeAll(keepingCapacity: true)
        overflowed = false
    }

    /// Appends a chunk; `false` when it would take the body over the limit.
    func append(_ chunk: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count + chunk.count <= limit else {
            overflowed = true
            return false
        }
        bytes.append(contentsOf: chunk)
        return true
    }
}
