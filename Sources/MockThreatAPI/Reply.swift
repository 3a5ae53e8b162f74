/// How a request counts in the statistics.
enum RequestKind: Equatable {
    case lookup
    case admin
    case other
}

/// What to send for a request, and when.
struct Reply {
    var response: HTTPResponse
    /// Held back this long first (latency, jitter or a hang); 0 sends at once.
    var delayMilliseconds = 0
    var kind: RequestKind
}
