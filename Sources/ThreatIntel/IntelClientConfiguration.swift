/// Where and how an `IntelClient` reaches the threat-intel API.
///
/// The API key never appears in the description or the mirror of a configuration, so printing or
/// dumping one cannot leak it.
public struct IntelClientConfiguration: Sendable {
    /// The API's base URL, such as `http://127.0.0.1:8080`; `http` or `https`, without a query.
    public var baseURL: String
    /// The limit for a whole request, connecting included; more than zero.
    public var timeout: Duration
    /// The limit for establishing a connection; more than zero. The smaller of the two limits wins.
    public var connectTimeout: Duration
    /// The API key, if the API wants one. Sent as the `apiKeyHeader` header; never logged.
    public var apiKey: String?
    /// The header carrying `apiKey`: `X-Api-Key`, or `Authorization` with a key like `Bearer …`.
    public var apiKeyHeader: String
    /// The provider's name, written into enriched records.
    public var provider: String
    /// The largest response body read; a larger one is a transient failure, not a memory problem.
    public var maximumBodyBytes: Int
    /// The longest wait a 429's `Retry-After` may impose.
    public var maximumRetryAfter: Duration

    public init(
        baseURL: String,
        timeout: Duration = .seconds(2),
        connectTimeout: Duration = .seconds(1),
        apiKey: String? = nil,
        apiKeyHeader: String = "X-Api-Key",
        provider: String = "mock-threat-intel",
        maximumBodyBytes: Int = 65_536,
        maximumRetryAfter: Duration = RetryAfter.limit
    ) {
        self.baseURL = baseURL
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.apiKey = apiKey
        self.apiKeyHeader = apiKeyHeader
        self.provider = provider
        self.maximumBodyBytes = maximumBodyBytes
        self.maximumRetryAfter = maximumRetryAfter
    }
}

extension IntelClientConfiguration: CustomStringConvertible, CustomReflectable {
    public var description: String {
        "IntelClientConfiguration(baseURL: \(baseURL), timeout: \(timeout), connectTimeout: \(connectTimeout), "
            + "apiKey: \(apiKey == nil ? "none" : "<redacted>"), provider: \(provider))"
    }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "baseURL": baseURL, "timeout": timeout, "connectTimeout": connectTimeout,
                "apiKey": apiKey == nil ? "none" : "<redacted>", "apiKeyHeader": apiKeyHeader,
                "provider": provider, "maximumBodyBytes": maximumBodyBytes, "maximumRetryAfter": maximumRetryAfter,
            ])
    }
}
