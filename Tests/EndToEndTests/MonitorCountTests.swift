import AlertQueue
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `monitor --once` reports what the store holds, and says whether it reconciles.
@Suite struct MonitorCountTests {
    @Test(arguments: QueueConfiguration.Kind.allCases)
    func monitorCountsEqualTheStoreAtAQuietMoment(kind: QueueConfiguration.Kind) throws {
        try Pipeline.with(kind) { pipeline in
            let api = try pipeline.startAPI()
            let processor = try pipeline.startProcessor(api: api)
            for _ in 0..<30 {
                try pipeline.enqueue(ip: "8.8.8.8")
            }
            try pipeline.backend().enqueue(Array(#"{"alert_id":"bad-ip","source_ip":"999.0.0.1"}"#.utf8), id: "bad-ip")
            try pipeline.backend().enqueue(Array(#"{"alert_id":"no-ip"}"#.utf8), id: "no-ip")
            let finished = try pipeline.waitUntilFinished(32)
            try #require(finished, "\(pipeline.diagnostics())")
            processor.signal(SIGTERM)
            #expect(processor.wait() == 0)
            // Left waiting, with no processor: a quiet moment with a backlog.
            for _ in 0..<5 {
                try pipeline.enqueue()
            }

            let (status, snapshot) = try pipeline.monitorSnapshot()
            #expect(status == 0, "monitor --once exits 0 when the counts reconcile")
            let store = try storeCounts(pipeline)
            #expect(snapshot["pending"] as? Int == store.pending)
            #expect(snapshot["in_flight"] as? Int == store.inFlight)
            #expect(snapshot["processed"] as? Int == store.processed)
            #expect(snapshot["errors"] as? Int == store.errors)
            #expect(store.pending == 5 && store.inFlight == 0 && store.processed == 30 && store.errors == 2)
            #expect(snapshot["generated"] as? Int == 37)
            #expect(snapshot["reconciled"] as? Bool == true)
            #expect(StoredRecord.isTimestamp(snapshot["time"] as? String ?? ""))
            #expect(snapshot["average_duration_ms"] is NSNumber)
            #expect(snapshot["throughput_per_second"] is NSNull, "one snapshot has no throughput yet")
            let verdicts = snapshot["last_verdicts"] as? [[String: Any]] ?? []
            #expect(verdicts.count == 5)
            #expect(verdicts.allSatisfy { $0["verdict"] as? String == "clean" && $0["alert_id"] is String })
            #expect(snapshot["dead_letters"] as? [String: Int] == ["invalid-source-ip": 2])

            let text = try pipeline.run("monitor", ["--once"])
            #expect(text.status == 0)
            #expect(
                text.output.contains("reconciled: generated 37 == pending 5 + in flight 0 + processed 30 + errors 2"))

            // Make the figures disagree: the same alert in two areas, or a counter raised by hand.
            switch kind {
            case .dir:
                let name = try #require(pipeline.visibleEntries("processed").first)
                try FileManager.default.copyItem(
                    atPath: pipeline.queueRoot + "/processed/" + name, toPath: pipeline.queueRoot + "/pending/" + name)
            case .redis:
                _ = try pipeline.redisCommand(["INCR", pipeline.keys.generated])
            }
            let (unreconciledStatus, unreconciled) = try pipeline.monitorSnapshot()
            #expect(unreconciledStatus == 2, "monitor --once exits 2 when the counts do not reconcile")
            #expect(unreconciled["reconciled"] as? Bool == false)
            let unreconciledText = try pipeline.run("monitor", ["--once"])
            #expect(unreconciledText.status == 2)
            #expect(unreconciledText.output.contains("NOT RECONCILED"))
        }
    }

    /// The counts as `ls | wc -l` (directory queue) or `LLEN`/`HLEN` (Redis) give them.
    func storeCounts(_ pipeline: Pipeline) throws -> (pending: Int, inFlight: Int, processed: Int, errors: Int) {
        switch pipeline.kind {
        case .dir:
            let inFlight = pipeline.visibleEntries("processing").reduce(0) { sum, consumer in
                sum + pipeline.visibleEntries("processing/" + consumer).count
            }
            return (
                pipeline.visibleEntries("pending").count, inFlight, pipeline.visibleEntries("processed").count,
                pipeline.visibleEntries("errors").count
            )
        case .redis:
            let keys = pipeline.keys
            let lists = try pipeline.redisCommand(["KEYS", keys.processing("*")]).array?.compactMap(\.string) ?? []
            var inFlight = 0
            for list in lists {
                inFlight += try pipeline.redisCommand(["LLEN", list]).int ?? 0
            }
            return (
                try pipeline.redisCommand(["LLEN", keys.pending]).int ?? -1, inFlight,
                try pipeline.redisCommand(["HLEN", keys.processed]).int ?? -1,
                try pipeline.redisCommand(["HLEN", keys.errors]).int ?? -1
            )
        }
    }
}
