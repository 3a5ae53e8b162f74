#if canImport(Glibc)
    import Glibc
#endif

/// A mutex whose waiters go to sleep at once: glibc's default `pthread_mutex_t`.
///
/// `Synchronization.Mutex` on Linux spins a thousand rounds before it sleeps on a priority-inheritance
/// futex. That pays off when every thread has a core of its own. Here the processor's workers, Redis and the
/// mock API share 2 cores, Redis answers the workers' pipelines in bursts, and the woken workers meet at the
/// same few locks: the spinning took 15 % of the processor's CPU in a profile of a cached drain, time the
/// lock's holder and Redis needed. Use this type for state that every worker touches for every alert;
/// `Mutex` stays right for locks that are rarely contended.
public final class WaitingMutex<Value>: @unchecked Sendable {
    // @unchecked: `value` is only read or written between pthread_mutex_lock and pthread_mutex_unlock, and
    // as with `Mutex`, it goes in and out only as `sending`: no other reference to it escapes the lock.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    public init(_ value: sending Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let status = pthread_mutex_init(mutex, nil)
        precondition(status == 0, "pthread_mutex_init failed: \(status)")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with the value, holding the lock.
    public func withLock<Result, Failure: Error>(
        _ body: (inout sending Value) throws(Failure) -> sending Result
    ) throws(Failure) -> sending Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
