import AlertQueue
import Foundation
import TestSupport
import Testing

/// Which queue a chaos run uses, and for Redis how its AOF is flushed.
struct ChaosScenario: Sendable, CustomTestStringConvertible {
    var kind: QueueConfiguration.Kind
    /// Redis's `appendfsync`: `always` loses nothing acknowledged; `everysec` may lose up to about a second
    /// of acknowledged writes when the server dies (DESIGN.md), so its losses are counted, not failed.
    var appendFsync: String?

    static let all = [
        ChaosScenario(kind: .dir), ChaosScenario(kind: .redis, appendFsync: "always"),
        ChaosScenario(kind: .redis, appendFsync: "everysec"),
    ]

    var label: String {
        appendFsync.map { "\(kind.rawValue)-\($0)" } ?? kind.rawValue
    }

    var testDescription: String { label }

    var lossIsReportedOnly: Bool { appendFsync == "everysec" }
}

/// Durability under deliberate failure: four processors, a collector and the mock API over one queue while
/// processors and Redis are SIGKILLed at random and the API flaps, slows down and rate-limits.
///
/// Serialized: each run already loads both cores, and its timing is part of what it tests.
@Suite(.serialized) struct ChaosTests {
    @Test(.timeLimit(.minutes(30)), arguments: ChaosScenario.all)
    func everyAlertEndsUpStoredExactlyOnce(scenario: ChaosScenario) async throws {
        let settings = ChaosSettings.fromEnvironment()
        let outcome = try await onOwnThread {
            let queue = try ChaosQueue(scenario.kind, appendFsync: scenario.appendFsync ?? "always")
            defer { queue.stop() }
            return try ChaosRun(queue: queue, settings: settings, label: scenario.label).run()
        }
        let figures = outcome.figures
        figures.publish(to: settings.reportPath)
        let context = Comment(rawValue: figures.summary)

        // The programs rode out every fault.
        #expect(figures.collectorStatus == 0, "collector: \(figures.collectorErrors)")
        #expect(figures.collected == settings.alerts, context)
        #expect(figures.unexpectedExits.isEmpty, "\(figures.unexpectedExits.joined(separator: "\n---\n"))")
        #expect(outcome.stopStatuses.allSatisfy { $0 == 0 }, "processor exit statuses \(outcome.stopStatuses)")

        // The faults happened as often as asked.
        #expect(figures.processorKills >= settings.processorKills, context)
        #expect(
            figures.apiFlaps >= 1 && figures.slowPhases >= 1 && figures.rateLimitPhases >= 1
                && figures.failingPhases >= 1, context)
        if scenario.kind == .redis {
            #expect(figures.redisKills >= settings.redisKills && figures.redisRestarts == figures.redisKills, context)
        }

        // Every alert is in the store once, and nothing is left anywhere else.
        #expect(outcome.drained, "the queue never drained: \(outcome.counts) in flight \(outcome.inFlight)")
        #expect(outcome.audit.problems.isEmpty, "\(outcome.audit.problems)")
        if scenario.lossIsReportedOnly {
            if !outcome.audit.lost.isEmpty {
                print("CHAOS \(scenario.label): lost with AOF everysec: \(outcome.audit.lost.prefix(20))")
            }
        } else {
            #expect(outcome.audit.lost.isEmpty, "lost \(outcome.audit.lost.count): \(outcome.audit.lost.prefix(10))")
        }
        #expect(outcome.inFlight.isEmpty, "left in flight: \(outcome.inFlight)")

        // The books balance, read straight from the store and through `monitor --once --json`.
        let counts = outcome.counts
        #expect(counts.pending == 0 && counts.inFlight == 0, "\(counts)")
        #expect(counts.processed == outcome.audit.processed && counts.errors == outcome.audit.deadLetters, "\(counts)")
        #expect(counts.generated == counts.processed + counts.errors, "\(counts)")
        #expect(counts.generated == figures.collected - outcome.audit.lost.count, "\(counts)")
        let monitor = outcome.monitor
        #expect(monitor.status == 0 && monitor.reconciled == true, "monitor: \(monitor.output)")
        let monitored = ["generated", "processed", "errors", "pending", "in_flight"].map { monitor.counts[$0] }
        #expect(monitored == [counts.generated, counts.processed, counts.errors, 0, 0], "monitor: \(monitor.output)")
    }
}
