/// How often, and after what pause, a transient enrichment failure is retried.
///
/// Delays grow exponentially with "full jitter": each delay is drawn uniformly from zero to the
/// exponential ceiling, so workers that failed together do not all retry together.
public struct RetryPolicy: Sendable {
    /// Draws a number uniformly from the range; injectable so tests can pin the jitter.
    public typealias RandomSource = @Sendable (ClosedRange<Int64>) -> Int64

    /// How many attempts an alert gets in all, the first one included.
    public let maximumAttempts: Int
    /// The ceiling of the delay after the first failed attempt.
    public let baseDelay: Duration
    /// The ceiling no delay exceeds, however many attempts failed.
    public let maximumDelay: Duration
    private let random: RandomSource

    /// - Parameters:
    ///   - maximumAttempts: attempts in all, at least 1 (1 means no retry).
    ///   - baseDelay: ceiling of the first delay; not negative.
    ///   - maximumDelay: ceiling of every delay; at least `baseDelay`.
    ///   - random: the source of jitter; the system generator by default.
    public init(
        maximumAttempts: Int = 5,
        baseDelay: Duration = .milliseconds(100),
        maximumDelay: Duration = .seconds(10),
        random: @escaping RandomSource = { Int64.random(in: $0) }
    ) {
        precondition(maximumAttempts >= 1, "a retry policy needs at least one attempt")
        precondition(baseDelay >= .zero && maximumDelay >= baseDelay, "delays must satisfy 0 <= base <= maximum")
        self.maximumAttempts = maximumAttempts
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
        self.random = random
    }

    /// Whether another attempt is allowed after `attempt` attempts have failed.
    public func allowsRetry(afterAttempt attempt: Int) -> Bool {
        attempt < maximumAttempts
    }

    /// The ceiling of the delay after attempt `attempt`: `min(maximumDelay, baseDelay · 2^(attempt − 1))`.
    public func delayCeiling(forAttempt attempt: Int) -> Duration {
        let base = baseDelay.saturatingNanoseconds
        let maximum = maximumDelay.saturatingNanoseconds
        let doublings = max(0, attempt - 1)
        // Past 62 doublings any positive base overflows Int64; the ceiling is the maximum anyway.
        guard base > 0, doublings < 63 else {
            return base > 0 ? maximumDelay : .zero
        }
        let (scaled, overflow) = base.multipliedReportingOverflow(by: Int64(1) << doublings)
        return overflow || scaled >= maximum ? maximumDelay : .nanoseconds(scaled)
    }

    /// How long to wait after attempt `attempt` (counting from 1) failed, before attempt `attempt + 1`.
    ///
    /// A random duration in `0...delayCeiling(forAttempt: attempt)`, to the nanosecond.
    public func delay(forAttempt attempt: Int) -> Duration {
        let ceiling = delayCeiling(forAttempt: attempt).saturatingNanoseconds
        let drawn = random(0...ceiling)
        // A misbehaving injected source must not produce a negative or oversized sleep.
        return .nanoseconds(min(max(drawn, 0), ceiling))
    }
}
