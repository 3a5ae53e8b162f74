import AlertQueue
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The threat-intel API goes down while alerts keep coming: the processor stops claiming, the backlog
/// grows, and once the API is back the processor resumes by itself. An outage costs no alert.
@Suite struct APIOutageTests {
    @Test(arguments: QueueConfiguration.Kind.allCases)
    func processorPausesWhileTheAPIIsDownAndResumesByItself(kind: QueueConfiguration.Kind) throws {
        try Pipeline.with(kind) { pipeline in
            let api = try pipeline.startAPI()
            // Five attempts per alert, the circuit breaker's threshold: no alert can use up its retries
            // before the breaker opens. (With fewer, see the next test.)
            let processor = try pipeline.startProcessor(api: api, ["--retries", "4"])
            // 200 alerts, one every 20 ms: the collector runs for 4 s, through the whole outage.
            let total = 200
            let collector = try pipeline.start("collector", ["--count", String(total), "--interval", "0.02"])
            let warmedUp = try pipeline.waitUntil { try pipeline.counts().processed >= 20 }
            try #require(warmedUp, "nothing was processed:\n\(pipeline.diagnostics())")

            api.signal(SIGUSR1)
            let paused = processor.waitFor("intel api unreachable", inErrors: true, timeout: .seconds(10))
            try #require(paused, "no 'intel api unreachable' on stderr:\n\(pipeline.diagnostics())")

            // Claiming has stopped: alerts wait as backlog, none is held, none is processed.
            let backlog = try pipeline.waitUntil(timeout: .seconds(10)) {
                let counts = try pipeline.counts()
                return counts.pending >= 15 && counts.inFlight == 0
            }
            try #require(backlog, "the backlog did not grow:\n\(pipeline.diagnostics())")
            let before = try pipeline.counts()
            usleep(500_000)
            let after = try pipeline.counts()
            #expect(after.processed == before.processed, "alerts were processed while the API was down")
            #expect(after.errors == 0)
            #expect(after.pending >= before.pending)
            #expect(collector.isRunning, "the collector should still be producing during the outage")

            api.signal(SIGUSR2)
            let resumed = processor.waitFor("claiming resumed", inErrors: true, timeout: .seconds(10))
            #expect(resumed, "no 'claiming resumed' on stderr:\n\(pipeline.diagnostics())")
            #expect(collector.wait() == 0)
            let finished = try pipeline.waitUntilFinished(total)
            try #require(finished, "the backlog was not drained:\n\(pipeline.diagnostics())")

            let counts = try pipeline.counts()
            #expect(counts == QueueCounts(generated: total, pending: 0, inFlight: 0, processed: total, errors: 0))
            #expect(try pipeline.deadLetters().isEmpty)
            processor.signal(SIGTERM)
            #expect(processor.wait() == 0)
            #expect(OutputLines.errors(processor.standardOutput).isEmpty)
            let processed = OutputLines.processed(processor.standardOutput)
            #expect(processed.count == total)
            #expect(Set(processed.map(\.id)) == Set(try pipeline.records().keys))
        }
    }

    /// The reference scenario is a trickle (one alert every 5 s): when the API goes down, the first
    /// alert to meet the outage is alone, so its own failures are all the breaker sees. With the
    /// default `--retries 3` it makes four attempts, one short of the breaker's five.
    @Test(arguments: QueueConfiguration.Kind.allCases)
    func anAlertAloneDuringAnOutageWaitsForTheAPIInsteadOfBeingDeadLettered(kind: QueueConfiguration.Kind) throws {
        try Pipeline.with(kind) { pipeline in
            let api = try pipeline.startAPI(["--down"])
            let processor = try pipeline.startProcessor(api: api, ["--retries", "3"])
            let id = try pipeline.enqueue(ip: "185.220.101.1")

            // Four attempts with backoff take at most 1.4 s of waiting, plus the (fast) 503s. Done early once
            // the alert is dead-lettered, or waits in the queue with claiming paused.
            _ = try pipeline.waitUntil(timeout: .seconds(4)) {
                let counts = try pipeline.counts()
                let paused = processor.standardError.contains("claiming paused")
                return counts.errors > 0 || (paused && counts.pending == 1 && counts.inFlight == 0)
            }
            let letters = try pipeline.deadLetters()
            let output = processor.standardOutput
            #expect(letters.isEmpty, "dead-lettered because the API was down, not because of the alert: \(output)")

            api.signal(SIGUSR2)
            guard letters.isEmpty else { return }
            let processed = try pipeline.waitUntil(timeout: .seconds(10)) { try pipeline.counts().processed == 1 }
            #expect(processed, "the alert was not processed once the API was back:\n\(pipeline.diagnostics())")
            #expect(try pipeline.records().keys.sorted() == [id])
        }
    }
}
