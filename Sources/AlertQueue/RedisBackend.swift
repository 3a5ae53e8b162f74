import Diagnostics
import Foundation
import RedisClient
import Synchronization

/// The queue as Redis lists and hashes (see `RedisKeys`), through hiredis.
///
/// A claim is one BLMOVE (BRPOPLPUSH before Redis 6.2) from `pending` into this consumer's processing
/// list. Completing and dead-lettering are each one MULTI/EXEC that stores the result and removes the
/// in-flight element together, so a crash never leaves a stored alert in flight or a released one unstored.
public final class RedisBackend: QueueBackend {
    public let consumer: String
    public let keys: RedisKeys
    public let heartbeatTTL: Duration

    private let pool: RedisConnectionPool
    private let supportsMove: Bool
    /// Whether this consumer's heartbeat has been sent: it must be before the first claim, or a processing
    /// list could exist that no recovery pass knows to look at.
    private let registered = Atomic<Bool>(false)
    let ledger = InFlightLedger()
    /// How many result summaries `recent` keeps.
    static let recentCapacity = 1000
    /// The longest a blocking claim waits in one call: short, so a stop is noticed, and below the command
    /// timeout, which hiredis applies to blocking commands too.
    static let blockSlice: Duration = .seconds(1)

    public init(
        url: RedisURL, consumer: String, keys: RedisKeys = RedisKeys(), heartbeatTTL: Duration = .seconds(15),
        logger: Logger = .disabled
    ) throws {
        if let problem = AlertID.problem(with: consumer) {
            throw QueueError("open Redis queue", "invalid consumer name: \(problem)")
        }
        self.consumer = consumer
        self.keys = keys
        self.heartbeatTTL = heartbeatTTL
        pool = RedisConnectionPool(url: url, commandTimeout: .seconds(5))
        let version = try pool.withConnection { $0.serverVersion }
        supportsMove = version.map { ($0.major, $0.minor) >= (6, 2) } ?? false
        checkDurabilitySettings(logger: logger)
    }

    deinit {
        pool.close()
    }

    /// Warns when the server could lose queued alerts: keys evicted under memory pressure, or no AOF.
    private func checkDurabilitySettings(logger: Logger) {
        let settings = try? pool.withConnection { connection in
            try connection.pipeline([["CONFIG", "GET", "maxmemory-policy"], ["CONFIG", "GET", "appendonly"]])
        }
        guard let settings, settings.count == 2 else { return }
        if let policy = settings[0].array?.last?.string, policy != "noeviction" {
            logger.warning(
                "redis may evict queued alerts under memory pressure",
                ["redis.maxmemory_policy": policy, "expected": "noeviction"])
        }
        if let appendOnly = settings[1].array?.last?.string, appendOnly != "yes" {
            logger.warning("redis has AOF off: a server crash loses recent alerts", ["redis.appendonly": appendOnly])
        }
    }

    // MARK: Enqueue

    /// Pushes the alert and, the first time its id is seen, counts it, in one atomic step. `generated` thus
    /// counts distinct alerts: an alert sent twice (a producer retrying after a lost reply, a re-sent
    /// alert) is processed twice into the same single record, and the books still balance.
    private static let enqueueScript = """
        if redis.call('SADD', KEYS[3], ARGV[2]) == 1 then
            redis.call('INCR', KEYS[2])
        end
        redis.call('LPUSH', KEYS[1], ARGV[1])
        return 1
        """

    public func enqueue(_ payload: [UInt8], id: String) throws {
        _ = try pool.withConnection { connection in
            try connection.command(bytes: [
                Array("EVAL".utf8), Array(Self.enqueueScript.utf8), Array("3".utf8), Array(keys.pending.utf8),
                Array(keys.generated.utf8), Array(keys.ids.utf8), payload, Array(id.utf8),
            ])
        }
    }

    // MARK: Claim

