/// The endpoints the mock API serves.
enum Route: Equatable {
    /// `GET /api/v3/ip/<ip>`; the address is not validated yet.
    case lookup(ip: String)
    case health
    case adminDown
    case adminUp
    case adminFaults
    case adminStats
    case adminReset

    static let lookupPrefix = "/api/v3/ip/"

    /// The route for a decoded path, or `nil` for `404`.
    init?(path: String) {
        switch path {
        case "/health": self = .health
        case "/admin/down": self = .adminDown
        case "/admin/up": self = .adminUp
        case "/admin/faults": self = .adminFaults
        case "/admin/stats": self = .adminStats
        case "/admin/reset": self = .adminReset
        default:
            guard path.hasPrefix(Self.lookupPrefix) else { return nil }
            let ip = String(path.dropFirst(Self.lookupPrefix.count))
            guard !ip.contains("/") else { return nil }
            self = .lookup(ip: ip)
        }
    }

    /// Methods the route answers; anything else gets `405` with these in `Allow`.
    var allowedMethods: [String] {
        switch self {
        case .lookup, .health: ["GET", "HEAD"]
        case .adminDown, .adminUp, .adminReset: ["POST"]
        case .adminFaults: ["GET", "POST"]
        case .adminStats: ["GET"]
        }
    }

    /// Admin requests stay out of the statistics, so polling them does not change what they report.
    var isAdmin: Bool {
        switch self {
        case .lookup, .health: false
        default: true
        }
    }
}
