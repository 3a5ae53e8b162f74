import AlertQueue
import Foundation
import TestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One chaos run: a collector sends `settings.alerts` alerts while four processors work the queue, and the
/// run SIGKILLs processors (and Redis) at random, takes the API down and up, makes it slower than the
/// processors' timeout and rate-limits it. Then it lets the pipeline drain and audits the store.
final class ChaosRun {
    /// The processors' timeout; the API's slow phase answers later than this.
    static let timeoutSeconds = 0.5
    static let processorCount = 4

    let queue: ChaosQueue
    let settings: ChaosSettings
    let label: String
    private var random: SeededRandom
    private var figures = ChaosFigures()

    init(queue: ChaosQueue, settings: ChaosSettings, label: String) {
        self.queue = queue
        self.settings = settings
        self.label = label
        random = SeededRandom(seed: settings.seed)
        figures.label = label
        figures.alerts = settings.alerts
        figures.seed = settings.seed
    }

    /// Runs the whole scenario and returns what happened; throws when the pipeline could not be run at all.
    func run() throws -> ChaosOutcome {
        let started = ContinuousClock.now
        let api = try ThreatAPIProcess(["--latency-ms", "1", "--jitter-ms", "4"])
        defer { api.stop(timeout: .seconds(5)) }
        let admin = AdminClient(port: api.port)

        let processorArguments =
            queue.arguments + [
                "--api-url", api.baseURL, "--timeout", String(Self.timeoutSeconds), "--retries", "2",
                "--concurrency", "4", "--cache-ttl", "0", "--grace-period", "1", "--heartbeat-ttl", "2",
            ]
        let fleet = try ProcessorFleet(count: Self.processorCount, arguments: processorArguments)
        defer { _ = fleet.stopAll(timeout: .seconds(5)) }
        guard fleet.waitUntilStarted() else { throw AdminError("the processors did not start") }

        let collector = try ChildProcess(
            "collector",
            queue.arguments + [
                "--rate", String(settings.rate), "--count", String(settings.alerts), "--ip-pool", "2000",
            ])
        defer {
            if collector.isRunning { collector.signal(SIGKILL) }
        }

        try unleash(on: fleet, admin: admin, collector: collector)
        try admin.reset()

        let collectorStatus = collector.wait(timeout: .seconds(60))
        let collected = OutputLines.collected(collector.standardOutput)
        figures.collectorStatus = collectorStatus
        figures.collectorErrors = String(collector.standardError.suffix(2000))
        figures.collected = collected.count

        let drained = try drain(fleet: fleet, expected: Set(collected.map(\.id)).count)
        let statuses = fleet.stopAll()
        figures.seconds = (ContinuousClock.now - started).inSeconds
        figures.processorKills = fleet.kills
        figures.restarts = fleet.restarts
        figures.unexpectedExits = fleet.unexpectedExits

        let stored = try queue.storedEntries()
        let audit = ChaosAudit(
            collected: collected, processorOutput: fleet.allOutput, processed: stored.processed, errors: stored.errors)
        figures.lost = audit.lost.count
        figures.duplicates = audit.inBoth.count + audit.diverging.count
        figures.reprocessed = audit.reprocessed
        figures.processed = audit.processed
        figures.deadLetters = audit.deadLetters
        figures.reasons = audit.reasons
        figures.leftoverTemporaryFiles = queue.leftoverTemporaryFiles().count
        figures.count(processorErrors: fleet.allErrors)

        let monitor = try ChildProcess.run("monitor", queue.arguments + ["--once", "--json"], timeout: .seconds(30))
        return ChaosOutcome(
            figures: figures, audit: audit, drained: drained, stopStatuses: statuses, counts: try queue.counts(),
            inFlight: try queue.inFlight(), monitor: MonitorReading(status: monitor.status, output: monitor.output),
            processorErrors: fleet.allErrors)
    }

    // MARK: - Faults