    public func claim(timeout: Duration) throws -> ClaimedAlert? {
        if !registered.load(ordering: .acquiring) {
            try heartbeat()
        }
        let deadline = ContinuousClock.now + timeout
        return try pool.withConnection { connection in
            while true {
                let remaining = deadline - ContinuousClock.now
                let slice = max(min(remaining, Self.blockSlice), .milliseconds(10))
                let reply: RedisValue
                do {
                    reply = try connection.command(bytes: claimCommand(blockingFor: slice))
                } catch let error as RedisConnectionError {
                    // The server may have moved an alert before the reply was lost.
                    ledger.markUncertain()
                    throw error
                }
                if let payload = reply.bytes {
                    ledger.hold(payload)
                    return Self.claimed(payload)
                }
                if ContinuousClock.now >= deadline { return nil }
            }
        }
    }

    /// BLMOVE (BRPOPLPUSH before 6.2) from pending into this consumer's list; LMOVE (RPOPLPUSH) when
    /// `blockingFor` is nil, which answers at once.
    private func claimCommand(blockingFor slice: Duration?) -> [[UInt8]] {
        let own = keys.processing(consumer)
        guard let slice else {
            return supportsMove
                ? command("LMOVE", keys.pending, own, "RIGHT", "LEFT") : command("RPOPLPUSH", keys.pending, own)
        }
        let seconds = Self.blockSeconds(slice)
        return supportsMove
            ? command("BLMOVE", keys.pending, own, "RIGHT", "LEFT", seconds)
            : command("BRPOPLPUSH", keys.pending, own, seconds)
    }

    /// A block time as Redis takes it, in seconds with millisecond precision: "0.250".
    static func blockSeconds(_ slice: Duration) -> String {
        let milliseconds = max(slice.wholeMilliseconds, 0)
        let fraction = String(milliseconds % 1000)
        return "\(milliseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    static func claimed(_ payload: [UInt8]) -> ClaimedAlert {
        let alert = AlertParser.parse(payload)
        let id: String
        switch alert {
        case .success(let parsed): id = parsed.id
        case .failure: id = AlertParser.identify(payload) ?? AlertID.fallback(for: payload)
        }
        return ClaimedAlert(id: id, payload: payload, alert: alert, entry: .listElement(payload))
    }

    // MARK: Results

    public func complete(_ alert: ClaimedAlert, record: [UInt8], summary: ResultSummary) throws {
        try settle(alert, completion(of: alert, record: record, summary: summary))
    }

    /// Writes the completion's MULTI/EXEC and a claim that does not wait (LMOVE, or RPOPLPUSH before 6.2)
    /// in one write on a connection of the caller's own; `finish()` reads both replies.
    public func sendCompletion(_ completion: Completion?, claimNext: Bool) -> SentCompletion {
        let alert = completion?.alert
        if let alert {
            ledger.release(element(of: alert))
        }
        let commands = completion.map { self.completion(of: $0.alert, record: $0.record, summary: $0.summary) } ?? []
        let following = claimNext ? [claimCommand(blockingFor: nil)] : []
        let claimToken = claimNext ? ledger.claimSent() : nil
        let connection: RedisConnection
        let sent: SentCommands
        do {
            connection = try pool.lease()
            do {
                sent = try connection.sendTransaction(bytes: commands, followedBy: following)
            } catch {
                pool.restore(connection)
                throw error
            }
        } catch {
            // Part of the write may have reached the server: the completion may have run, and the claim may
            // have moved an alert nobody holds. The caller gives its alert back; the audit finds the rest.
            ledger.markUncertain()
            claimToken.map(ledger.claimReplyRead)
            return SentCompletion(completing: alert) { throw error }
        }
        return SentCompletion(completing: alert) { [self] in
            defer {
                pool.restore(connection)
                claimToken.map(ledger.claimReplyRead)
            }
            let replies: (transaction: Result<[RedisValue], RedisServerError>, following: [RedisValue])
            do {
                replies = try connection.receive(sent)
            } catch {
                ledger.markUncertain()
                throw error
            }
            let next = replies.following.first?.bytes
            if let next {
                ledger.hold(next)
            }
            if case .failure(let error) = replies.transaction {
                // The completion did not run, but the claim after it did: hand the next alert to the audit,
                // as the caller gives this one back.
                if let next {
                    ledger.release(next)
                }
                ledger.markUncertain()
                throw error
            }
            return next.map(Self.claimed)
        }
    }

