import AlertQueue
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The same alert delivered twice (a producer's retry) leaves one record: the second processing's.
@Suite struct DuplicateAlertTests {
    @Test(arguments: QueueConfiguration.Kind.allCases)
    func theSameAlertProcessedTwiceLeavesOneRecord(kind: QueueConfiguration.Kind) throws {
        try Pipeline.with(kind) { pipeline in
            let api = try pipeline.startAPI()
            let processor = try pipeline.startProcessor(api: api)
            let id = try pipeline.enqueue(ip: "185.220.101.1")
            let once = try pipeline.waitUntilFinished(1)
            try #require(once, "the alert was not processed:\n\(pipeline.diagnostics())")
            let firstBytes = try #require(try pipeline.records()[id])
            let first = try StoredRecord(firstBytes)
            #expect(first.enrichment.cached == false)

            try pipeline.enqueue(id: id, ip: "185.220.101.1")
            let twice = pipeline.waitUntil {
                OutputLines.processed(processor.standardOutput).filter { $0.id == id }.count == 2
            }
            try #require(twice, "the second delivery was not processed:\n\(pipeline.diagnostics())")
            let settled = try pipeline.waitUntilFinished(1)
            try #require(settled, "\(pipeline.diagnostics())")

            let records = try pipeline.records()
            #expect(records.keys.sorted() == [id], "one id, one record")
            let second = try StoredRecord(try #require(records[id]))
            #expect(second.processedAt > first.processedAt, "the record is the second processing's")
            #expect(second.enrichment.cached == true, "the second verdict came from the cache")
            #expect(second.enrichment.verdict == "malicious")
            if kind == .dir {
                #expect(pipeline.visibleEntries("processed") == [id + ".json"])
            }

            let counts = try pipeline.counts()
            #expect(counts.processed == 1)
            #expect(counts.errors == 0)
            #expect(counts.pending == 0 && counts.inFlight == 0)
            // One alert, one record, nothing pending: the figures must reconcile, whatever the backend.
            #expect(counts.reconciles, "a duplicate delivery leaves the counts unreconciled: \(counts)")
            #expect(try pipeline.monitorSnapshot().status == 0)
        }
    }
}
