import AlertQueue
import Diagnostics
import ThreatIntel

/// What enriching one source IP came to.
public enum EnrichmentResult: Sendable, Equatable {
    /// A verdict, from the API or the cache, and the time it took.
    case enriched(IntelAnswer, cached: Bool, durationMilliseconds: Int)
    /// The alert cannot be enriched: it goes to the dead letters with this reason.
    case failed(DeadLetterReason)
    /// Enrichment was cut short (the API went down, or the grace period of a stop ran out): the alert
    /// goes back to the queue untouched.
    case interrupted(String)
}

/// Looks up one IP the way the failure policy says: cache first, then the API with bounded retries on
/// transient failures, waits on rate limits, and a circuit breaker shared by all workers.
///
/// One per worker thread: it owns the worker's `IntelClient`, a keep-alive connection.
public final class AlertEnricher {
    private let client: IntelClient
    private let cache: VerdictCache
    private let breaker: CircuitBreaker
    private let retryPolicy: RetryPolicy
    private let stop: StopControl
    private let logger: Logger

    public init(
        client: IntelClient, cache: VerdictCache, breaker: CircuitBreaker, retryPolicy: RetryPolicy,
        stop: StopControl, logger: Logger
    ) {
        self.client = client
        self.cache = cache
        self.breaker = breaker
        self.retryPolicy = retryPolicy
        self.stop = stop
        self.logger = logger
    }

    public func enrich(ip: String) -> EnrichmentResult {
        let start = ContinuousClock.now
        func elapsed() -> Int { Int((ContinuousClock.now - start).wholeMilliseconds) }

        if let answer = cache.answer(for: ip) {
            return .enriched(answer, cached: true, durationMilliseconds: elapsed())
        }
        var attempt = 0
        while true {
            if stop.isPastDeadline {
                return .interrupted("stopping")
            }
            switch client.lookup(ip: ip) {
            case .answer(let answer):
                breaker.recordSuccess()
                cache.store(answer, for: ip)
                return .enriched(answer, cached: false, durationMilliseconds: elapsed())
            case .rejected(let reason):
                breaker.recordSuccess()
                return .failed(DeadLetterReason(.rejected, reason))
            case .rateLimited(let retryAfter):
                // The API is up and asked us to slow down: waiting costs no attempt.
                logger.debug("rate limited", ["retry_after_ms": String(retryAfter.wholeMilliseconds)])
                stop.wait(retryAfter)
            case .transient(let reason):
                attempt += 1
                let wasClosed = breaker.allowsClaiming()
                breaker.recordFailure()
                // Before the retries run out, ask whether the API is down as a whole rather than failing
                // this alert: an outage must leave alerts in the queue, not in the dead letters, however
                // few alerts are in flight to reach the breaker's threshold.
                if breaker.allowsClaiming(), !retryPolicy.allowsRetry(afterAttempt: attempt), !client.health() {
                    breaker.open()
                }
                if !breaker.allowsClaiming() {
                    if wasClosed {
                        logger.warning(
                            "intel api unreachable, claiming paused",
                            ["api.error": reason, "failures": String(breaker.consecutiveFailures)])
                    }
                    return .interrupted("intel api unreachable: \(reason)")
                }
                guard retryPolicy.allowsRetry(afterAttempt: attempt) else {
                    return .failed(DeadLetterReason(.enrichmentFailed, "\(reason) after \(attempt) attempts"))
                }
                stop.wait(retryPolicy.delay(forAttempt: attempt))
            }
        }
    }

    /// Probes the API's health when the breaker says it is time; returns true when it answered.
    public func probeIfDue() -> Bool {
        guard breaker.shouldProbe() else { return false }
        let healthy = client.health()
        breaker.recordProbe(succeeded: healthy)
        if healthy {
            logger.notice("intel api reachable again, claiming resumed")
        }
        return healthy
    }
}
