import AlertQueue
import Diagnostics
import Foundation
import Testing

@testable import Enrichment

@Suite struct MonitorViewTests {
    let snapshot = MonitorSnapshot(
        counts: QueueCounts(generated: 10, pending: 1, inFlight: 2, processed: 6, errors: 1),
        recent: [ResultSummary(id: "a", verdict: "malicious", durationMilliseconds: 4, processedAt: "T")],
        averageDurationMilliseconds: 4, throughput: 2.5, deadLetters: ["malformed": 1],
        takenAt: Timestamp(microseconds: 0))

    @Test func theReconciliationLineSaysWhetherTheCountsAddUp() {
        #expect(
            MonitorView.reconciliation(snapshot.counts)
                == "reconciled: generated 10 == pending 1 + in flight 2 + processed 6 + errors 1")
        var off = snapshot.counts
        off.generated = 11
        #expect(MonitorView.reconciliation(off).hasPrefix("NOT RECONCILED: generated 11 != "))
    }

    @Test func jsonCarriesEveryFigure() throws {
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(MonitorView.json(snapshot).utf8)) as? [String: Any])
        #expect(object["processed"] as? Int == 6)
        #expect(object["in_flight"] as? Int == 2)
        #expect(object["reconciled"] as? Bool == true)
        #expect(object["throughput_per_second"] as? Double == 2.5)
        #expect((object["dead_letters"] as? [String: Int]) == ["malformed": 1])
    }

    @Test func theScreenShowsVerdictsAndReasons() {
        let screen = MonitorView.screen(snapshot, throughput: [1, 2, 4], backlog: [0, 0])
        #expect(screen.contains("malicious"))
        #expect(screen.contains("malformed"))
        #expect(screen.contains("reconciled: generated 10"))
        #expect(MonitorView.line(snapshot).contains("processed=6 errors=1 pending=1 in_flight=2"))
    }

    @Test func sparklinesScaleToTheLargestValue() {
        #expect(MonitorView.sparkline([0, 4, 8]) == "▁▄█")
        #expect(MonitorView.sparkline([0, 0]) == "▁▁")
        #expect(MonitorView.sparkline([]) == "")
    }
}