    /// Stores the record, forgets any earlier dead letter, keeps the summary for the monitor, and releases
    /// the in-flight element: the commands of one MULTI/EXEC.
    private func completion(of alert: ClaimedAlert, record: [UInt8], summary: ResultSummary) -> [[[UInt8]]] {
        let summaryText = JSONText.object([
            ("alert_id", summary.id), ("verdict", summary.verdict),
            ("duration_ms", String(summary.durationMilliseconds)), ("processed_at", summary.processedAt),
        ])
        return [
            command("HSET", keys.processed, alert.id, record),
            command("HDEL", keys.errors, alert.id),
            command("HDEL", keys.errorCategories, alert.id),
            command("LPUSH", keys.recent, summaryText),
            command("LTRIM", keys.recent, "0", String(Self.recentCapacity - 1)),
            command("LREM", keys.processing(consumer), "1", element(of: alert)),
        ]
    }

    public func deadLetter(_ alert: ClaimedAlert, reason: String) throws {
        var fields = [
            ("alert_id", alert.id), ("reason", reason), ("failed_at", Timestamp.now().iso8601),
            ("consumer", consumer),
        ]
        if let text = String(validating: alert.payload, as: UTF8.self) {
            fields.append(("payload", text))
        } else {
            fields.append(("payload_base64", Data(alert.payload).base64EncodedString()))
        }
        try settle(
            alert,
            [
                command("HSET", keys.errors, alert.id, JSONText.object(fields)),
                command("HSET", keys.errorCategories, alert.id, DeadLetterReason.category(of: reason)),
                // An alert stored before and delivered again is in one place only: the latest outcome.
                command("HDEL", keys.processed, alert.id),
                command("LREM", keys.processing(consumer), "1", element(of: alert)),
            ])
    }

    /// Returns the alert to pending only if it is still in this consumer's list: if a recovery pass already
    /// gave it back, pushing it again would queue it twice. RPUSH puts it at the end consumers take from.
    private static let giveBackScript = """
        if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 1 then
            redis.call('RPUSH', KEYS[2], ARGV[1])
            return 1
        end
        return 0
        """

    public func giveBack(_ alert: ClaimedAlert) throws {
        let element = element(of: alert)
        ledger.release(element)
        do {
            _ = try pool.withConnection { connection in
                try connection.command(bytes: [
                    Array("EVAL".utf8), Array(Self.giveBackScript.utf8), Array("2".utf8),
                    Array(keys.processing(consumer).utf8), Array(keys.pending.utf8), element,
                ])
            }
        } catch {
            ledger.markUncertain()
            throw error
        }
    }

    private func element(of alert: ClaimedAlert) -> [UInt8] {
        guard case .listElement(let element) = alert.entry else { preconditionFailure("not a Redis entry") }
        return element
    }

    /// Runs the MULTI/EXEC that stores an alert's outcome and releases it from this consumer's list.
    private func settle(_ alert: ClaimedAlert, _ commands: [[[UInt8]]]) throws {
        ledger.release(element(of: alert))
        do {
            _ = try pool.withConnection { try $0.transaction(bytes: commands) }
        } catch {
            // Whether EXEC ran is unknown; if it did not, the alert is still listed here, and an audit
            // finds it should the caller's own fallback fail too.
            ledger.markUncertain()
            throw error
        }
    }

    // MARK: Liveness and recovery

    public func heartbeat() throws {
        _ = try pool.withConnection { connection in
            try connection.transaction([
                [
                    "SET", keys.heartbeat(consumer), Timestamp.now().iso8601, "PX",
                    String(heartbeatTTL.wholeMilliseconds),
                ],
                ["SADD", keys.consumers, consumer],
            ])
        }
        registered.store(true, ordering: .releasing)
    }

