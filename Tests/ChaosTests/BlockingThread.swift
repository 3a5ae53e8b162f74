import Foundation

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
