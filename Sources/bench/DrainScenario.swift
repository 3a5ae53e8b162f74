/// One drain: a backlog of alerts on the queue, then one processor started to empty it.
struct DrainCase: Sendable, Hashable {
    var latencyMilliseconds: Int
    var concurrency: Int
    var cache: Bool

    var label: String {
        "API \(latencyMilliseconds) ms, c\(concurrency), cache \(cache ? "on" : "off")"
    }
}

/// What one drain measured.
struct DrainMeasurement: Sendable {
    var alerts: Int
    /// From the processor's `processor started` line to its last `[PROCESSED]` line.
    var seconds: Double
    var rate: Double { Double(alerts) / seconds }
    var footprint: ProcessFootprint
    var cacheHits: Int?
    var deadLetters: Int
}

/// Runs drains against one backend and one mock API.
struct Drainer {
    let queue: BenchQueue
    let products: String
    let log: (String) -> Void

    /// Loads `alerts` alerts, starts a processor for `drainCase` against `apiURL`, and times the drain.
    func drain(_ drainCase: DrainCase, alerts: Int, apiURL: String, seed: UInt64) throws -> DrainMeasurement {
        try queue.reset()
        try queue.load(alerts, seed: seed)
        let arguments =
            queue.queueArguments + [
                "--api-url", apiURL, "--concurrency", String(drainCase.concurrency),
                "--cache-ttl", drainCase.cache ? "300" : "0", "--consumer", "bench-drain", "--log-level", "info",
            ]
        let processor = try ProcessorProcess(directory: products, arguments: arguments, target: alerts)
        defer { processor.stop() }
        guard processor.waitUntilStarted(timeout: 30), let startedAt = processor.startedAt else {
            throw BenchError("processor did not start:\n\(processor.logTail)")
        }
        // A drain slower than 20 alerts/s is broken, not slow: give up rather than hang the run.
        let limit = max(60, Double(alerts) / 20)
        guard let reachedAt = processor.waitForTarget(timeout: limit) else {
            throw BenchError(
                "drain of \(alerts) (\(drainCase.label)) stopped at \(processor.finished) after \(Int(limit)) s:\n"
                    + processor.logTail)
        }
        let footprint = processor.footprint()
        let stopped = processor.stop()
        let measurement = DrainMeasurement(
            alerts: alerts, seconds: Double(reachedAt - startedAt) / 1e9, footprint: footprint,
            cacheHits: ProcessorProcess.field("cache_hits", in: stopped), deadLetters: processor.deadLetters)
        log(
            "  \(queue.label) \(drainCase.label) n=\(alerts): \(format(measurement.rate)) alerts/s, "
                + "peak RSS \(format(footprint.peakMB)) MB, cpu \(format(footprint.cpuSeconds)) s, "
                + "cache hits \(measurement.cacheHits.map(String.init) ?? "?")")
        return measurement
    }
}
