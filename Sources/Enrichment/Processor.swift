import AlertQueue
import Diagnostics
import Dispatch
import Foundation
import ThreatIntel

/// Claims alerts, enriches them and stores them or dead-letters them, with `concurrency` worker threads.
///
/// Start-up gives back what this consumer's name left in flight and what dead consumers hold. A stop
/// request ends claiming; alerts in flight get the grace period to finish, then go back to the queue.
public final class Processor: Sendable {
    public let configuration: ProcessorConfiguration
    public let statistics = ProcessorStatistics()
    public let stop: StopControl

    private let backend: any QueueBackend
    private let reporter: ResultReporter
    private let logger: Logger
    private let cache: VerdictCache
    private let breaker: CircuitBreaker

    public init(
        configuration: ProcessorConfiguration, backend: any QueueBackend, reporter: ResultReporter, logger: Logger,
        stop: StopControl = StopControl()
    ) {
        self.stop = stop
        self.configuration = configuration
        self.backend = backend
        self.reporter = reporter
        self.logger = logger
        cache = VerdictCache(timeToLive: configuration.cacheTTL)
        breaker = CircuitBreaker(
            failureThreshold: configuration.breakerThreshold, probeInterval: configuration.probeInterval)
    }

    /// Runs until `stop` is requested and every worker has finished; then gives back what is left.
    public func run() throws {
        // Every worker's HTTP client is made up front, so a bad `--api-url` fails the start, not a worker.
        let clients = try (0..<configuration.concurrency).map { _ in
            try IntelClient(configuration: configuration.intel)
        }
        try backend.heartbeat()
        let recovered = try backend.recoverInFlight(includingOwn: true)
        if recovered.alerts > 0 {
            logger.notice(
                "gave back alerts left in flight",
                ["alerts": String(recovered.alerts), "consumers": recovered.consumers.joined(separator: ",")])
        }
        logger.info(
            "processor started",
            [
                "consumer": backend.consumer, "concurrency": String(configuration.concurrency),
                "api.url": configuration.intel.baseURL,
            ])

        let group = DispatchGroup()
        for (index, client) in clients.enumerated() {
            let enricher = AlertEnricher(
                client: client, cache: cache, breaker: breaker, retryPolicy: configuration.retryPolicy,
                stop: stop, logger: logger)
            let worker = Worker(enricher: enricher, processor: self)
            group.enter()
            let thread = Thread {
                worker.run()
                group.leave()
            }
            thread.name = "worker-\(index)"
            thread.start()
        }
        let maintenance = Thread { [self] in maintain() }
        maintenance.name = "maintenance"
        maintenance.start()

        group.wait()
        do {
            try backend.retire()
        } catch {
            logger.error("could not give back in-flight alerts at stop", ["error": "\(error)"])
        }
        logger.info("processor stopped", statistics.metadata)
    }

    /// Renews the heartbeat and gives back the work of consumers that died, until stopped.
    private func maintain() {
        while !stop.isStopping {
            stop.waitUnlessStopping(configuration.maintenanceInterval)
            guard !stop.isStopping else { return }
            do {
                try backend.heartbeat()
                let recovered = try backend.recoverInFlight(includingOwn: false)
                if recovered.alerts > 0 {
                    logger.notice(
                        "gave back alerts of a dead consumer",
                        ["alerts": String(recovered.alerts), "consumers": recovered.consumers.joined(separator: ",")])
                }
            } catch {
                logger.warning("maintenance failed", ["error": "\(error)"])
            }
        }
    }

    /// One worker thread: claim, enrich, store, until stopped.
    private final class Worker: @unchecked Sendable {
        // @unchecked: a Worker is created for one thread and used only by it (the enricher owns a curl handle).
        let enricher: AlertEnricher
        let processor: Processor
        private var queueFailures = 0

        init(enricher: AlertEnricher, processor: Processor) {
            self.enricher = enricher
            self.processor = processor
        }

        /// Claim, enrich, settle, until stopped.
        ///
        /// On Redis a stored alert's completion goes out together with the claim of the next alert, and the
        /// reply is read only after that next alert's enrichment: the round trip overlaps the API call. So
        /// while it enriches one alert, a worker may have sent the completion of the one before and hold the
        /// claim of the one after.
        func run() {
            let stop = processor.stop
            // Claimed and not yet enriched.
            var current: ClaimedAlert?
            // Sent, and its outcome not read yet.
            var outstanding: Outstanding?
            while !stop.isStopping {
                if current == nil {
                    if let sent = outstanding {
                        outstanding = nil
                        current = confirm(sent)
                    } else {
                        current = claim()
                    }
                    continue
                }
                guard let alert = current else { continue }
                current = nil
                if outstanding == nil && claimingAllowed {
                    // Nothing sent yet: claim the next alert ahead, to be read after this one's API call.
                    outstanding = Outstanding(sent: processor.backend.sendCompletion(nil, claimNext: true))
                }
                let settlement = evaluate(alert)
                if let sent = outstanding {
                    outstanding = nil
                    current = confirm(sent)
                }
                switch settlement {
                case .store(let completion, let report):
                    outstanding = Outstanding(
                        sent: processor.backend.sendCompletion(completion, claimNext: claimingAllowed),
                        report: report)
                case .deadLetter(let reason):
                    deadLetter(alert, reason: reason)
                case .giveBack(let why):
                    processor.logger.debug("alert given back", ["alert.id": alert.id, "reason": why])
                    giveBack(alert)
                }
            }
            if let sent = outstanding, let next = confirm(sent) {
                giveBack(next)
            }
            if let current {
                giveBack(current)
            }
        }

