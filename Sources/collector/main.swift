import AlertQueue
import CommandLineSupport
import Diagnostics
import Enrichment

let command = CommandDescription(
    name: "collector",
    overview: "Puts realistic security alerts on the queue, as a SIEM would.",
    options: QueueOptions.definitions + [
        .option("interval", valueName: "seconds", help: "Time between two alerts.", default: "5"),
        .option("rate", valueName: "per-second", help: "Alerts per second instead of --interval, for load."),
        .option("count", valueName: "count", help: "Stop after this many alerts (default: run until stopped)."),
        .option(
            "ip-pool", valueName: "count", help: "Distinct random source IPs besides the reference ones.",
            default: "5000"),
        .flag("quiet", help: "Print nothing per alert, only the total at the end."),
        StandardOptions.logFormat, StandardOptions.logLevel,
    ],
    discussion: "Each alert is durable on the queue before its [COLLECTED] line is printed.")

Program.run(command) { context in
    let options = context.options
    let logger = context.logger
    let queue = try QueueOptions.configuration(from: options)
    let interval: Duration
    if let rate = try options.double("rate", in: 0.001...1_000_000) {
        interval = .nanoseconds(Int64(1e9 / rate))
    } else {
        interval = try options.seconds("interval", in: 0...86_400) ?? .seconds(5)
    }
    let count = try options.int("count", in: 0...Int.max)
    let generator = AlertGenerator(poolSize: try options.int("ip-pool", in: 1...10_000_000) ?? 5000)
    let quiet = options.flag("quiet")

    let stop = StopControl()
    let signals = ShutdownSignals { _ in stop.requestStop(grace: .zero) }
    defer { signals.cancel() }
    let backend = try queue.openBackend(consumer: "collector", logger: logger, waitingUntil: stop)
    logger.info("collector started", ["queue": queue.location, "interval_ms": String(interval.wholeMilliseconds)])

    // Alerts are due at fixed instants from the start, so a slow enqueue does not lower the rate.
    let start = ContinuousClock.now
    var sent = 0
    while !stop.isStopping, count.map({ sent < $0 }) ?? true {
        let due = start + interval * sent
        let wait = due - ContinuousClock.now
        if wait > .zero {
            stop.waitUnlessStopping(wait)
            if stop.isStopping { break }
        }
        let alert = generator.makeAlert()
        try backend.enqueue(alert.payload, id: alert.id, retryingUntil: stop, logger: logger)
        sent += 1
        if !quiet {
            LineOutput.standardOutput.write(line: "[COLLECTED] \(alert.id) \(AlertSummaryLine.describe(alert.payload))")
        }
    }
    logger.info("collector stopped", ["alerts": String(sent)])
}
