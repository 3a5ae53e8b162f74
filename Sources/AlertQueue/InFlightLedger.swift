import Locks

/// The alerts this process's workers hold in flight on Redis, so that elements of its processing list
/// that no worker holds can be found and given back.
///
/// Such orphans appear when a reply is lost: a BLMOVE that moved an alert before the connection dropped,
/// or a completion whose outcome is unknown and whose fallback failed too. They are only looked for after
/// such a loss, and an element is given back only when two audits in a row found it unheld, so an alert
/// claimed between an audit's LRANGE and its registration here is never taken from its worker.
///
/// A claim sent ahead, whose reply its worker reads only after its current API call (`claimSent`), can
/// leave an element unheld for longer than that. While such a claim sent before the previous audit is
/// still unread, an audit confirms nothing: the element might be that claim's.
final class InFlightLedger: Sendable {
    private struct State {
        var held: [Element: Int] = [:]
        var needsAudit = false
        var suspects: [Element: Int] = [:]
        /// Audits so far: the clock that claims sent ahead are stamped with.
        var audits = 0
        /// Claims sent ahead whose replies are unread, by the number of audits before they were sent.
        var unreadClaims: [Int: Int] = [:]
    }

    /// A list element with its hash worked out once, outside the lock: `[UInt8]` hashes byte by byte.
    private struct Element: Hashable {
        let bytes: [UInt8]
        let digest: Int

        init(_ bytes: [UInt8]) {
            self.bytes = bytes
            var hasher = Hasher()
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
            digest = hasher.finalize()
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(digest)
        }

        static func == (lhs: Element, rhs: Element) -> Bool {
            lhs.digest == rhs.digest && lhs.bytes == rhs.bytes
        }
    }

    /// Taken twice per alert by every worker: a lock that sleeps rather than spins (see `WaitingMutex`).
    private let state = WaitingMutex(State())

    /// A worker took `element`.
    func hold(_ element: [UInt8]) {
        let element = Element(element)
        state.withLock { $0.held[element, default: 0] += 1 }
    }

    /// The worker handed `element` back to the backend (completed, dead-lettered or given back), whatever
    /// the outcome: from now on only an audit looks after it.
    func release(_ element: [UInt8]) {
        let element = Element(element)
        state.withLock { state in
            guard let count = state.held[element] else { return }
            state.held[element] = count > 1 ? count - 1 : nil
        }
    }

    /// A claim was sent whose reply will be read later: until `claimReplyRead`, an element it moved is in
    /// the processing list but held by nobody, and must not be given back.
    /// - Returns: the token to pass to `claimReplyRead`.
    func claimSent() -> Int {
        state.withLock { state in
            state.unreadClaims[state.audits, default: 0] += 1
            return state.audits
        }
    }

    /// The reply of a claim sent ahead was read (or is lost for good); whatever it moved is held by now.
    func claimReplyRead(_ token: Int) {
        state.withLock { state in
            guard let count = state.unreadClaims[token] else { return }
            state.unreadClaims[token] = count > 1 ? count - 1 : nil
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
        let listed = listed.map(Element.init)
        return state.withLock { state in
            // A claim sent before the previous audit and still unread may have moved what that audit saw.
            let earlierAudits = state.audits
            state.audits += 1
            let claimsPending = state.unreadClaims.keys.contains { $0 < earlierAudits }
            var unheld: [Element: Int] = [:]
            var remainingHeld = state.held
            for element in listed {
                if let count = remainingHeld[element], count > 0 {
                    remainingHeld[element] = count - 1
                } else {
                    unheld[element, default: 0] += 1
                }
            }
            var confirmed: [[UInt8]] = []
            for (element, count) in unheld where !claimsPending {
                let both = min(count, state.suspects[element] ?? 0)
                confirmed += Array(repeating: element.bytes, count: both)
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
