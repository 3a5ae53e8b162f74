import Locks

/// A per-IP cache of definitive threat-intel answers, shared by all workers of a processor.
///
/// Entries live for a fixed time to live; a TTL of zero turns the cache off. The cache holds at
/// most `capacity` entries: when full, expired entries go first, then the oldest. Because every entry
/// lives equally long, the oldest entry is also the one closest to expiring, so one insertion-ordered
/// queue serves both purposes.
///
/// Only answers belong here (including `unknown` from a 404); a transient failure is never cached,
/// or one glitch would stick to an IP for the whole TTL.
public final class VerdictCache: Sendable {
    /// The time source; injectable so tests can move time forward.
    public typealias Clock = @Sendable () -> ContinuousClock.Instant

    private struct Entry {
        var answer: IntelAnswer
        var expiry: ContinuousClock.Instant
        /// Which insertion this is, so stale records in the queue can be told from the live one.
        var sequence: UInt64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// IPs in insertion order with the sequence they were stored under; stale records are skipped.
        var order: [(ip: String, sequence: UInt64)] = []
        /// Index of the oldest record still in `order`; advanced instead of removing from the front.
        var head = 0
        var nextSequence: UInt64 = 0
    }

    public let timeToLive: Duration
    public let capacity: Int
    private let now: Clock
    /// Every worker looks here for every alert: a lock that sleeps rather than spins (see `WaitingMutex`).
    private let state = WaitingMutex(State())

    /// - Parameters:
    ///   - timeToLive: how long an answer stays fresh; `.zero` disables caching.
    ///   - capacity: the most entries kept; at least 1.
    ///   - now: the time source, the continuous clock by default.
    public init(timeToLive: Duration, capacity: Int = 100_000, now: @escaping Clock = { ContinuousClock.now }) {
        precondition(capacity >= 1, "a verdict cache needs room for at least one entry")
        self.timeToLive = timeToLive
        self.capacity = capacity
        self.now = now
    }

    /// Whether the cache stores anything at all.
    public var isEnabled: Bool {
        timeToLive > .zero
    }

    /// The number of entries held, expired ones not yet evicted included.
    public var count: Int {
        state.withLock { $0.entries.count }
    }

    /// The cached answer for `ip`, or `nil` when there is none or it has expired.
    public func answer(for ip: String) -> IntelAnswer? {
        guard isEnabled else {
            return nil
        }
        let instant = now()
        return state.withLock { state in
            guard let entry = state.entries[ip] else {
                return nil
            }
            guard instant < entry.expiry else {
                state.entries[ip] = nil
                return nil
            }
            return entry.answer
        }
    }

    /// Caches `answer` for `ip` for one time to live, replacing any earlier answer.
    public func store(_ answer: IntelAnswer, for ip: String) {
        guard isEnabled else {
            return
        }
        let instant = now()
        let expiry = instant.advanced(by: timeToLive)
        state.withLock { state in
            if state.entries[ip] == nil {
                Self.evictExpired(from: &state, at: instant)
                while state.entries.count >= capacity {
                    Self.evictOldest(from: &state)
                }
            }
            let sequence = state.nextSequence
            state.nextSequence += 1
            state.entries[ip] = Entry(answer: answer, expiry: expiry, sequence: sequence)
            state.order.append((ip: ip, sequence: sequence))
            Self.compactOrder(of: &state)
        }
    }

    /// Forgets every entry.
    public func removeAll() {
        state.withLock { $0 = State() }
    }

    /// Drops entries from the front of the queue while they have expired.
    private static func evictExpired(from state: inout State, at instant: ContinuousClock.Instant) {
        while state.head < state.order.count {
            let record = state.order[state.head]
            if let entry = state.entries[record.ip], entry.sequence == record.sequence {
                guard entry.expiry <= instant else {
                    return
                }
                state.entries[record.ip] = nil
            }
            state.head += 1
        }
    }

    /// Drops the oldest live entry.
    private static func evictOldest(from state: inout State) {
        while state.head < state.order.count {
            let record = state.order[state.head]
            state.head += 1
            if let entry = state.entries[record.ip], entry.sequence == record.sequence {
                state.entries[record.ip] = nil
                return
            }
        }
    }

    /// Keeps the queue proportional to the live entries: consumed records are cut off once they are
    /// the larger part, and stale records (from answers stored again) once they outnumber the live ones.
    private static func compactOrder(of state: inout State) {
        if state.head > 1_024, state.head * 2 > state.order.count {
            state.order.removeFirst(state.head)
            state.head = 0
        }
        if state.order.count - state.head > 2 * max(state.entries.count, 1_024) {
            let entries = state.entries
            state.order = state.order[state.head...].filter { entries[$0.ip]?.sequence == $0.sequence }
            state.head = 0
        }
    }
}