        /// What was sent to the queue and is not confirmed yet, with what to report once it is.
        private struct Outstanding {
            var sent: SentCompletion
            var report: ProcessedReport?
        }

        /// The `[PROCESSED]` line and statistics of a stored alert, given once the store is confirmed.
        private struct ProcessedReport {
            var verdict: String
            var durationMilliseconds: Int
            var cached: Bool
        }

        /// What to do with an enriched (or unenrichable) alert.
        private enum Settlement {
            case store(Completion, ProcessedReport)
            case deadLetter(DeadLetterReason)
            case giveBack(String)
        }

        private var claimingAllowed: Bool {
            !processor.stop.isStopping && processor.breaker.allowsClaiming()
        }

        /// Waits for the next alert, unless the breaker has paused claiming.
        private func claim() -> ClaimedAlert? {
            if !processor.breaker.allowsClaiming() {
                if !enricher.probeIfDue() {
                    processor.stop.waitUnlessStopping(.milliseconds(100))
                }
                return nil
            }
            do {
                return try processor.backend.claim(timeout: processor.configuration.claimTimeout)
            } catch {
                queueFailed("claim failed", error)
                return nil
            }
        }

        /// Parses and enriches the alert, and builds its record; nothing is written yet.
        private func evaluate(_ claimed: ClaimedAlert) -> Settlement {
            let alert: Alert
            switch claimed.alert {
            case .failure(let reason):
                return .deadLetter(reason)
            case .success(let parsed):
                alert = parsed
            }
            switch enricher.enrich(ip: alert.sourceIP) {
            case .enriched(let answer, let cached, let duration):
                let processedAt = Timestamp.now().iso8601
                let enrichment = answer.enrichmentJSON(
                    provider: processor.configuration.intel.provider, durationMilliseconds: duration, cached: cached)
                let record = EnrichedRecord.make(
                    payload: claimed.payload, fieldNames: alert.fieldNames, enrichment: enrichment,
                    processedAt: processedAt)
                let summary = ResultSummary(
                    id: claimed.id, verdict: answer.verdict.rawValue, durationMilliseconds: duration,
                    processedAt: processedAt)
                return .store(
                    Completion(alert: claimed, record: record, summary: summary),
                    ProcessedReport(verdict: answer.verdict.rawValue, durationMilliseconds: duration, cached: cached))
            case .failed(let reason):
                return .deadLetter(reason)
            case .interrupted(let why):
                return .giveBack(why)
            }
        }

        /// Reads the outcome of what was sent: reports the stored alert, or gives it back if the store failed.
        /// - Returns: the alert claimed with it, if any.
        private func confirm(_ outstanding: Outstanding) -> ClaimedAlert? {
            let stored = outstanding.sent.completing
            let next: ClaimedAlert?
            do {
                next = try outstanding.sent.finish()
            } catch {
                if let stored {
                    queueFailed("store failed, alert given back", error, alert: stored)
                    giveBack(stored)
                } else {
                    queueFailed("claim failed", error)
                }
                return nil
            }
            if let stored, let report = outstanding.report {
                queueFailures = 0
                processor.statistics.recordProcessed(cached: report.cached)
                processor.reporter.processed(
                    id: stored.id, verdict: report.verdict, durationMilliseconds: report.durationMilliseconds,
                    cached: report.cached)
            }
            return next
        }

        private func deadLetter(_ claimed: ClaimedAlert, reason: DeadLetterReason) {
            do {
                try processor.backend.deadLetter(claimed, reason: reason.description)
            } catch {
                queueFailed("dead letter failed, alert given back", error, alert: claimed)
                giveBack(claimed)
                return
            }
            queueFailures = 0
            processor.statistics.recordDeadLetter()
            processor.reporter.deadLettered(id: claimed.id, reason: reason.description)
        }

        private func giveBack(_ claimed: ClaimedAlert) {
            do {
                try processor.backend.giveBack(claimed)
                processor.statistics.recordGiveBack()
            } catch {
                // It stays in flight under this consumer's name: retire() at stop or the next start's
                // recovery gives it back.
                processor.logger.error("give back failed", ["alert.id": claimed.id, "error": "\(error)"])
            }
        }

        /// A queue or store failure (Redis down, disk full): logged, then the worker backs off so it
        /// does not spin, and tries again.
        private func queueFailed(_ message: String, _ error: any Error, alert: ClaimedAlert? = nil) {
            queueFailures += 1
            var metadata = ["error": "\(error)", "consecutive_failures": String(queueFailures)]
            if let alert {
                metadata["alert.id"] = alert.id
            }
            processor.logger.error(message, metadata)
            let backoff = Duration.milliseconds(min(100 << min(queueFailures, 6), 5000))
            processor.stop.waitUnlessStopping(backoff)
        }
    }
}
