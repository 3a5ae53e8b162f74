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

        func run() {
            let stop = processor.stop
            // An alert the backend claimed together with the last completion.
            var next: ClaimedAlert?
            while !stop.isStopping {
                if let claimed = next {
                    next = handle(claimed)
                    continue
                }
                if !processor.breaker.allowsClaiming() {
                    if !enricher.probeIfDue() {
                        stop.waitUnlessStopping(.milliseconds(100))
                    }
                    continue
                }
                let claimed: ClaimedAlert?
                do {
                    claimed = try processor.backend.claim(timeout: processor.configuration.claimTimeout)
                } catch {
                    queueFailed("claim failed", error)
                    continue
                }
                if let claimed {
                    next = handle(claimed)
                }
            }
            if let next {
                giveBack(next)
            }
        }

        /// Enriches one alert and settles it.
        /// - Returns: the next alert, when the backend claimed one together with this one's completion.
        private func handle(_ claimed: ClaimedAlert) -> ClaimedAlert? {
            let alert: Alert
            switch claimed.alert {
            case .failure(let reason):
                deadLetter(claimed, reason: reason)
                return nil
            case .success(let parsed):
                alert = parsed
            }
            switch enricher.enrich(ip: alert.sourceIP) {
            case .enriched(let answer, let cached, let duration):
                return store(claimed, alert: alert, answer: answer, cached: cached, duration: duration)
            case .failed(let reason):
                deadLetter(claimed, reason: reason)
            case .interrupted(let why):
                processor.logger.debug("alert given back", ["alert.id": claimed.id, "reason": why])
                giveBack(claimed)
            }
            return nil
        }

        /// Stores the enriched record, and takes the next alert in the same exchange unless the processor is
        /// stopping or has paused claiming.
        private func store(
            _ claimed: ClaimedAlert, alert: Alert, answer: IntelAnswer, cached: Bool, duration: Int
        ) -> ClaimedAlert? {
            let processedAt = Timestamp.now().iso8601
            let enrichment = answer.enrichmentJSON(
                provider: processor.configuration.intel.provider, durationMilliseconds: duration, cached: cached)
            let record = EnrichedRecord.make(
                payload: claimed.payload, fieldNames: alert.fieldNames, enrichment: enrichment, processedAt: processedAt
            )
            let summary = ResultSummary(
                id: claimed.id, verdict: answer.verdict.rawValue, durationMilliseconds: duration,
                processedAt: processedAt)
            let next: ClaimedAlert?
            do {
                if processor.stop.isStopping || !processor.breaker.allowsClaiming() {
                    try processor.backend.complete(claimed, record: record, summary: summary)
                    next = nil
                } else {
                    next = try processor.backend.completeAndClaimNext(claimed, record: record, summary: summary)
                }
            } catch {
                queueFailed("store failed, alert given back", error, alert: claimed)
                giveBack(claimed)
                return nil
            }
            queueFailures = 0
            processor.statistics.recordProcessed(cached: cached)
            processor.reporter.processed(
                id: claimed.id, verdict: answer.verdict.rawValue, durationMilliseconds: duration, cached: cached)
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
