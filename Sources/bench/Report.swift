import Foundation

/// Renders the figures as Markdown: printed, and written between the markers of `docs/BENCHMARKS.md`.
struct Report {
    let results: BenchResults
    let settings: BenchSettings

    static let beginMarker = "<!-- bench:begin (written by scripts/bench.sh; edit outside the markers) -->"
    static let endMarker = "<!-- bench:end -->"

    var markdown: String {
        var lines: [String] = []
        let environment = results.environment
        lines.append("## Latest run")
        lines.append("")
        lines.append("- Date: \(environment.date); the whole run took \(Int(results.elapsedSeconds / 60)) min.")
        lines.append(
            "- Machine: \(environment.cpus) CPUs (\(environment.cpuModel)), \(environment.memory), "
                + "\(environment.kernel); queue directory on \(environment.filesystem); load average at start "
                + "\(environment.loadAtStart). Shared with other work while it ran: spreads flagged `!` are wider "
                + "than 20 % of the median.")
        lines.append(
            "- Versions: \(environment.swift); Redis \(environment.redis); hiredis \(environment.hiredis); "
                + "libcurl \(environment.libcurl); libmicrohttpd \(environment.microhttpd).")
        lines.append("- Command: `\(environment.command)`")
        lines.append("- Settings: \(environment.settings).")
        lines.append(
            "- Redis: its own `redis-server` on TCP 127.0.0.1, `--save '' --appendonly no`, for every figure except "
                + "the row marked AOF everysec. Mock API: `threat-api --latency-ms 0` and `--latency-ms 5`, "
                + "127.0.0.1. Processor: the release build, its default settings except those named.")
        lines.append("- Figures: median of the repetitions, (min–max) when there were several.")
        lines.append("")
        lines += drainSection() + latencySection() + footprintSection() + limitsSection() + monitorSection()
        lines += targetsSection()
        return lines.joined(separator: "\n")
    }

    // MARK: Sections

    private func drainSection() -> [String] {
        guard !results.drains.isEmpty else { return [] }
        var lines = [
            "### 1. Drain",
            "",
            "A backlog of alerts is loaded, then one processor is started; the time runs from its `processor started`",
            "line to its last `[PROCESSED]` line. Cache on: the generator's realistic repetition (a quarter of the",
            "alerts from the 9 reference IPs, the rest from a pool of 5,000), TTL 300 s; the hit rate is measured.",
            "",
            "| backend | API | conc. | cache | alerts | alerts/s | % of queue ceiling | % of C/L | cache hits | CPU s / 1k |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        let keys = results.drains.keys.sorted { left, right in
            (left.backend, left.drainCase.latencyMilliseconds, left.drainCase.concurrency, left.drainCase.cache ? 1 : 0)
                < (
                    right.backend, right.drainCase.latencyMilliseconds, right.drainCase.concurrency,
                    right.drainCase.cache ? 1 : 0
                )
        }
        for key in keys {
            let runs = results.drains[key] ?? []
            let rate = Summary(runs.map(\.rate))
            let drainCase = key.drainCase
            let baseBackend = key.backend.hasPrefix("redis") ? "redis" : key.backend
            let queueCeiling = results.queueCeiling(baseBackend, concurrency: drainCase.concurrency)
            let ofQueue = queueCeiling.map { "\(Int((rate.median / $0 * 100).rounded())) %" } ?? "–"
            let apiCeiling =
                drainCase.latencyMilliseconds > 0
                ? Double(drainCase.concurrency * 1000 / drainCase.latencyMilliseconds) : nil
            let ofAPI = apiCeiling.map { "\(Int((rate.median / $0 * 100).rounded())) % of \(Int($0))" } ?? "–"
            let hits = runs.compactMap { run in run.cacheHits.map { Double($0) / Double(run.alerts) * 100 } }
            let cpu = Summary(runs.map { $0.footprint.cpuSeconds / Double($0.alerts) * 1000 })
            lines.append(
                "| \(key.backend) | \(drainCase.latencyMilliseconds) ms | \(drainCase.concurrency) | "
                    + "\(drainCase.cache ? "on" : "off") | \(runs.first?.alerts ?? 0) | \(describe(rate)) | \(ofQueue) | "
                    + "\(ofAPI) | \(drainCase.cache ? format(Summary(hits).median) + " %" : "–") | \(format(cpu.median)) |"
            )
        }
        let deadLetters = results.drains.values.joined().reduce(0) { $0 + $1.deadLetters }
        lines.append("")
        if deadLetters > 0 {
            lines.append("Dead letters during the drains: \(deadLetters) (there should be none).")
            lines.append("")
        }
        return lines
    }

