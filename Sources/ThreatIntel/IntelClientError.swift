/// Why an `IntelClient` could not be created. Lookups themselves never throw: they return an outcome.
public enum IntelClientError: Error, Equatable, CustomStringConvertible {
    /// The configuration cannot work, e.g. a base URL that is not http(s) or a zero timeout.
    case invalidConfiguration(String)
    /// libcurl refused to set up: the named call failed with libcurl's message.
    case curl(call: String, message: String)

    public var description: String {
        switch self {
        case let .invalidConfiguration(reason):
            return "invalid threat-intel client configuration: \(reason)"
        case let .curl(call, message):
            return "\(call) failed: \(message)"
        }
    }
}
