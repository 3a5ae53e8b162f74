import AlertQueue
import Diagnostics
import Foundation
import MockThreatAPI
import TestSupport
import Testing
import ThreatIntel

@testable import Enrichment

/// The processor engine in this process, on a directory queue and the real mock API.
@Suite struct ProcessorTests {
    final class Run {
        let directory: TemporaryDirectory
        let server: ThreatAPIServer
        let backend: DirectoryBackend
        let processor: Processor
        let output = Pipe()
        private let finished = DispatchSemaphore(value: 0)

        init(faults: FaultSettings = FaultSettings(), grace: Duration = .seconds(2)) throws {
            directory = try TemporaryDirectory()
            server = ThreatAPIServer(faults: faults)
            try server.start()
            backend = try DirectoryBackend(root: directory.path + "/queue", consumer: "engine")
            var intel = IntelClientConfiguration(baseURL: server.baseURL)
            intel.timeout = .milliseconds(500)
            var configuration = ProcessorConfiguration(intel: intel)
            configuration.concurrency = 4
            configuration.claimTimeout = .milliseconds(100)
            configuration.gracePeriod = grace
            processor = Processor(
                configuration: configuration, backend: backend,
                reporter: ResultReporter(
                    output: LineOutput(fileDescriptor: output.fileHandleForWriting.fileDescriptor)),
                logger: .disabled)
        }

        func start() {
            let processor = self.processor
            let finished = self.finished
            Thread {
                try? processor.run()
                finished.signal()
            }.start()
        }

        /// Waits until `condition` holds on the queue's counts, for up to `timeout`.
        func waitFor(timeout: Duration = .seconds(20), _ condition: (QueueCounts) -> Bool) throws -> QueueCounts {
            let deadline = ContinuousClock.now + timeout
            var counts = try backend.counts()
            while !condition(counts) && ContinuousClock.now < deadline {
                usleep(20_000)
                counts = try backend.counts()
            }
            return counts
        }

        deinit {
            server.stop()
            directory.remove()
        }

        /// Stops the processor and returns what it printed.
        func stop() -> [String] {
            processor.stop.requestStop(grace: processor.configuration.gracePeriod)
            finished.wait()
            try? output.fileHandleForWriting.close()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            server.stop()
            return text.split(separator: "\n").map(String.init)
        }
    }

    @Test func processesEveryAlertAndDeadLettersPoison() throws {
        let run = try Run()
        let generator = AlertGenerator(poolSize: 50)
        var ids: Set<String> = []
        for _ in 0..<60 {
            let alert = generator.makeAlert()
            ids.insert(alert.id)
            try run.backend.enqueue(alert.payload, id: alert.id)
        }
        try run.backend.enqueue(Array("not-json".utf8), id: "poison")
        run.start()
        let counts = try run.waitFor { $0.processed + $0.errors == 61 }
        let lines = run.stop()

        #expect(counts == QueueCounts(generated: 61, pending: 0, inFlight: 0, processed: 60, errors: 1))
        let processed = lines.filter { $0.hasPrefix("[PROCESSED] ") }
        #expect(processed.count == 60)
        #expect(Set(processed.map { String($0.split(separator: " ")[1]) }) == ids)
        #expect(lines.contains("[ERROR] poison malformed: not valid JSON"))
        #expect(run.processor.statistics.processed == 60)
    }

    @Test func aStopGivesBackWhatCannotFinishInTime() throws {
        let run = try Run(faults: FaultSettings(latencyMilliseconds: 400), grace: .milliseconds(100))
        for index in 0..<20 {
            try run.backend.enqueue(
                Array(#"{"alert_id":"slow-\#(index)","source_ip":"1.1.1.1"}"#.utf8), id: "slow-\(index)")
        }
        run.start()
        _ = try run.waitFor { $0.inFlight > 0 }
        _ = run.stop()
        let counts = try run.backend.counts()
        #expect(counts.inFlight == 0)
        #expect(counts.pending + counts.processed == 20)
        #expect(counts.reconciles)
    }
}