    private func footprintSection() -> [String] {
        guard !results.footprints.isEmpty else { return [] }
        var lines = [
            "### 3. Footprint",
            "",
            "Processor at concurrency 8, API 0 ms, cache off. Peak RSS is the kernel's high-water mark (VmHWM) when",
            "the last alert is reported; CPU is user + system time of the processor process, start-up included.",
            "",
            "| backend | alerts | peak RSS (MB) | RSS at end (MB) | CPU s / 1,000 alerts | alerts/s |",
            "|---|---|---|---|---|---|",
        ]
        let small = DrainCase(latencyMilliseconds: 0, concurrency: 8, cache: false)
        for backend in results.footprints.keys.sorted() {
            var groups: [[DrainMeasurement]] = []
            if let runs = results.drains[DrainKey(backend: backend, drainCase: small)] { groups.append(runs) }
            groups.append(results.footprints[backend] ?? [])
            for runs in groups where !runs.isEmpty {
                lines.append(
                    "| \(backend) | \(runs[0].alerts) | \(describe(Summary(runs.map(\.footprint.peakMB)))) | "
                        + "\(describe(Summary(runs.map(\.footprint.currentMB)))) | "
                        + "\(describe(Summary(runs.map { $0.footprint.cpuSeconds / Double($0.alerts) * 1000 }))) | "
                        + "\(describe(Summary(runs.map(\.rate)))) |")
            }
        }
        lines.append("")
        return lines
    }

    private func latencySection() -> [String] {
        guard !results.latencies.isEmpty else { return [] }
        var lines = [
            "### 2. End-to-end latency",
            "",
            "A running processor (concurrency 8, cache on, API 0 ms) and alerts sent one at a time through the",
            "producer path (`enqueue`, durable when it returns). Latency runs from the call to `enqueue` to the",
            "moment the processor's `[PROCESSED]` line for that alert is read, which it prints after the record is",
            "stored. \"Idle\" stands in for 12 alerts/min: what matters there is that an idle processor, blocked",
            "in its claim, wakes at once, so the alerts come \(format(settings.idleSpacing.lowerBound))–"
                + "\(format(settings.idleSpacing.upperBound)) s apart (longer than any claim's blocking slice) rather than",
            "5 s, to keep the run short. p99 is nearest-rank: with \(settings.idleAlerts) alerts per run it is the run's",
            "largest. Each figure is the median over the runs of that run's percentile.",
            "",
            "| backend | input | alerts per run | p50 (ms) | p99 (ms) | max (ms) |",
            "|---|---|---|---|---|---|",
        ]
        let keys = results.latencies.keys.sorted { ($0.backend, $0.input.rawValue) < ($1.backend, $1.input.rawValue) }
        for key in keys {
            let runs = results.latencies[key] ?? []
            let input = key.input == .idle ? "idle (12/min stand-in)" : "100/s"
            let missing = runs.reduce(0) { $0 + $1.missing }
            lines.append(
                "| \(key.backend) | \(input) | \(runs.first.map { $0.milliseconds.count + $0.missing } ?? 0) | "
                    + "\(describe(Summary(runs.map { Summary($0.milliseconds).median }))) | "
                    + "\(describe(Summary(runs.map { Summary($0.milliseconds).percentile(99) }))) | "
                    + "\(describe(Summary(runs.map { Summary($0.milliseconds).maximum })))"
                    + "\(missing > 0 ? " (\(missing) never reported)" : "") |")
        }
        lines.append("")
        return lines
    }