    /// Stops heartbeating as a crash would; the heartbeat key runs out by itself.
    func abandon() {
        registered.store(false, ordering: .releasing)
    }

    public func recoverInFlight(includingOwn: Bool) throws -> RecoveryReport {
        var report = RecoveryReport()
        try heartbeat()
        try pool.withConnection { connection in
            if includingOwn {
                let moved = try moveBack(keys.processing(consumer), connection: connection)
                if moved > 0 {
                    report.consumers.append(consumer)
                    report.alerts += moved
                }
            }
            if ledger.needsAudit {
                let moved = try auditOwnList(connection: connection)
                if moved > 0 {
                    report.consumers.append(consumer)
                    report.alerts += moved
                }
            }
            let members = try connection.command(["SMEMBERS", keys.consumers]).array ?? []
            for other in members.compactMap(\.string) where other != consumer {
                // The heartbeat is set before a consumer registers or claims, so a consumer that has only
                // just started is never mistaken for a dead one.
                let alive = try connection.command(["EXISTS", keys.heartbeat(other)]).int ?? 0
                guard alive == 0 else { continue }
                let moved = try moveBack(keys.processing(other), connection: connection)
                _ = try connection.command(["SREM", keys.consumers, other])
                report.consumers.append(other)
                report.alerts += moved
            }
        }
        return report
    }

    /// Gives back the elements of this consumer's list that no worker holds (see `InFlightLedger`).
    private func auditOwnList(connection: RedisConnection) throws -> Int {
        let listed = try connection.command(["LRANGE", keys.processing(consumer), "0", "-1"]).array ?? []
        var moved = 0
        for element in ledger.audit(listed: listed.compactMap(\.bytes)) {
            let reply = try connection.command(bytes: [
                Array("EVAL".utf8), Array(Self.giveBackScript.utf8), Array("2".utf8),
                Array(keys.processing(consumer).utf8), Array(keys.pending.utf8), element,
            ])
            moved += reply.int ?? 0
        }
        return moved
    }

    /// Moves a processing list back to pending one element at a time, each move atomic.
    private func moveBack(_ list: String, connection: RedisConnection) throws -> Int {
        var moved = 0
        while true {
            let reply =
                supportsMove
                ? try connection.command(["LMOVE", list, keys.pending, "RIGHT", "RIGHT"])
                : try connection.command(["RPOPLPUSH", list, keys.pending])
            if reply.isNull { return moved }
            moved += 1
        }
    }

    public func retire() throws {
        try pool.withConnection { connection in
            _ = try moveBack(keys.processing(consumer), connection: connection)
            _ = try connection.transaction([
                ["DEL", keys.heartbeat(consumer)],
                ["SREM", keys.consumers, consumer],
            ])
        }
    }

    // MARK: Redrive

    /// Deletes the dead letter and pushes its alert back only if the dead letter was still there, so two
    /// backfills running at once never enqueue the same alert twice.
    private static let redriveScript = """
        if redis.call('HDEL', KEYS[1], ARGV[1]) == 1 then
            redis.call('HDEL', KEYS[2], ARGV[1])
            redis.call('LPUSH', KEYS[3], ARGV[2])
            return 1
        end
        return 0
        """

