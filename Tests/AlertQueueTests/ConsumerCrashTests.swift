import Foundation
import TestSupport
import Testing

@testable import AlertQueue

/// A consumer process SIGKILLed while it holds alerts loses none of them.
@Suite struct ConsumerCrashTests {
    @Test(arguments: QueueConfiguration.Kind.allCases)
    func aKilledConsumerLosesNothing(kind: QueueConfiguration.Kind) throws {
        try BackendFixture.with(kind) { (fixture) throws in
            let producer = try fixture.backend("producer")
            for index in 0..<10 {
                try producer.enqueue(alertPayload(id: "held-\(index)"), id: "held-\(index)")
            }
            let location = fixture.redis?.urlString ?? fixture.configuration.directory
            let holder = try ChildProcess("queue-fixture", [kind.rawValue, location, "doomed", "6"])
            #expect(holder.waitFor("holding 6"), "fixture said: \(holder.standardError)")
            holder.signal(SIGKILL)
            #expect(holder.wait() == 128 + SIGKILL)

            let before = try producer.counts()
            #expect(before.pending == 4 && before.inFlight == 6)
            if kind == .redis {
                sleep(for: .milliseconds(700))  // the heartbeat's TTL
            }
            let survivor = try fixture.backend("survivor")
            let report = try survivor.recoverInFlight(includingOwn: true)
            #expect(report.alerts == 6)
            #expect(report.consumers == ["doomed"])

            var ids: Set<String> = []
            while let claimed = try survivor.claim(timeout: .milliseconds(300)) {
                ids.insert(claimed.id)
                try survivor.complete(claimed, record: record(for: claimed), summary: summary(for: claimed))
            }
            #expect(ids == Set((0..<10).map { "held-\($0)" }))
            let after = try survivor.counts()
            #expect(after.processed == 10 && after.reconciles)
        }
    }
}
