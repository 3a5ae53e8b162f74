import CommandLineSupport
import Diagnostics
import Dispatch
import MockThreatAPI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

let command = CommandDescription(
    name: "threat-api",
    overview: "A mock threat-intel API with injectable faults, so every failure path can be tested offline.",
    options: [
        .option("host", valueName: "address", help: "Address or name to listen on.", default: "127.0.0.1"),
        .option("port", valueName: "port", help: "TCP port; 0 picks a free one.", default: "8080"),
        .option("latency-ms", valueName: "ms", help: "Delay added to every lookup.", default: "0"),
        .option("jitter-ms", valueName: "ms", help: "Random extra delay, 0 to this, per lookup.", default: "0"),
        .option("error-rate", valueName: "rate", help: "Share of lookups answered 500 or 503, 0 to 1.", default: "0"),
        .option("rate-limit", valueName: "per-second", help: "Lookups per second before 429 (default: no limit)."),
        .option("hang-rate", valueName: "rate", help: "Share of lookups that hang, 0 to 1.", default: "0"),
        .option("hang-ms", valueName: "ms", help: "How long a hanging lookup is held.", default: "30000"),
        .flag("down", help: "Start down (503) until POST /admin/up or SIGUSR2."),
        StandardOptions.logFormat,
        StandardOptions.logLevel,
    ],
    discussion: """
        Runtime control: POST /admin/down, POST /admin/up, POST /admin/faults (query or JSON body with
        latency_ms, jitter_ms, error_rate, rate_limit, hang_rate, hang_ms, down), POST /admin/reset,
        GET /admin/stats. SIGUSR1 takes the API down, SIGUSR2 brings it back up.
        SIGTERM or SIGINT stops it.
        """
)

/// Reads the fault options.
func faultSettings(from options: ParsedOptions) throws(UsageError) -> FaultSettings {
    let longest = FaultSettings.maximumMilliseconds
    return FaultSettings(
        latencyMilliseconds: try options.int("latency-ms", in: 0...longest) ?? 0,
        jitterMilliseconds: try options.int("jitter-ms", in: 0...longest) ?? 0,
        errorRate: try options.double("error-rate", in: 0...1) ?? 0,
        rateLimit: try options.int("rate-limit"),
        hangRate: try options.double("hang-rate", in: 0...1) ?? 0,
        hangMilliseconds: try options.int("hang-ms", in: 0...longest) ?? 30_000,
        down: options.flag("down"))
}

/// Serves until SIGTERM or SIGINT. Nonisolated: the signal handlers below run on
/// Dispatch queues and must not inherit the main actor from top-level code.
nonisolated func serve(_ context: ProgramContext) throws {
    let options = context.options
    let server = ThreatAPIServer(
        host: options.string("host") ?? "127.0.0.1",
        port: try options.int("port", in: 0...65_535) ?? 8080,
        faults: try faultSettings(from: options),
        logger: context.logger)

    let stopped = DispatchSemaphore(value: 0)
    let shutdown = ShutdownSignals(onStop: { signal in
        context.logger.info("stopping", ["signal": String(signal)])
        server.stop()
        stopped.signal()
    })
    defer { shutdown.cancel() }

    let queue = DispatchQueue(label: "threat-api.signals")
    var sources: [any DispatchSourceSignal] = []
    for (number, down) in [(SIGUSR1, true), (SIGUSR2, false)] {
        // Ignore first: a signal arriving before the source is registered would kill the process.
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
        source.setEventHandler { server.setDown(down) }
        source.resume()
        sources.append(source)
    }
    defer { sources.forEach { $0.cancel() } }

    do {
        try server.start()
    } catch {
        // `alreadyStarted` here means SIGTERM or SIGINT stopped the server before it started.
        guard error == .alreadyStarted else { throw error }
        return
    }
    // Always shown, whatever --log-level says: scripts and tests wait for this line.
    let line = context.logger.render(level: .notice, message: "listening", metadata: ["http.url": server.baseURL])
    LineOutput.standardError.write(line: line)

    stopped.wait()
}

Program.run(command) { context in
    try serve(context)
}
