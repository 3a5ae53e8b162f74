import Enrichment
import Foundation
import RedisClient
import TestSupport

/// Starts everything the benchmark needs, runs the sections the settings ask for, and collects the figures.
final class BenchmarkRun {
    let settings: BenchSettings
    let products: String
    var results = BenchResults()

    init(settings: BenchSettings) {
        self.settings = settings
        products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
    }

    func log(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    func run() throws {
        let started = now()
        log("bench: starting redis-server (TCP loopback, --save '' --appendonly no) and the mock API")
        let redis = RedisServer(tcp: true)
        try redis.start()
        defer { redis.stop() }
        let api = try ThreatAPIProcess(["--latency-ms", "0"])
        defer { api.stop() }
        let slowAPI = try ThreatAPIProcess(["--latency-ms", "5"])
        defer { slowAPI.stop() }
        let directory = try TemporaryDirectory(prefix: "bench-dir")
        defer { directory.remove() }

        var queues: [BenchQueue] = []
        for backend in settings.backends {
            switch backend {
            case "redis": queues.append(BenchQueue(redis: redis.url, urlText: redis.urlString, label: "redis"))
            case "dir": queues.append(BenchQueue(directory: directory.appending("queue"), label: "dir"))
            default: throw BenchError("unknown backend '\(backend)' in BENCH_BACKENDS")
            }
        }
        defer { queues.forEach { $0.removeSetAside() } }
        results.environment = BenchEnvironment.collect(directory: directory.path, settings: settings)

        if settings.sections.contains("drain") {
            try runDrains(queues: queues, api: api.baseURL, slowAPI: slowAPI.baseURL)
            if settings.backends.contains("redis") {
                try runAppendOnlyDrain(api: api.baseURL)
            }
        }
        if settings.sections.contains("footprint") || settings.sections.contains("monitor") {
            try runFootprint(queues: queues, api: api.baseURL)
        }
        if settings.sections.contains("latency") {
            try runLatency(queues: queues, api: api.baseURL)
        }
        if settings.sections.contains("limits") {
            try runLimits(queues: queues, redisPort: redis.port ?? 0, api: api.baseURL, slowAPI: slowAPI.baseURL)
        }
        results.elapsedSeconds = Double(now() - started) / 1e9
    }

    /// Every drain case of every backend, repetitions interleaved so a noisy minute hurts all cases alike.
    private func runDrains(queues: [BenchQueue], api: String, slowAPI: String) throws {
        log("bench: drains")
        var cases: [DrainCase] = []
        for latency in settings.latencies {
            for concurrency in settings.concurrencies {
                for cache in [false, true] {
                    cases.append(DrainCase(latencyMilliseconds: latency, concurrency: concurrency, cache: cache))
                }
            }
        }
        for repetition in 0..<settings.repetitions {
            for queue in queues {
                let drainer = Drainer(queue: queue, products: products, log: log)
                for drainCase in cases {
                    let alerts = alertCount(for: drainCase)
                    let url = drainCase.latencyMilliseconds == 0 ? api : slowAPI
                    let measurement = try drainer.drain(
                        drainCase, alerts: alerts, apiURL: url, seed: UInt64(1 + repetition))
                    results.drains[DrainKey(backend: queue.label, drainCase: drainCase), default: []].append(
                        measurement)
                }
            }
        }
    }

    /// Where the API's latency alone caps the rate at a few hundred per second, fewer alerts keep the run short.
    func alertCount(for drainCase: DrainCase) -> Int {
        drainCase.latencyMilliseconds > 0 && drainCase.concurrency == 1
            ? settings.slowDrainAlerts : settings.drainAlerts
    }

    /// The key Redis case again on a server with AOF on and fsync every second, as `redis/redis.conf` runs it.
    private func runAppendOnlyDrain(api: String) throws {
        log("bench: drain on Redis with appendonly yes, appendfsync everysec")
        let server = RedisServer(tcp: true, appendOnly: true, appendFsync: "everysec")
        try server.start()
        defer { server.stop() }
        let queue = BenchQueue(redis: server.url, urlText: server.urlString, label: "redis (AOF everysec)")
        let drainer = Drainer(queue: queue, products: products, log: log)
        let drainCase = DrainCase(latencyMilliseconds: 0, concurrency: 8, cache: false)
        for repetition in 0..<settings.repetitions {
            let measurement = try drainer.drain(
                drainCase, alerts: settings.drainAlerts, apiURL: api, seed: UInt64(1 + repetition))
            results.drains[DrainKey(backend: queue.label, drainCase: drainCase), default: []].append(measurement)
        }
    }

    /// The large drain, then the monitor's refresh time on the store it leaves behind.
    private func runFootprint(queues: [BenchQueue], api: String) throws {
        log("bench: footprint (\(settings.footprintAlerts) alerts) and monitor refresh")
        let drainCase = DrainCase(latencyMilliseconds: 0, concurrency: 8, cache: false)
        for repetition in 0..<settings.repetitions {
            for queue in queues {
                let drainer = Drainer(queue: queue, products: products, log: log)
                let measurement = try drainer.drain(
                    drainCase, alerts: settings.footprintAlerts, apiURL: api, seed: UInt64(100 + repetition))
                results.footprints[queue.label, default: []].append(measurement)
                if settings.sections.contains("monitor") {
                    let seconds = try timeMonitor(queue: queue)
                    let refreshes = try timeRefreshes(queue: queue)
                    log(
                        "  \(queue.label) monitor --once with \(settings.footprintAlerts) stored: "
                            + "\(format(seconds * 1000)) ms; in process: first refresh \(format(refreshes.first)) ms, "
                            + "next \(format(refreshes.next)) ms")
                    results.monitor[queue.label, default: []].append(seconds * 1000)
                    results.monitorFirstRefresh[queue.label, default: []].append(refreshes.first)
                    results.monitorNextRefresh[queue.label, default: []].append(refreshes.next)
                }
            }
        }
    }

    /// Wall time of one `monitor --once` (start-up included), the median of three.
    private func timeMonitor(queue: BenchQueue) throws -> Double {
        var times: [Double] = []
        for _ in 0..<3 {
            let start = now()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: products + "/monitor")
            process.arguments = queue.queueArguments + ["--once"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw BenchError("monitor --once exited with \(process.terminationStatus) (counts do not reconcile?)")
            }
            times.append(Double(now() - start) / 1e9)
        }
        return Summary(times).median
    }

