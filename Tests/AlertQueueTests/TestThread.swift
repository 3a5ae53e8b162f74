import Foundation

/// A thread of its own for code that blocks (the backends never run on the cooperative pool), with `join`.
final class TestThread: Sendable {
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () -> Void) {
        let done = self.done
        let thread = Thread {
            body()
            done.signal()
        }
        thread.start()
    }

    func join() {
        done.wait()
    }
}
