import Diagnostics
import Foundation
import MockThreatAPI
import Testing
import ThreatIntel

@testable import Enrichment

/// The failure policy, against the real mock API in this process.
@Suite struct AlertEnricherTests {
    func withEnricher(
        faults: FaultSettings = FaultSettings(), cacheTTL: Duration = .zero, breakerThreshold: Int = 100,
        attempts: Int = 3, _ body: (AlertEnricher, ThreatAPIServer, CircuitBreaker) throws -> Void
    ) throws {
        let server = ThreatAPIServer(faults: faults)
        try server.start()
        defer { server.stop() }
        var configuration = IntelClientConfiguration(baseURL: server.baseURL)
        configuration.timeout = .milliseconds(300)
        let breaker = CircuitBreaker(failureThreshold: breakerThreshold, probeInterval: .milliseconds(50))
        let enricher = AlertEnricher(
            client: try IntelClient(configuration: configuration), cache: VerdictCache(timeToLive: cacheTTL),
            breaker: breaker,
            retryPolicy: RetryPolicy(
                maximumAttempts: attempts, baseDelay: .milliseconds(1), maximumDelay: .milliseconds(5)),
            stop: StopControl(), logger: .disabled)
        try body(enricher, server, breaker)
    }

    @Test func aReferenceIPGetsItsTableVerdict() throws {
        try withEnricher { enricher, _, _ in
            guard case .enriched(let answer, let cached, _) = enricher.enrich(ip: "185.220.101.1") else {
                Issue.record("no verdict")
                return
            }
            #expect(answer.verdict == .malicious)
            #expect(!cached)
        }
    }

    @Test func theCacheAnswersRepeatedIPs() throws {
        try withEnricher(cacheTTL: .seconds(60)) { enricher, server, _ in
            _ = enricher.enrich(ip: "8.8.8.8")
            server.setDown(true)
            guard case .enriched(let answer, let cached, _) = enricher.enrich(ip: "8.8.8.8") else {
                Issue.record("the cached verdict was not used")
                return
            }
            #expect(answer.verdict == .clean)
            #expect(cached)
        }
    }

    @Test func aRefusedLookupIsADeadLetterAtOnce() throws {
        try withEnricher { enricher, server, _ in
            let result = enricher.enrich(ip: "999.1.1.1")
            guard case .failed(let reason) = result else {
                Issue.record("expected a dead letter, got \(result)")
                return
            }
            #expect(reason.category == .rejected)
            #expect(server.stats.lookups == 1)
        }
    }

    @Test func transientFailuresAreRetriedThenDeadLettered() throws {
        try withEnricher(faults: FaultSettings(errorRate: 1), attempts: 3) { enricher, server, _ in
            let result = enricher.enrich(ip: "1.1.1.1")
            guard case .failed(let reason) = result else {
                Issue.record("expected a dead letter, got \(result)")
                return
            }
            #expect(reason.category == .enrichmentFailed)
            #expect(reason.detail.hasSuffix("after 3 attempts"))
            #expect(server.stats.lookups == 3)
        }
    }

    @Test func aLoneAlertMeetingAnOutageWaitsInsteadOfRunningOutOfRetries() throws {
        try withEnricher(breakerThreshold: 100, attempts: 2) { enricher, server, breaker in
            server.setDown(true)
            let result = enricher.enrich(ip: "1.1.1.1")
            guard case .interrupted = result else {
                Issue.record("an outage must not dead-letter the alert, got \(result)")
                return
            }
            #expect(!breaker.allowsClaiming())
        }
    }

    @Test func whenTheBreakerOpensTheAlertGoesBackInsteadOfToTheDeadLetters() throws {
        try withEnricher(breakerThreshold: 2, attempts: 10) { enricher, server, breaker in
            server.setDown(true)
            let result = enricher.enrich(ip: "1.1.1.1")
            guard case .interrupted = result else {
                Issue.record("expected the alert to be given back, got \(result)")
                return
            }
            #expect(!breaker.allowsClaiming())

            server.setDown(false)
            usleep(60_000)
            #expect(enricher.probeIfDue())
            #expect(breaker.allowsClaiming())
        }
    }

    @Test func aRateLimitIsWaitedOutWithoutSpendingAnAttempt() throws {
        try withEnricher(faults: FaultSettings(rateLimit: 1), attempts: 1) { enricher, _, _ in
            _ = enricher.enrich(ip: "8.8.8.8")
            let result = enricher.enrich(ip: "1.1.1.1")
            guard case .enriched(let answer, _, let duration) = result else {
                Issue.record("a rate limit must not fail the alert, got \(result)")
                return
            }
            #expect(answer.verdict == .clean)
            #expect(duration > 0)
        }
    }
}
