import AlertQueue
import CommandLineSupport
import Diagnostics
import Enrichment
import ThreatIntel

let command = CommandDescription(
    name: "processor",
    overview: "Claims queued alerts, enriches their source IP with threat intel, and stores them or dead-letters them.",
    options: QueueOptions.definitions + [
        .option(
            "api-url", valueName: "url", help: "Base URL of the threat-intel API.", default: "http://127.0.0.1:8080",
            environment: "THREAT_API_URL"),
        .option("timeout", valueName: "seconds", help: "Time limit of one API request.", default: "2"),
        .option(
            "retries", valueName: "count", help: "Retries of a transient API failure before dead-lettering.",
            default: "3"),
        .option("concurrency", valueName: "count", help: "Alerts enriched in parallel.", default: "8"),
        .option(
            "cache-ttl", valueName: "seconds",
            help: "How long a verdict is reused for the same IP; 0 disables the cache.", default: "300"),
        .option("consumer", valueName: "name", help: "This processor's name in the queue (default: <host>-<pid>)."),
        .option(
            "grace-period", valueName: "seconds", help: "Time in-flight alerts get to finish after SIGTERM.",
            default: "10"),
        StandardOptions.logFormat, StandardOptions.logLevel,
    ],
    discussion: """
        An API key, if the intel API wants one, is read from THREAT_API_KEY and sent as X-Api-Key.
        Standard output gets one line per alert: [PROCESSED] <id> verdict=<verdict> duration=<ms>ms, or
        [ERROR] <id> <reason> for a dead letter. Diagnostics go to standard error.
        """)

Program.run(command) { context in
    let options = context.options
    let logger = context.logger
    let queue = try QueueOptions.configuration(from: options)

    var intel = IntelClientConfiguration(baseURL: options.string("api-url") ?? "http://127.0.0.1:8080")
    intel.timeout = try options.seconds("timeout", in: 0.001...600) ?? .seconds(2)
    intel.apiKey = context.environment["THREAT_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
    var configuration = ProcessorConfiguration(intel: intel)
    configuration.concurrency = try options.int("concurrency", in: 1...1024) ?? 8
    let retries = try options.int("retries", in: 0...100) ?? 3
    configuration.retryPolicy = RetryPolicy(
        maximumAttempts: retries + 1, baseDelay: .milliseconds(200), maximumDelay: .seconds(5))
    configuration.cacheTTL = try options.seconds("cache-ttl") ?? .seconds(300)
    configuration.gracePeriod = try options.seconds("grace-period", in: 0...3600) ?? .seconds(10)
    configuration.maintenanceInterval = min(configuration.maintenanceInterval, queue.heartbeatTTL / 3)
    let consumer = options.string("consumer") ?? QueueOptions.defaultConsumerName()

    let grace = configuration.gracePeriod
    let stop = StopControl()
    let signals = ShutdownSignals { signal in
        logger.notice(
            "stopping: finishing alerts in flight", ["signal": String(signal), "grace_s": "\(grace.seconds)"])
        stop.requestStop(grace: grace)
    }
    defer { signals.cancel() }

    let backend = try queue.openBackend(consumer: consumer, logger: logger, waitingUntil: stop)
    let processor = Processor(
        configuration: configuration, backend: backend, reporter: ResultReporter(format: logger.format),
        logger: logger, stop: stop)
    try processor.run()
}
