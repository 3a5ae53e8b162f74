import Dispatch
import Foundation
import Synchronization

/// Turns SIGTERM and SIGINT into a graceful stop, the way swift-service-lifecycle does.
///
/// The default action is replaced by `SIG_IGN` before the Dispatch sources are registered, because on
/// Linux a signal that arrives in between would otherwise kill the process. The first signal calls
/// `onStop`; a second one calls `onEscalate` (by default: exit 1 at once).
/// `@unchecked Sendable`: `sources` is set once in `init` and Dispatch sources may be cancelled from any thread.
public final class ShutdownSignals: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]

    public init(
        signals: [Int32] = [SIGTERM, SIGINT],
        onStop: @escaping @Sendable (Int32) -> Void,
        onEscalate: @escaping @Sendable (Int32) -> Void = { _ in exit(1) }
    ) {
        let queue = DispatchQueue(label: "shutdown-signals")
        let received = SignalCount()
        var sources: [any DispatchSourceSignal] = []
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                if received.increment() == 1 {
                    onStop(number)
                } else {
                    onEscalate(number)
                }
            }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    public func cancel() {
        for source in sources {
            source.cancel()
        }
    }
}

/// Counts the signals received.
private final class SignalCount: Sendable {
    private let count = Atomic<Int>(0)

    func increment() -> Int {
        count.add(1, ordering: .relaxed).newValue
    }
}
