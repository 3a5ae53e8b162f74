import Synchronization

/// A clock that moves only when a test says so, for the cache and the circuit breaker.
final class ManualClock: Sendable {
    private let current = Mutex(ContinuousClock.now)

    /// The current instant; pass `{ clock.now() }` as a time source.
    func now() -> ContinuousClock.Instant {
        current.withLock { $0 }
    }

    /// Moves time forward.
    func advance(by duration: Duration) {
        current.withLock { $0 = $0.advanced(by: duration) }
    }
}