    /// Milliseconds of the monitor's first refresh and of the one after it, in this process: the refresh
    /// alone, without a program's start-up.
    private func timeRefreshes(queue: BenchQueue) throws -> (first: Double, next: Double) {
        let sampler = MonitorSampler(backend: try queue.makeBackend(consumer: "bench-monitor"))
        let start = now()
        _ = try sampler.sample()
        let middle = now()
        _ = try sampler.sample()
        let end = now()
        return (Double(middle - start) / 1e6, Double(end - middle) / 1e6)
    }

    private func runLatency(queues: [BenchQueue], api: String) throws {
        log("bench: end-to-end latency")
        for repetition in 0..<settings.repetitions {
            for queue in queues {
                let runner = LatencyRunner(queue: queue, products: products, log: log)
                let idle = try runner.measure(
                    count: settings.idleAlerts, spacing: settings.idleSpacing, apiURL: api,
                    seed: UInt64(200 + repetition))
                results.latencies[LatencyKey(backend: queue.label, input: .idle), default: []].append(idle)
                let steadyCount = Int(settings.steadySeconds * 100)
                let steady = try runner.measure(
                    count: steadyCount, spacing: 0.01...0.01, apiURL: api, seed: UInt64(300 + repetition))
                results.latencies[LatencyKey(backend: queue.label, input: .steady), default: []].append(steady)
            }
        }
    }

    private func runLimits(queues: [BenchQueue], redisPort: Int, api: String, slowAPI: String) throws {
        log("bench: limits")
        let limits = Limits(log: log)
        let requests = settings.quick ? 20_000 : 100_000
        for _ in 0..<settings.repetitions {
            // A quick run checks that every limit works, at one concurrency, to stay within its two minutes.
            for concurrency in settings.quick ? [8] : [1, 8, 32] {
                for queue in queues {
                    switch queue.kind {
                    case .redis:
                        let ceiling = try limits.redisCeiling(
                            queue: queue, port: redisPort, concurrency: concurrency, requests: requests)
                        results.limits[LimitKey(name: "redis-benchmark ceiling", concurrency: concurrency), default: []]
                            .append(ceiling.ceiling)
                        results.redisBenchmarkDetail[concurrency] = ceiling.detail
                        let own = try limits.queueOnly(
                            queue: queue, alerts: settings.drainAlerts, concurrency: concurrency)
                        results.limits[
                            LimitKey(name: "redis: our queue code only", concurrency: concurrency), default: []
                        ]
                        .append(own)
                    case .dir:
                        let ceiling = try limits.directoryCeiling(
                            queue: queue, alerts: settings.drainAlerts, concurrency: concurrency)
                        results.limits[
                            LimitKey(name: "dir syscall loop ceiling", concurrency: concurrency), default: []
                        ]
                        .append(ceiling)
                        let own = try limits.queueOnly(
                            queue: queue, alerts: settings.drainAlerts, concurrency: concurrency)
                        results.limits[
                            LimitKey(name: "dir: our queue code only", concurrency: concurrency), default: []
                        ]
                        .append(own)
                    }
                }
                let lookups = try limits.apiOnly(apiURL: api, lookups: settings.drainAlerts, concurrency: concurrency)
                results.limits[LimitKey(name: "API at 0 ms: lookups only", concurrency: concurrency), default: []]
                    .append(lookups)
                let slowLookups = try limits.apiOnly(
                    apiURL: slowAPI, lookups: concurrency == 1 ? settings.slowDrainAlerts : settings.drainAlerts / 2,
                    concurrency: concurrency)
                results.limits[LimitKey(name: "API at 5 ms: lookups only", concurrency: concurrency), default: []]
                    .append(slowLookups)
            }
        }
    }
}