    public func redrive(reason: String?, limit: Int?, dryRun: Bool) throws -> [RedrivenAlert] {
        var redriven: [RedrivenAlert] = []
        try pool.withConnection { connection in
            var cursor = "0"
            repeat {
                let reply = try connection.command(["HSCAN", keys.errors, cursor, "COUNT", "200"]).array ?? []
                guard reply.count == 2, let next = reply[0].string, let entries = reply[1].array else {
                    throw QueueError("redrive", "unexpected HSCAN reply")
                }
                cursor = next
                for index in stride(from: 0, to: entries.count - 1, by: 2) {
                    if let limit, redriven.count >= limit { return }
                    guard let id = entries[index].string, let note = entries[index + 1].bytes else { continue }
                    let letter = Self.deadLetter(note)
                    if let reason, !letter.reason.contains(reason) { continue }
                    guard let payload = letter.payload else { continue }
                    if !dryRun {
                        let moved = try connection.command(bytes: [
                            Array("EVAL".utf8), Array(Self.redriveScript.utf8), Array("3".utf8),
                            Array(keys.errors.utf8), Array(keys.errorCategories.utf8), Array(keys.pending.utf8),
                            Array(id.utf8), payload,
                        ])
                        guard moved.int == 1 else { continue }
                    }
                    redriven.append(RedrivenAlert(id: id, reason: letter.reason))
                }
            } while cursor != "0"
        }
        return redriven
    }

    /// The reason and original bytes of a stored dead letter.
    static func deadLetter(_ note: [UInt8]) -> (reason: String, payload: [UInt8]?) {
        guard let fields = try? JSONFields(note) else { return ("unknown", nil) }
        let reason = fields.string("reason") ?? "unknown"
        if let text = fields.string("payload") {
            return (reason, Array(text.utf8))
        }
        if let encoded = fields.string("payload_base64"), let data = Data(base64Encoded: encoded) {
            return (reason, Array(data))
        }
        return (reason, nil)
    }

    // MARK: Counts and results

    /// All counts in one atomic step, in-flight lists included.
    private static let countsScript = """
        local inflight = 0
        for _, consumer in ipairs(redis.call('SMEMBERS', KEYS[5])) do
            inflight = inflight + redis.call('LLEN', ARGV[1] .. consumer)
        end
        local generated = tonumber(redis.call('GET', KEYS[1]) or '0')
        return {generated, redis.call('LLEN', KEYS[2]), inflight, redis.call('HLEN', KEYS[3]),
            redis.call('HLEN', KEYS[4])}
        """

    public func counts() throws -> QueueCounts {
        let reply = try pool.withConnection { connection in
            try connection.command([
                "EVAL", Self.countsScript, "5", keys.generated, keys.pending, keys.processed, keys.errors,
                keys.consumers, keys.processing(""),
            ])
        }
        guard let values = reply.array?.compactMap(\.int), values.count == 5 else {
            throw QueueError("counts", "unexpected reply from the counts script")
        }
        return QueueCounts(
            generated: values[0], pending: values[1], inFlight: values[2], processed: values[3], errors: values[4])
    }

    public func recentResults(limit: Int) throws -> [ResultSummary] {
        guard limit > 0 else { return [] }
        let reply = try pool.withConnection { try $0.command(["LRANGE", keys.recent, "0", String(limit - 1)]) }
        return (reply.array ?? []).compactMap { element in
            guard let bytes = element.bytes, let fields = try? JSONFields(bytes), let id = fields.string("alert_id")
            else { return nil }
            return ResultSummary(
                id: id, verdict: fields.string("verdict") ?? "unknown",
                durationMilliseconds: fields.string("duration_ms").flatMap { Int($0) } ?? 0,
                processedAt: fields.string("processed_at") ?? "")
        }
    }

    public func deadLetterCategories() throws -> [String: Int] {
        let reply = try pool.withConnection { try $0.command(["HVALS", keys.errorCategories]) }
        var categories: [String: Int] = [:]
        for value in reply.array ?? [] {
            categories[value.string ?? "other", default: 0] += 1
        }
        return categories
    }
}

/// One command as binary-safe arguments.
private func command(_ name: String, _ arguments: any RedisArgument...) -> [[UInt8]] {
    [Array(name.utf8)] + arguments.map { $0.bytes }
}

/// A command argument: text or raw bytes.
fileprivate protocol RedisArgument {
    var bytes: [UInt8] { get }
}

extension String: RedisArgument {
    fileprivate var bytes: [UInt8] { Array(utf8) }
}

extension Array: RedisArgument where Element == UInt8 {
    fileprivate var bytes: [UInt8] { self }
}
