import AlertQueue
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Alerts dead-lettered while the API failed are put back by `backfill` once it is fixed, and processed.
@Suite struct BackfillTests {
    @Test(arguments: QueueConfiguration.Kind.allCases)
    func backfillRedrivesEnrichmentFailuresOnceTheAPIIsFixed(kind: QueueConfiguration.Kind) throws {
        try Pipeline.with(kind) { pipeline in
            // Half the lookups fail and nothing is retried, so about half the alerts become dead letters.
            // (An error rate of 1 would mostly open the circuit breaker, which gives alerts back instead.)
            let failingAPI = try pipeline.startAPI(["--error-rate", "0.5"])
            let total = 40
            let collected = try pipeline.collect(total)
            try pipeline.backend().enqueue(Array(#"{"alert_id":"poison","source_ip":"nowhere"}"#.utf8), id: "poison")
            let processor = try pipeline.startProcessor(api: failingAPI, ["--retries", "0", "--concurrency", "4"])
            let finished = try pipeline.waitUntilFinished(total + 1, timeout: .seconds(30))
            try #require(finished, "\(pipeline.diagnostics())")
            processor.signal(SIGTERM)
            #expect(processor.wait() == 0)

            let letters = try pipeline.deadLetters()
            #expect(letters["poison"]?.hasPrefix("invalid-source-ip: ") == true)
            let failed = Set(letters.keys).subtracting(["poison"])
            try #require(failed.count >= 2, "too few enrichment failures to test with: \(letters)")
            for id in failed {
                #expect(letters[id]?.hasPrefix("enrichment-failed: ") == true, "reason of \(id): \(letters[id]!)")
            }
            let before = try pipeline.counts()

            // A dry run lists what would move and moves nothing.
            let dryRun = try pipeline.run("backfill", ["--dry-run"])
            #expect(dryRun.status == 0, "\(dryRun.errors)")
            let wouldMove = OutputLines.complete(dryRun.output).filter { $0.hasPrefix("[WOULD-REDRIVE] ") }
            #expect(Set(wouldMove.map { String($0.split(separator: " ")[1]) }) == Set(letters.keys))
            #expect(dryRun.output.contains("backfill would move \(letters.count) dead letter(s) to pending"))
            #expect(try pipeline.counts() == before)
            #expect(try pipeline.deadLetters() == letters)

            // The filter moves the enrichment failures only; the malformed alert stays a dead letter.
            let redrive = try pipeline.run("backfill", ["--reason", "enrichment-failed"])
            #expect(redrive.status == 0, "\(redrive.errors)")
            let moved = OutputLines.complete(redrive.output).filter { $0.hasPrefix("[REDRIVEN] ") }
            #expect(Set(moved.map { String($0.split(separator: " ")[1]) }) == failed)
            #expect(redrive.output.contains("backfill moved \(failed.count) dead letter(s) to pending"))
            let redriven = try pipeline.counts()
            #expect(redriven.pending == failed.count)
            #expect(redriven.errors == 1)
            #expect(redriven.reconciles)

            // The API is fixed: a healthy one takes its place.
            failingAPI.stop()
            let api = try pipeline.startAPI()
            let retry = try pipeline.startProcessor(api: api, ["--retries", "0"])
            let drained = try pipeline.waitUntilFinished(total + 1)
            try #require(drained, "\(pipeline.diagnostics())")
            retry.signal(SIGTERM)
            #expect(retry.wait() == 0)
            #expect(Set(OutputLines.processed(retry.standardOutput).map(\.id)) == failed)

            let counts = try pipeline.counts()
            #expect(counts == QueueCounts(generated: total + 1, pending: 0, inFlight: 0, processed: total, errors: 1))
            #expect(Set(try pipeline.records().keys) == Set(collected.map(\.id)))
            #expect(Array(try pipeline.deadLetters().keys) == ["poison"])

            // Nothing is left to redrive for that reason.
            let again = try pipeline.run("backfill", ["--reason", "enrichment-failed"])
            #expect(again.status == 0)
            #expect(again.output.contains("backfill moved 0 dead letter(s) to pending"))
        }
    }
}
