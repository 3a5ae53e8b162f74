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

    /// `complete`, then a claim that does not wait, in one exchange where the backend can: on Redis one
    /// round trip instead of two, which is most of what a cached alert costs.
    /// - Returns: the next pending alert, now in flight, or nil when none was taken (the caller then claims
    ///   as usual).
    /// - Throws: when the completion failed, as `complete` does; a failed claim only returns nil.
    func completeAndClaimNext(_ alert: ClaimedAlert, record: [UInt8], summary: ResultSummary) throws -> ClaimedAlert?

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
    /// Completes the alert and takes nothing: for backends where a claim saves no round trip.
    public func completeAndClaimNext(
        _ alert: ClaimedAlert, record: [UInt8], summary: ResultSummary
    ) throws -> ClaimedAlert? {
        try complete(alert, record: record, summary: summary)
        return nil
    }
}
