import Enrichment
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// End-to-end latency: alerts put on the queue one at a time through the producer path (`enqueue`, durable
/// when it returns), timed from the moment `enqueue` is called to the moment the processor's
/// `[PROCESSED]` line for that alert is read. The line is printed after the record is stored, so this is
/// enqueue → stored record, plus a pipe hop of a few microseconds.
struct LatencyMeasurement: Sendable {
    var milliseconds: [Double]
    var missing: Int
}

struct LatencyRunner {
    let queue: BenchQueue
    let products: String
    let log: (String) -> Void

    /// Sends `count` alerts with gaps drawn from `spacing` (seconds) to a running processor.
    func measure(count: Int, spacing: ClosedRange<Double>, apiURL: String, seed: UInt64) throws -> LatencyMeasurement {
        try queue.reset()
        let arguments =
            queue.queueArguments + [
                "--api-url", apiURL, "--concurrency", "8", "--consumer", "bench-latency", "--log-level", "info",
            ]
        let processor = try ProcessorProcess(directory: products, arguments: arguments, recordsIDs: true)
        defer { processor.stop() }
        guard processor.waitUntilStarted(timeout: 30) else {
            throw BenchError("processor did not start:\n\(processor.logTail)")
        }
        let producer = try queue.makeBackend(consumer: "bench-producer")
        let generator = AlertGenerator()
        var random = SeededRandom(seed: seed)
        var sentAt: [(id: String, time: UInt64)] = []
        // Alerts are due at fixed instants, so a slow enqueue does not lower the rate.
        var due = now() + 500_000_000
        for _ in 0..<count {
            let delay = Int64(due) - Int64(now())
            if delay > 0 { usleep(UInt32(delay / 1_000)) }
            let alert = generator.makeAlert(using: &random)
            let time = now()
            try producer.enqueue(alert.payload, id: alert.id)
            sentAt.append((alert.id, time))
            due += UInt64(Double.random(in: spacing, using: &random) * 1e9)
        }
        let deadline = now() + 20_000_000_000
        while processor.finished < count && now() < deadline {
            usleep(5_000)
        }
        var latencies: [Double] = []
        for sent in sentAt {
            if let done = processor.finishedAt(sent.id) {
                latencies.append(Double(done - sent.time) / 1e6)
            }
        }
        let summary = Summary(latencies)
        log(
            "  \(queue.label) \(count) alerts: p50 \(format(summary.median)) ms, p99 \(format(summary.percentile(99))) "
                + "ms, max \(format(summary.maximum)) ms, missing \(count - latencies.count)")
        return LatencyMeasurement(milliseconds: latencies, missing: count - latencies.count)
    }
}
