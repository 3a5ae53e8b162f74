import Synchronization

/// The alerts this process's workers hold in flight on Redis, so that elements of its processing list
/// that no worker holds can be found and given back.
///
/// Such orphans appear when a reply is lost: a BLMOVE that moved an alert before the connection dropped,
/// or a completion whose outcome is unknown and whose fallback failed too. They are only looked for after
/// such a loss, and an element is given back only when two audits in a row found it unheld, so an alert
/// claimed between an audit's LRANGE and its registration here is never taken from its worker.
final class InFlightLedger: Sendable {
    private struct State {
        var held: [[UInt8]: Int] = [:]
        var needsAudit = false
        var suspects: [[UInt8]: Int] = [:]
    }

    private let state = Mutex(State())

    /// A worker took `element`.
    func hold(_ element: [UInt8]) {
        state.withLock { $0.held[element, default: 0] += 1 }
    }

    /// The worker handed `element` back to the backend (completed, dead-lettered or given back), whatever
    /// the outcome: from now on only an audit looks after it.
    func release(_ element: [UInt8]) {
        state.withLock { state in
            guard let count = state.held[element] else { return }
            state.held[element] = count > 1 ? count - 1 : nil
        }
    }

    /// A reply was lost: the processing list may hold elements no worker knows of.
    func markUncertain() {
        state.withLock { $0.needsAudit = true }
    }

    var needsAudit: Bool {
        state.withLock { $0.needsAudit }
    }

    /// Compares the processing list with what workers hold.
    /// - Returns: the elements to give back: unheld now and at the previous audit.
    func audit(listed: [[UInt8]]) -> [[UInt8]] {
        state.withLock { state in
            var unheld: [[UInt8]: Int] = [:]
            var remainingHeld = state.held
            for element in listed {
                if let count = remainingHeld[element], count > 0 {
                    remainingHeld[element] = count - 1
                } else {
                    unheld[element, default: 0] += 1
                }
            }
            var confirmed: [[UInt8]] = []
            for (element, count) in unheld {
                let both = min(count, state.suspects[element] ?? 0)
                confirmed += Array(repeating: element, count: both)
                unheld[element] = count - both == 0 ? nil : count - both
            }
            state.suspects = unheld
            if unheld.isEmpty {
                state.needsAudit = false
            }
            return confirmed
        }
    }
}
