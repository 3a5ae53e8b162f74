import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Runs `body` on a thread of its own and awaits its result, so a test that blocks for many seconds (sleeps,
/// waits for processes, blocking Redis calls) does not hold one of the few cooperative threads that every
/// other test in the process shares.
func onOwnThread<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Swift.Result { try body() })
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
}

/// Sleeps the calling thread (a thread of the test's own, never a cooperative one).
func pause(_ duration: Duration) {
    let nanoseconds = max(
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000, 0)
    var request = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR {
        request = remaining
    }
}

/// Polls `condition` every 50 ms until it holds or `timeout` passes; returns whether it held.
func poll(timeout: Duration, until condition: () throws -> Bool) rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        pause(.milliseconds(50))
    }
    return try condition()
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
