/// What the server has answered since it started (or since `/admin/reset`).
///
/// `/admin/…` requests are not counted, so a test can read the figures without moving them.
public struct RequestStats: Sendable, Equatable {
    /// Every counted request, whatever its answer.
    public var requests: Int = 0
    /// Requests to `/api/v3/ip/…`.
    public var lookups: Int = 0
    /// Counted requests by the status they were answered with.
    public var byStatus: [Int: Int] = [:]

    public init() {}

    /// How many counted requests were answered with `status`.
    public func count(status: Int) -> Int {
        byStatus[status, default: 0]
    }

    mutating func record(status: Int, isLookup: Bool) {
        requests += 1
        if isLookup { lookups += 1 }
        byStatus[status, default: 0] += 1
    }

    /// `{"requests": …, "lookups": …, "by_status": {"200": …}}`.
    public var json: String {
        let statuses = byStatus.keys.sorted().map { "\"\($0)\":\(byStatus[$0]!)" }.joined(separator: ",")
        return "{\"requests\":\(requests),\"lookups\":\(lookups),\"by_status\":{\(statuses)}}"
    }
}