    /// Kills processors (and Redis), flaps, slows and rate-limits the API until the collector is done and
    /// every kind of fault has happened often enough.
    private func unleash(on fleet: ProcessorFleet, admin: AdminClient, collector: ChildProcess) throws {
        let start = ContinuousClock.now
        let collection = settings.collectionTime
        let hardStop = start + collection * 4 + .seconds(120)

        // Kills spread over 80 % of the collection, at least `processorKills` of them.
        let meanGap = min(.milliseconds(500), collection * 0.8 / settings.processorKills)
        let gapRange = max(meanGap.inMilliseconds / 3, 20)...max(meanGap.inMilliseconds * 5 / 3, 60)
        var nextKill = start + random.milliseconds(gapRange)

        // Redis kills evenly spread over the collection, one per 8 s at least.
        var redisKillTimes: [ContinuousClock.Instant] = []
        if queue.redis != nil {
            let count = max(settings.redisKills, Int(collection.inSeconds / 8))
            redisKillTimes = (1...count).map { start + collection * (Double($0) / Double(count + 1)) }
        }

        // The API cycles through its faults: down (a flap), slower than the timeout, rate-limited, and failing
        // half its lookups (some alerts run out of retries: dead letters, which must be stored once too).
        let phases: [(ApiPhase, Duration)] = [
            (.normal, .milliseconds(1200)), (.down, .milliseconds(1000)), (.normal, .milliseconds(1200)),
            (.slow, .milliseconds(1500)), (.normal, .milliseconds(1200)), (.rateLimited, .milliseconds(1500)),
            (.normal, .milliseconds(1200)), (.failing, .milliseconds(1000)),
        ]
        var phaseIndex = 0
        var phaseEnds = start + phases[0].1
        var cycles = 0

        while true {
            let now = ContinuousClock.now
            guard now < hardStop else {
                throw AdminError("the chaos phase did not finish in time: \(figures.summary)")
            }
            try fleet.reviveExited()

            if now >= nextKill {
                try fleet.killAndRestart(slot: Int.random(in: 0..<fleet.count, using: &random))
                nextKill = ContinuousClock.now + random.milliseconds(gapRange)
            }

            if let due = redisKillTimes.first, now >= due, let redis = queue.redis {
                redisKillTimes.removeFirst()
                // A processor still starting up would exit on a refused connection, as it should: the
                // point here is whether running ones and the collector ride the outage out.
                _ = fleet.waitUntilStarted(timeout: .seconds(10))
                redis.kill()
                figures.redisKills += 1
                pause(random.milliseconds(200...700))
                try redis.restart()
                figures.redisRestarts += 1
            } else if redisKillTimes.isEmpty, queue.redis != nil, figures.redisKills < settings.redisKills {
                redisKillTimes.append(ContinuousClock.now + .seconds(1))
            }

            if now >= phaseEnds {
                let (ending, _) = phases[phaseIndex]
                try leave(ending, admin: admin)
                phaseIndex = (phaseIndex + 1) % phases.count
                if phaseIndex == 0 { cycles += 1 }
                let (next, length) = phases[phaseIndex]
                try enter(next, admin: admin)
                phaseEnds = ContinuousClock.now + length
            }

            let enoughKills = fleet.kills >= settings.processorKills
            let enoughRedisKills = queue.redis == nil || figures.redisKills >= settings.redisKills
            if !collector.isRunning && enoughKills && enoughRedisKills && cycles >= 1 {
                try leave(phases[phaseIndex].0, admin: admin)
                return
            }
            pause(.milliseconds(20))
        }
    }

    private enum ApiPhase {
        case normal, down, slow, rateLimited, failing
    }

    private func enter(_ phase: ApiPhase, admin: AdminClient) throws {
        switch phase {
        case .normal: break
        case .down:
            try admin.setDown(true)
            figures.apiFlaps += 1
        case .slow:
            try admin.setFaults("latency_ms=\(Int(Self.timeoutSeconds * 1000) + 300)")
            figures.slowPhases += 1
        case .rateLimited:
            try admin.setFaults("rate_limit=40")
            figures.rateLimitPhases += 1
        case .failing:
            try admin.setFaults("error_rate=0.5")
            figures.failingPhases += 1
        }
    }

    private func leave(_ phase: ApiPhase, admin: AdminClient) throws {
        switch phase {
        case .normal: break
        case .down: try admin.setDown(false)
        case .slow: try admin.setFaults("latency_ms=1")
        case .rateLimited: try admin.setFaults("rate_limit=off")
        case .failing: try admin.setFaults("error_rate=0")
        }
    }

    // MARK: - Draining

    /// Waits until nothing is pending or in flight and every alert has an outcome; false when it never did.
    private func drain(fleet: ProcessorFleet, expected: Int) throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(90) + .milliseconds(settings.alerts * 2)
        var quietPolls = 0
        while ContinuousClock.now < deadline {
            try fleet.reviveExited()
            if let counts = try? queue.counts(), counts.pending == 0, counts.inFlight == 0,
                counts.processed + counts.errors >= expected
            {
                quietPolls += 1
                if quietPolls >= 3 { return true }
            } else {
                quietPolls = 0
            }
            pause(.milliseconds(250))
        }
        return false
    }
}

/// Everything a chaos run found, for the test to judge.
struct ChaosOutcome: Sendable {
    var figures: ChaosFigures
    var audit: ChaosAudit
    var drained: Bool
    var stopStatuses: [Int32]
    var counts: QueueCounts
    var inFlight: [String: [String]]
    var monitor: MonitorReading
    var processorErrors: [String]
}

/// What `monitor --once --json` said: its exit status and its counts.
struct MonitorReading: Sendable {
    var status: Int32
    var output: String
    var counts: [String: Int] = [:]
    var reconciled: Bool?

    init(status: Int32, output: String) {
        self.status = status
        self.output = output
        let line = output.split(separator: "\n").last.map(String.init) ?? ""
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return }
        for key in ["generated", "pending", "in_flight", "processed", "errors"] {
            counts[key] = object[key] as? Int
        }
        reconciled = object["reconciled"] as? Bool
    }
}

/// Sleeps the calling thread (never a cooperative one: chaos runs on a thread of its own).
func pause(_ duration: Duration) {
    let nanoseconds = max(
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000, 0)
    var request = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR {
        request = remaining
    }
}

extension Duration {
    var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    var inMilliseconds: Int {
        Int(components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000)
    }
}
