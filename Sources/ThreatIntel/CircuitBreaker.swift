import Locks

/// Stops a processor from claiming alerts while the threat-intel API is down.
///
/// Closed is normal work. After `failureThreshold` consecutive failures the breaker opens: workers
/// stop claiming new alerts (they wait in the queue, visible as backlog) and, once per
/// `probeInterval`, one of them probes the API's health endpoint. The first success, from a probe or
/// from a lookup still in flight, closes the breaker again.
///
/// What counts is the caller's call; the intended use: a transient failure is a failure; an answer
/// and a rejection are successes (the API answered); a rate limit is neither, since the API is up.
public final class CircuitBreaker: Sendable {
    /// The time source; injectable so tests can move time forward.
    public typealias Clock = @Sendable () -> ContinuousClock.Instant

    /// Whether alerts may be claimed.
    public enum State: String, Sendable, Equatable {
        /// The API answers; work goes on.
        case closed
        /// The API failed repeatedly; claiming stops until a probe succeeds.
        case open
    }

    private struct Status {
        var state: State = .closed
        var consecutiveFailures = 0
        var nextProbe: ContinuousClock.Instant?
    }

    public let failureThreshold: Int
    public let probeInterval: Duration
    private let now: Clock
    /// Asked by every worker for every alert: a lock that sleeps rather than spins (see `WaitingMutex`).
    private let status = WaitingMutex(Status())

    /// - Parameters:
    ///   - failureThreshold: consecutive failures that open the breaker; at least 1.
    ///   - probeInterval: the pause between health probes while open.
    ///   - now: the time source, the continuous clock by default.
    public init(
        failureThreshold: Int = 5,
        probeInterval: Duration = .seconds(1),
        now: @escaping Clock = { ContinuousClock.now }
    ) {
        precondition(failureThreshold >= 1, "a circuit breaker needs a threshold of at least one failure")
        self.failureThreshold = failureThreshold
        self.probeInterval = probeInterval
        self.now = now
    }

    /// The current state.
    public var state: State {
        status.withLock { $0.state }
    }

    /// Failures since the last success.
    public var consecutiveFailures: Int {
        status.withLock { $0.consecutiveFailures }
    }

    /// Whether a worker may claim a new alert: only while closed.
    public func allowsClaiming() -> Bool {
        state == .closed
    }

    /// The API answered: the failure count starts over and an open breaker closes.
    public func recordSuccess() {
        status.withLock { $0 = Status() }
    }

    /// The API failed; the failure that reaches the threshold opens the breaker.
    public func recordFailure() {
        let instant = now()
        status.withLock { status in
            status.consecutiveFailures += 1
            if status.state == .closed, status.consecutiveFailures >= failureThreshold {
                status.state = .open
                status.nextProbe = instant.advanced(by: probeInterval)
            }
        }
    }

    /// Opens the breaker at once, e.g. when a health probe failed: no threshold needs reaching.
    public func open() {
        let instant = now()
        status.withLock { status in
            guard status.state == .closed else { return }
            status.state = .open
            status.nextProbe = instant.advanced(by: probeInterval)
        }
    }

    /// Whether the caller should probe the API now.
    ///
    /// True at most once per probe interval while open, so of many idle workers only one probes;
    /// the caller then reports the result with `recordProbe(succeeded:)`.
    public func shouldProbe() -> Bool {
        let instant = now()
        return status.withLock { status in
            guard status.state == .open, let nextProbe = status.nextProbe, instant >= nextProbe else {
                return false
            }
            status.nextProbe = instant.advanced(by: probeInterval)
            return true
        }
    }

    /// The result of a health probe: success closes the breaker, failure waits for the next probe.
    public func recordProbe(succeeded: Bool) {
        if succeeded {
            recordSuccess()
        }
    }
}
