import Diagnostics
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A graceful stop shared by a program's threads: once requested, no new work starts, and work in
/// progress has until the grace deadline to finish.
public final class StopControl: Sendable {
    private let requested = Atomic<Bool>(false)
    private let deadline = Mutex<ContinuousClock.Instant?>(nil)

    public init() {}

    /// Asks every thread to stop; work in progress may go on for `grace`.
    public func requestStop(grace: Duration) {
        deadline.withLock { current in
            if current == nil {
                current = .now + grace
            }
        }
        requested.store(true, ordering: .releasing)
    }

    public var isStopping: Bool {
        requested.load(ordering: .acquiring)
    }

    /// Whether the grace period after a stop request is over.
    public var isPastDeadline: Bool {
        guard let deadline = deadline.withLock({ $0 }) else { return false }
        return ContinuousClock.now >= deadline
    }

    /// Sleeps for `duration`, or less if the grace period runs out first (a stop request alone does not
    /// cut a wait short: the work waiting may still finish within the grace period).
    public func wait(_ duration: Duration) {
        let end = ContinuousClock.now + duration
        while ContinuousClock.now < end {
            if isPastDeadline { return }
            let slice = min(end - ContinuousClock.now, .milliseconds(50))
            pause(slice)
        }
    }

    /// Sleeps for `duration`, or until a stop is requested.
    public func waitUnlessStopping(_ duration: Duration) {
        let end = ContinuousClock.now + duration
        while ContinuousClock.now < end && !isStopping {
            pause(min(end - ContinuousClock.now, .milliseconds(50)))
        }
    }

    private func pause(_ duration: Duration) {
        guard duration > .zero else { return }
        usleep(UInt32(clamping: duration.wholeNanoseconds / 1000))
    }
}
