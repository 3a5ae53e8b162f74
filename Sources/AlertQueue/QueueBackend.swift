/// The queue and store behind every program, over a directory of files or Redis.
///
/// An alert's life: `enqueue` → `claim` (atomically into this consumer's in-flight area) → `complete`
/// (the enriched record is stored, then the in-flight entry released) or `deadLetter`; `giveBack`
/// returns in-flight work to pending; `redrive` puts dead letters back on the queue.
///
/// Every method blocks the calling thread on disk or network I/O: call it from a thread of your own,
/// never from Swift concurrency's cooperative pool. Implementations are safe to share between threads.
public protocol QueueBackend: AnyObject, Sendable {
    /// This consumer's name: its in-flight area and heartbeat carry it.
    var consumer: String { get }

    /// Puts one alert on the queue; it is durable when this returns.
    func enqueue(_ payload: [UInt8], id: String) throws

    /// Takes the next pending alert into this consumer's in-flight area, waiting up to `timeout`.
    /// - Returns: nil when nothing arrived in time.
    func claim(timeout: Duration) throws -> ClaimedAlert?

    /// Stores `record` under the alert's id (replacing any earlier record or dead letter for it), then
    /// releases the in-flight entry.
    func complete(_ alert: ClaimedAlert, record: [UInt8], summary: ResultSummary) throws

    /// Sends `completion` (stored as `complete` stores it) and, with `claimNext`, a claim that does not wait,
    /// without waiting for the outcome: the caller enriches its next alert meanwhile and reads the outcome
    /// afterwards with `SentCompletion.finish()`. On Redis both go out in one write, so the round trip
    /// overlaps the caller's API call instead of adding to it.
    ///
    /// Backends that gain nothing by it (the default) complete at once and claim nothing.
    func sendCompletion(_ completion: Completion?, claimNext: Bool) -> SentCompletion

    /// Stores the alert's original bytes as a dead letter with `reason` (replacing any earlier record for it),
    /// then releases the in-flight entry.
    func deadLetter(_ alert: ClaimedAlert, reason: String) throws

    /// Returns one in-flight alert to pending, untouched (a graceful stop that could not finish it).
    func giveBack(_ alert: ClaimedAlert) throws

    /// Announces that this consumer is alive. Called before the first claim and then regularly.
    func heartbeat() throws

    /// Gives back to pending what consumers that died hold, and with `includingOwn` (at start-up only)
    /// what this consumer's name left in flight before a crash.
    func recoverInFlight(includingOwn: Bool) throws -> RecoveryReport

    /// Withdraws this consumer: gives back anything still in flight and removes its heartbeat.
    func retire() throws

    /// Puts dead letters back on the queue, oldest reason first as stored.
    /// - Parameters:
    ///   - reason: only dead letters whose reason contains this text (all when nil).
    ///   - limit: at most this many (all when nil).
    ///   - dryRun: list what would move, move nothing.
    func redrive(reason: String?, limit: Int?, dryRun: Bool) throws -> [RedrivenAlert]

    /// The counts, read from the queue and the store.
    func counts() throws -> QueueCounts

    /// The newest results, newest first.
    func recentResults(limit: Int) throws -> [ResultSummary]

    /// How many dead letters there are per reason category.
    func deadLetterCategories() throws -> [String: Int]
}

extension QueueBackend {
    /// Completes at once and claims nothing: for backends where sending ahead saves no round trip.
    public func sendCompletion(_ completion: Completion?, claimNext: Bool) -> SentCompletion {
        let outcome = Result { () throws -> Void in
            if let completion {
                try complete(completion.alert, record: completion.record, summary: completion.summary)
            }
        }
        return SentCompletion(completing: completion?.alert) {
            try outcome.get()
            return nil
        }
    }
}

/// An alert's enriched record and the summary the monitor shows: what completing it stores.
public struct Completion: Sendable {
    public var alert: ClaimedAlert
    public var record: [UInt8]
    public var summary: ResultSummary

    public init(alert: ClaimedAlert, record: [UInt8], summary: ResultSummary) {
        self.alert = alert
        self.record = record
        self.summary = summary
    }
}

/// A completion, a claim, or both, sent by `QueueBackend.sendCompletion` and not yet confirmed.
///
/// Call `finish()` exactly once, from the thread that sent it; until then the backend holds a connection
/// for it.
public struct SentCompletion {
    /// The alert being completed, if any.
    public let completing: ClaimedAlert?
    private let outcome: () throws -> ClaimedAlert?

    public init(completing: ClaimedAlert?, outcome: @escaping () throws -> ClaimedAlert?) {
        self.completing = completing
        self.outcome = outcome
    }

    /// Waits for the outcome.
    /// - Returns: the alert the claim took, now in this consumer's in-flight area; nil when it took none.
    /// - Throws: when the completion failed or its outcome is unknown (the alert may still be in flight:
    ///   give it back), or, with nothing to complete, when the claim's is.
    public func finish() throws -> ClaimedAlert? {
        try outcome()
    }
}
