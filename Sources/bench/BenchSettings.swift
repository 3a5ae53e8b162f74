#if canImport(Glibc)
    import Glibc
#endif

/// What one benchmark run measures and how hard: read from `BENCH_*` environment variables so
/// `scripts/bench.sh` and `make bench` need no arguments.
struct BenchSettings: Sendable {
    /// Small counts and one repetition: a smoke check of every scenario, not figures to quote.
    var quick: Bool
    /// Repetitions of every figure; the table shows their median and min–max.
    var repetitions: Int
    /// Alerts per drain.
    var drainAlerts: Int
    /// Alerts per drain where the API's latency caps throughput at concurrency / latency (5 ms, concurrency 1).
    var slowDrainAlerts: Int
    /// Alerts of the large drain of the footprint scenario.
    var footprintAlerts: Int
    /// Alerts per repetition of the idle-processor latency scenario, and the spacing between two of them.
    var idleAlerts: Int
    var idleSpacing: ClosedRange<Double>
    /// Seconds of the 100 alerts/s latency scenario per repetition.
    var steadySeconds: Double
    /// Which sections run: drain, latency, footprint, limits, monitor.
    var sections: Set<String>
    /// Which backends run: dir, redis.
    var backends: [String]
    /// The API latencies (ms) and concurrencies of the drain matrix; narrowed for a targeted run.
    var latencies: [Int]
    var concurrencies: [Int]
    /// Where the results are written; the part between the markers is replaced, the rest kept.
    var outputPath: String
    /// How the run was started, for the report.
    var command: String

    static let allSections: Set<String> = ["drain", "latency", "footprint", "limits", "monitor"]

    static func fromEnvironment() -> BenchSettings {
        let quick = environment("BENCH_QUICK").map { $0 != "0" && !$0.isEmpty } ?? false
        let sections = environment("BENCH_SECTIONS").map { Set($0.split(separator: ",").map(String.init)) }
        return BenchSettings(
            quick: quick,
            repetitions: integer("BENCH_REPS") ?? (quick ? 1 : 3),
            drainAlerts: integer("BENCH_N") ?? (quick ? 2_000 : 20_000),
            slowDrainAlerts: integer("BENCH_SLOW_N") ?? (quick ? 200 : 2_000),
            footprintAlerts: integer("BENCH_FOOTPRINT_N") ?? (quick ? 5_000 : 100_000),
            idleAlerts: integer("BENCH_IDLE_ALERTS") ?? (quick ? 4 : 20),
            idleSpacing: quick ? 1.2...1.8 : 2.0...4.0,
            steadySeconds: quick ? 2 : 10,
            sections: sections ?? allSections,
            backends: environment("BENCH_BACKENDS").map { $0.split(separator: ",").map(String.init) } ?? [
                "redis", "dir",
            ],
            latencies: list("BENCH_LATENCIES") ?? [0, 5],
            concurrencies: list("BENCH_CONCURRENCY") ?? [1, 8, 32],
            outputPath: environment("BENCH_OUTPUT") ?? "docs/BENCHMARKS.md",
            command: environment("BENCH_COMMAND") ?? CommandLine.arguments.joined(separator: " "))
    }

    private static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    private static func list(_ name: String) -> [Int]? {
        environment(name).map { $0.split(separator: ",").compactMap { Int($0) } }
    }

    private static func integer(_ name: String) -> Int? {
        environment(name).flatMap { Int($0) }
    }
}