    private func limitsSection() -> [String] {
        guard !results.limits.isEmpty else { return [] }
        var lines = [
            "### 4. Limits (alerts/s)",
            "",
            "- redis-benchmark ceiling: per alert one claim (`LMOVE`, a round trip of its own) plus one completion",
            "  (`MULTI`, `HSET` of a real-size record, `HDEL` ×2, `LPUSH` + `LTRIM` of the summary, `LREM`, `EXEC`,",
            "  pipelined in one round trip). Each command's rate comes from `redis-benchmark -c C` (`-P 1` for the",
            "  claim, `-P 8` for the completion's commands, `PING` standing in for `MULTI` and `EXEC`); the ceiling is",
            "  1 / (sum of 1/rate). Same server, same AOF setting (off) as the drains.",
            "- dir syscall loop ceiling: C threads doing only the system calls of one alert: the claim `rename`, the",
            "  read, the record's temporary file written, `fsync`ed and renamed, two `unlink`s of an absent dead",
            "  letter, the `unlink` of the in-flight file.",
            "- our queue code only: the same backend classes as the processor, C threads claiming and completing",
            "  with a ready-made record: no API call, no output.",
            "- API lookups only: C threads, one `IntelClient` each, against the mock at 0 ms and at 5 ms.",
            "- C/L: the API's theoretical ceiling at latency L = 5 ms.",
            "",
            "| limit | c1 | c8 | c32 |",
            "|---|---|---|---|",
        ]
        let names = Set(results.limits.keys.map(\.name)).sorted()
        for name in names {
            let cells = [1, 8, 32].map { concurrency in
                results.limits[LimitKey(name: name, concurrency: concurrency)].map { describe(Summary($0)) } ?? "–"
            }
            lines.append("| \(name) | \(cells.joined(separator: " | ")) |")
        }
        lines.append("| API at 5 ms: C/L | 200 | 1600 | 6400 |")
        lines.append("")
        for concurrency in results.redisBenchmarkDetail.keys.sorted() {
            lines.append(
                "redis-benchmark c\(concurrency), last repetition: \(results.redisBenchmarkDetail[concurrency] ?? "").  "
            )
        }
        lines.append("")
        return lines
    }

    private func monitorSection() -> [String] {
        guard !results.monitor.isEmpty else { return [] }
        var lines = [
            "### 5. Monitor",
            "",
            "On the store the footprint drain left: the wall time of `monitor --once` (the median of three, process",
            "start included; this is the figure held against the target), and one refresh (`MonitorSampler.sample()`)",
            "timed inside the benchmark's process, the first and the next.",
            "",
            "| backend | stored alerts | `monitor --once` (ms) | first refresh (ms) | next refresh (ms) |",
            "|---|---|---|---|---|",
        ]
        for backend in results.monitor.keys.sorted() {
            lines.append(
                "| \(backend) | \(settings.footprintAlerts) | \(describe(Summary(results.monitor[backend] ?? []))) | "
                    + "\(describe(Summary(results.monitorFirstRefresh[backend] ?? []))) | "
                    + "\(describe(Summary(results.monitorNextRefresh[backend] ?? []))) |")
        }
        lines.append("")
        return lines
    }

    // MARK: Targets

