import AlertQueue
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A processor is SIGKILLed with alerts in flight; a new one finds that work and finishes it. Nothing
/// is lost and every alert has one record.
@Suite struct ProcessorCrashTests {
    /// `sameConsumer`: the new processor takes the dead one's name and gives back its in-flight work at
    /// start-up; otherwise it has a name of its own and finds the dead one's work by its lock (directory)
    /// or its expired heartbeat (Redis, `--heartbeat-ttl 1`).
    @Test(arguments: QueueConfiguration.Kind.allCases, [false, true])
    func alertsInFlightWhenTheProcessorIsKilledAreFinishedByTheNextOne(
        kind: QueueConfiguration.Kind, sameConsumer: Bool
    ) throws {
        try Pipeline.with(kind) { pipeline in
            // Every lookup takes 200 ms and the cache is off, so eight alerts are in flight most of the time.
            let api = try pipeline.startAPI(["--latency-ms", "200"])
            let total = 60
            let collected = try pipeline.collect(total)
            let options = ["--concurrency", "8", "--timeout", "2", "--cache-ttl", "0", "--heartbeat-ttl", "1"]

            let first = try pipeline.startProcessor(api: api, options + ["--consumer", "e2e-crashed"])
            let busy = try pipeline.waitUntil {
                let counts = try pipeline.counts()
                return counts.processed >= 8 && counts.inFlight >= 4
            }
            try #require(busy, "the processor never had alerts in flight:\n\(pipeline.diagnostics())")
            first.signal(SIGKILL)
            #expect(first.wait() == 128 + SIGKILL)

            let stranded = try pipeline.counts()
            #expect(stranded.inFlight > 0, "nothing was left in flight by the kill: \(stranded)")
            #expect(stranded.generated == total, "every alert is somewhere: \(stranded)")
            let doubled = stranded.pending + stranded.inFlight + stranded.processed - total
            if kind == .redis {
                // Store and release are one MULTI/EXEC: nothing is both stored and in flight.
                #expect(doubled == 0, "\(stranded)")
            } else {
                // A kill between storing a record and removing its input leaves the alert in both areas;
                // only in-flight alerts can be doubled, and recovery settles them.
                #expect((0...stranded.inFlight).contains(doubled), "\(stranded)")
            }

            let name = sameConsumer ? "e2e-crashed" : "e2e-successor"
            let second = try pipeline.startProcessor(api: api, options + ["--consumer", name])
            let finished = try pipeline.waitUntilFinished(total)
            try #require(finished, "the stranded alerts were not finished:\n\(pipeline.diagnostics())")
            #expect(second.standardError.contains("gave back alerts"))
            #expect(second.standardError.contains("consumers=e2e-crashed"))
            second.signal(SIGTERM)
            #expect(second.wait() == 0)

            let counts = try pipeline.counts()
            #expect(counts == QueueCounts(generated: total, pending: 0, inFlight: 0, processed: total, errors: 0))
            let records = try pipeline.records()
            #expect(Set(records.keys) == Set(collected.map(\.id)), "every collected alert has a record")
            for (id, bytes) in records {
                #expect(try StoredRecord(bytes).alertId == id)
            }
            let reported = OutputLines.processed(first.standardOutput) + OutputLines.processed(second.standardOutput)
            #expect(Set(reported.map(\.id)).isSubset(of: Set(records.keys)))
            if kind == .dir {
                #expect(pipeline.visibleEntries("processed").count == total, "ls processed | wc -l")
                #expect(pipeline.visibleEntries("processing").isEmpty, "no consumer area is left behind")
            }
            #expect(try pipeline.monitorSnapshot().status == 0)
        }
    }
}
