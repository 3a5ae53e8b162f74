/// Why the mock API server could not start.
public enum ThreatAPIError: Error, Equatable, CustomStringConvertible {
    /// `host` is neither an address literal nor a name that resolves.
    case invalidHost(String, reason: String)
    /// libmicrohttpd refused to start, usually because the port is taken.
    case startFailed(address: String, reason: String)
    /// `start()` was called on a server that is running or has been stopped.
    case alreadyStarted

    public var description: String {
        switch self {
        case .invalidHost(let host, let reason): "cannot listen on host \(host): \(reason)"
        case .startFailed(let address, let reason): "cannot start the threat API on \(address): \(reason)"
        case .alreadyStarted: "the threat API server was already started"
        }
    }
}
