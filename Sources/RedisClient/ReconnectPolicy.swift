/// How a broken connection is re-established before its next call: a bounded number of attempts, with
/// delays that double from `initialDelay` up to `maxDelay` between them.
public struct ReconnectPolicy: Sendable, Equatable {
    /// Connection attempts per call that finds the connection broken; values below 1 count as 1.
    public var attempts: Int
    public var initialDelay: Duration
    public var maxDelay: Duration

    public init(attempts: Int, initialDelay: Duration, maxDelay: Duration) {
        self.attempts = attempts
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
    }

    /// Five attempts, 50 ms doubling to at most 1 s: rides out a Redis restart of about a second.
    public static let `default` = ReconnectPolicy(attempts: 5, initialDelay: .milliseconds(50), maxDelay: .seconds(1))

    /// One attempt, no waiting: the caller runs its own retry loop.
    public static let once = ReconnectPolicy(attempts: 1, initialDelay: .zero, maxDelay: .zero)

    /// The pause before attempt `attempt + 1` (attempts count from 1).
    func delay(after attempt: Int) -> Duration {
        var delay = initialDelay
        for _ in 1..<max(attempt, 1) {
            delay = min(delay * 2, maxDelay)
        }
        return min(delay, maxDelay)
    }
}
