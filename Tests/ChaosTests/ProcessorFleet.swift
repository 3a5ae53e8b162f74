import Foundation
import TestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Processors sharing one queue, one per slot, each restarted whenever the test kills it. The output of every
/// instance ever started is kept (the instance itself is let go, with its pipes, once it has been reaped).
///
/// Restarts alternate between the slot's own consumer name (the new process takes back what its
/// predecessor left in flight at start-up) and a fresh name (the dead consumer's work comes back through
/// another processor's recovery: a lock taken over in the directory queue, a heartbeat run out in Redis).
///
/// `@unchecked Sendable`: all mutable state is behind `lock`.
final class ProcessorFleet: @unchecked Sendable {
    let arguments: [String]
    private let lock = NSLock()
    private var current: [ChildProcess]
    /// Standard output and error of the processors that have ended.
    private var past: [(output: String, errors: String)] = []
    private var generation = 0
    private(set) var kills = 0
    private(set) var restarts = 0
    /// Processes that ended without being told to, with the end of their standard error.
    private(set) var unexpectedExits: [String] = []

    /// Starts `count` processors with `arguments` (queue, API and tuning options; not `--consumer`).
    init(count: Int, arguments: [String]) throws {
        self.arguments = arguments
        current = []
        for slot in 0..<count {
            current.append(try Self.launch(arguments, consumer: "chaos-\(slot)"))
        }
    }

    deinit {
        for child in current where child.isRunning {
            child.signal(SIGKILL)
            child.wait(timeout: .seconds(5))
        }
    }

    var count: Int { lock.withLock { current.count } }

    var pids: [Int32] { lock.withLock { current.map(\.pid) } }

    /// Waits until every current processor has said it started claiming.
    func waitUntilStarted(timeout: Duration = .seconds(20)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        for child in lock.withLock({ current }) {
            let left = deadline - ContinuousClock.now
            if left <= .zero || !child.waitFor("processor started", inErrors: true, timeout: left) {
                return false
            }
        }
        return true
    }

    /// SIGKILLs the processor in `slot`, reaps it and starts its successor at once.
    func killAndRestart(slot: Int) throws {
        let victim = lock.withLock { current[slot] }
        victim.signal(SIGKILL)
        victim.wait(timeout: .seconds(10))
        try lock.withLock {
            kills += 1
            past.append((victim.standardOutput, victim.standardError))
            current[slot] = try Self.launch(arguments, consumer: nextName(slot: slot))
            restarts += 1
        }
    }

    /// Restarts any processor that ended on its own, and records it: a processor must outlive every fault.
    func reviveExited() throws {
        try lock.withLock {
            for slot in current.indices where !current[slot].isRunning {
                let dead = current[slot]
                let status = dead.wait(timeout: .seconds(1))
                let tail = dead.standardError.split(separator: "\n").suffix(5).joined(separator: "\n")
                unexpectedExits.append("pid \(dead.pid) exited with status \(status):\n\(tail)")
                past.append((dead.standardOutput, dead.standardError))
                current[slot] = try Self.launch(arguments, consumer: nextName(slot: slot))
                restarts += 1
            }
        }
    }

    /// SIGTERMs every processor and waits for each; returns their exit statuses (0 after a graceful stop).
    func stopAll(timeout: Duration = .seconds(20)) -> [Int32] {
        let running = lock.withLock { current }
        for child in running where child.isRunning {
            child.signal(SIGTERM)
        }
        return running.map { $0.wait(timeout: timeout) }
    }

    /// The standard output of every processor ever started.
    var allOutput: [String] {
        lock.withLock { past.map(\.output) + current.map(\.standardOutput) }
    }

    /// The standard error of every processor ever started.
    var allErrors: [String] {
        lock.withLock { past.map(\.errors) + current.map(\.standardError) }
    }

    /// Caller holds `lock`.
    private func nextName(slot: Int) -> String {
        generation += 1
        return generation.isMultiple(of: 2) ? "chaos-\(slot)" : "chaos-\(slot)-g\(generation)"
    }

    private static func launch(_ arguments: [String], consumer: String) throws -> ChildProcess {
        try ChildProcess("processor", arguments + ["--consumer", consumer])
    }
}