    private func targetsSection() -> [String] {
        var lines = ["### Targets", "", "| target | figure | |", "|---|---|---|"]
        func row(_ target: String, _ value: Double?, unit: String, _ met: (Double) -> Bool) {
            guard let value, value.isFinite else { return }
            lines.append("| \(target) | \(format(value)) \(unit) | \(met(value) ? "met" : "**missed**") |")
        }
        let off8 = DrainCase(latencyMilliseconds: 0, concurrency: 8, cache: false)
        let on8 = DrainCase(latencyMilliseconds: 0, concurrency: 8, cache: true)
        row(
            "Redis, API 0 ms, cache off, c8: ≥ 3,000 alerts/s", results.drainRate("redis", off8)?.median,
            unit: "alerts/s"
        ) {
            $0 >= 3_000
        }
        row(
            "Redis, API 0 ms, cache on, c8: ≥ 10,000 alerts/s", results.drainRate("redis", on8)?.median,
            unit: "alerts/s"
        ) {
            $0 >= 10_000
        }
        row(
            "Directory, fsync'd, API 0 ms, c8: ≥ 1,000 alerts/s", results.drainRate("dir", off8)?.median,
            unit: "alerts/s"
        ) {
            $0 >= 1_000
        }
        for backend in ["redis", "dir"] {
            let slow = DrainCase(latencyMilliseconds: 5, concurrency: 32, cache: false)
            let fast = DrainCase(latencyMilliseconds: 0, concurrency: 32, cache: false)
            guard let slowRate = results.drainRate(backend, slow)?.median,
                let fastRate = results.drainRate(backend, fast)?.median
            else { continue }
            let bound = min(6_400, fastRate)
            row(
                "\(backend), API 5 ms, c32, cache off: ≥ 80 % of min(C/L = 6,400, 0 ms figure \(format(fastRate)))",
                slowRate / bound * 100, unit: "%"
            ) { $0 >= 80 }
        }
        for (backend, limit) in [("redis", 20.0), ("dir", 50.0)] {
            let runs = results.latencies[LatencyKey(backend: backend, input: .idle)] ?? []
            guard !runs.isEmpty else { continue }
            let p99 = Summary(runs.map { Summary($0.milliseconds).percentile(99) }).median
            row("\(backend), idle (12/min) p99 < \(Int(limit)) ms", p99, unit: "ms") { $0 < limit }
        }
        let small = DrainCase(latencyMilliseconds: 0, concurrency: 8, cache: false)
        for backend in ["redis", "dir"] {
            guard let large = results.footprints[backend], !large.isEmpty else { continue }
            let peak = Summary(large.map(\.footprint.peakMB)).median
            row("\(backend), peak RSS after \(settings.footprintAlerts) alerts < 40 MB", peak, unit: "MB") { $0 < 40 }
            if let runs = results.drains[DrainKey(backend: backend, drainCase: small)], !runs.isEmpty {
                let smallPeak = Summary(runs.map(\.footprint.peakMB)).median
                row(
                    "\(backend), RSS flat: peak at \(settings.footprintAlerts) within 10 % of peak at "
                        + "\(runs[0].alerts) (\(format(smallPeak)) MB)",
                    (peak / smallPeak - 1) * 100, unit: "% growth"
                ) { $0 <= 10 }
            }
        }
        for backend in ["redis", "dir"] {
            guard let times = results.monitor[backend] else { continue }
            row(
                "\(backend), monitor refresh with \(settings.footprintAlerts) stored < 500 ms", Summary(times).median,
                unit: "ms"
            ) {
                $0 < 500
            }
        }
        lines.append("")
        if settings.quick {
            lines.append(
                "QUICK mode: small counts and one repetition; a smoke check, not figures to compare with targets.")
            lines.append("")
        }
        return lines
    }

    /// Replaces the part between the markers in `path` (or creates the file) with `markdown`.
    func write(to path: String) throws {
        let generated = Self.beginMarker + "\n" + markdown + "\n" + Self.endMarker
        var text =
            (try? String(contentsOfFile: path, encoding: .utf8))
            ?? "# Benchmarks\n\n\(Self.beginMarker)\n\(Self.endMarker)\n"
        if let begin = text.range(of: Self.beginMarker), let end = text.range(of: Self.endMarker),
            begin.upperBound <= end.lowerBound
        {
            text.replaceSubrange(begin.lowerBound..<end.upperBound, with: generated)
        } else {
            text += "\n" + generated + "\n"
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
