import AlertQueue
import Enrichment
import Foundation
import Synchronization
import TestSupport
import ThreatIntel

#if canImport(Glibc)
    import Glibc
#endif

/// The ceilings our figures are held against, measured in the same run on the same servers.
struct Limits {
    let log: (String) -> Void

    // MARK: Redis, through redis-benchmark

    /// The commands one alert costs on Redis and how they travel: the claim alone in one round trip, then
    /// the completion's MULTI, six commands and EXEC pipelined in a second one.
    static let completionCommands: [[String]] = [
        ["HSET", "{rb}:processed", "__rand_int__", sampleRecord],
        ["HDEL", "{rb}:errors", "__rand_int__"],
        ["HDEL", "{rb}:error-categories", "__rand_int__"],
        ["LPUSH", "{rb}:recent", sampleSummary],
        ["LTRIM", "{rb}:recent", "0", "999"],
        ["LREM", "{rb}:processing", "1", sampleAlert + " "],
    ]

    static let sampleAlert =
        #"{"alert_id":"a038d3ae-814c-4647-b442-0c3cc7099d73","rule_id":"RULE-003","source_ip":"185.220.101.1","#
        + #""severity":"HIGH","timestamp":"2026-12-03T16:07:40.707364Z"}"#
    static let sampleSummary =
        #"{"alert_id":"a038d3ae-814c-4647-b442-0c3cc7099d73","verdict":"malicious","duration_ms":"0","#
        + #""processed_at":"2026-12-03T16:07:40.709364Z"}"#
    static let sampleRecord =
        String(sampleAlert.dropLast())
        + #","enrichment":{"verdict":"malicious","ioc":"185.220.101.1","type":"ip","abuse_score":95,"#
        + #""asn":"AS4444","country":"RU","reports":142,"provider":"mock-threat-intel","duration_ms":0,"#
        + #""cached":false},"processed_at":"2026-12-03T16:07:40.709364Z"}"#

    /// Alerts per second Redis could serve at `concurrency` clients if the processor cost it nothing: one
    /// over the time of one claim plus one pipelined completion, each from redis-benchmark's own rate.
    func redisCeiling(queue: BenchQueue, port: Int, concurrency: Int, requests: Int) throws -> (
        ceiling: Double, detail: String
    ) {
        let connection = try queue.connection()
        defer { connection.close() }
        try connection.command([
            "DEL", "{rb}:pending", "{rb}:moved", "{rb}:processing", "{rb}:processed", "{rb}:recent",
        ])
        var batch: [String] = []
        for index in 0..<requests {
            batch.append(Self.sampleAlert)
            if batch.count == 1_000 || index == requests - 1 {
                try connection.command(["LPUSH", "{rb}:pending"] + batch)
                batch.removeAll()
            }
        }
        let claimRate = try redisBenchmark(
            port: port, concurrency: concurrency, pipeline: 1, requests: requests,
            command: ["LMOVE", "{rb}:pending", "{rb}:moved", "RIGHT", "LEFT"])
        try connection.command(["DEL", "{rb}:moved"])
        // A processing list as short as the processor keeps it: one element per worker.
        for worker in 0..<concurrency {
            try connection.command(["RPUSH", "{rb}:processing", Self.sampleAlert + String(worker)])
        }
        var completionSeconds = 0.0
        var parts = ["LMOVE \(format(claimRate))/s"]
        for command in Self.completionCommands {
            let rate = try redisBenchmark(
                port: port, concurrency: concurrency, pipeline: 8, requests: requests, command: command)
            completionSeconds += 1 / rate
            parts.append("\(command[0]) \(format(rate))/s")
        }
        // MULTI and EXEC cannot be run alone by redis-benchmark; they cost the server about what PING does.
        let pingRate = try redisBenchmark(
            port: port, concurrency: concurrency, pipeline: 8, requests: requests, command: ["PING"])
        completionSeconds += 2 / pingRate
        parts.append("PING \(format(pingRate))/s")
        let ceiling = 1 / (1 / claimRate + completionSeconds)
        log("  redis-benchmark c\(concurrency): ceiling \(format(ceiling)) alerts/s (\(parts.joined(separator: ", ")))")
        return (ceiling, parts.joined(separator: ", "))
    }

    private func redisBenchmark(port: Int, concurrency: Int, pipeline: Int, requests: Int, command: [String]) throws
        -> Double
    {
        let output = try run(
            "/usr/bin/redis-benchmark",
            [
                "-h", "127.0.0.1", "-p", String(port), "-c", String(concurrency), "-n", String(requests),
                "-P", String(pipeline), "-r", "1000000", "--csv",
            ] + command)
        // "test","rps",... then "<command>","123456.78", and six latency fields; the command may hold commas.
        let fields = output.split(separator: "\n").last?.split(separator: ",") ?? []
        guard fields.count >= 8, let rate = Double(fields[fields.count - 7].filter { $0 != "\"" }) else {
            throw BenchError("unexpected redis-benchmark output: \(output)")
        }
        return rate
    }

    // MARK: Directory, a loop of the same system calls

    /// Alerts per second the directory backend's system calls allow with nothing between them: per alert
    /// the claim rename, the read, the record's temporary write, fsync and rename, the two unlinks of a
    /// dead letter that is not there, and the unlink of the in-flight file; `concurrency` threads.
    func directoryCeiling(queue: BenchQueue, alerts: Int, concurrency: Int) throws -> Double {
        try queue.reset()
        try queue.load(alerts, seed: 7)
        let root = queue.location
        for directory in ["processing/raw", "processed", "errors"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(directory)", withIntermediateDirectories: true)
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: "\(root)/pending").filter {
            $0.hasSuffix(".json") && !$0.hasPrefix(".")
        }
        let record = Array(Self.sampleRecord.utf8)
        let failures = Atomic<Int>(0)
        let group = DispatchGroup()
        let start = now()
        for worker in 0..<concurrency {
            let share = stride(from: worker, to: names.count, by: concurrency).map { names[$0] }
            group.enter()
            Thread {
                var buffer = [UInt8](repeating: 0, count: 65_536)
                for name in share {
                    let stem = name.dropLast(5)
                    let claimed = "\(root)/processing/raw/\(name)"
                    guard rename("\(root)/pending/\(name)", claimed) == 0 else {
                        failures.add(1, ordering: .relaxed)
                        continue
                    }
                    let input = open(claimed, O_RDONLY | O_CLOEXEC)
                    _ = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
                    close(input)
                    let temporary = "\(root)/processed/.\(name).\(worker).tmp"
                    let output = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
                    _ = record.withUnsafeBytes { write(output, $0.baseAddress, $0.count) }
                    fsync(output)
                    close(output)
                    rename(temporary, "\(root)/processed/\(name)")
                    unlink("\(root)/errors/\(name)")
                    unlink("\(root)/errors/.\(stem).reason")
                    unlink(claimed)
                }
                group.leave()
            }.start()
        }
        group.wait()
        let rate = Double(names.count) / (Double(now() - start) / 1e9)
        log("  directory syscall loop c\(concurrency): \(format(rate)) alerts/s")
        guard failures.load(ordering: .relaxed) == 0 else { throw BenchError("directory loop lost files") }
        return rate
    }

    // MARK: Our code without one of its halves

    /// Alerts per second through our queue code alone: `concurrency` threads claim and complete with a
    /// ready-made record, no API call and no output.
    func queueOnly(queue: BenchQueue, alerts: Int, concurrency: Int) throws -> Double {
        try queue.reset()
        try queue.load(alerts, seed: 7)
        let backend = try queue.makeBackend(consumer: "bench-queue-only")
        try backend.heartbeat()
        let done = Atomic<Int>(0)
        let group = DispatchGroup()
        let start = now()
        for _ in 0..<concurrency {
            group.enter()
            Thread {
                while let claimed = try? backend.claim(timeout: .milliseconds(200)) {
                    guard case .success(let alert) = claimed.alert else { continue }
                    let stamp = "2026-12-03T16:07:40.709364Z"
                    let record = EnrichedRecord.make(
                        payload: claimed.payload, fieldNames: alert.fieldNames,
                        enrichment: #"{"verdict":"clean","provider":"bench","duration_ms":0,"cached":false}"#,
                        processedAt: stamp)
                    let summary = ResultSummary(
                        id: claimed.id, verdict: "clean", durationMilliseconds: 0, processedAt: stamp)
                    if (try? backend.complete(claimed, record: record, summary: summary)) != nil {
                        done.add(1, ordering: .relaxed)
                    }
                }
                group.leave()
            }.start()
        }
        group.wait()
        // The last claim of each thread waited its timeout for nothing: leave that out.
        let seconds = Double(now() - start) / 1e9 - 0.2
        try backend.retire()
        let rate = Double(done.load(ordering: .relaxed)) / seconds
        log("  \(queue.label) queue code only c\(concurrency): \(format(rate)) alerts/s")
        return rate
    }

    /// Lookups per second our libcurl client gets from the mock API: `concurrency` threads, one client each.
    func apiOnly(apiURL: String, lookups: Int, concurrency: Int) throws -> Double {
        var random = SeededRandom(seed: 11)
        let generator = AlertGenerator()
        let ips = (0..<lookups).map { _ in generator.sourceIPForBench(using: &random) }
        let clients = try (0..<concurrency).map { _ in
            try UncheckedBox(IntelClient(configuration: IntelClientConfiguration(baseURL: apiURL)))
        }
        let failures = Atomic<Int>(0)
        let group = DispatchGroup()
        let start = now()
        for (worker, client) in clients.enumerated() {
            group.enter()
            Thread {
                for index in stride(from: worker, to: ips.count, by: concurrency) {
                    if case .answer = client.value.lookup(ip: ips[index]) {
                    } else {
                        failures.add(1, ordering: .relaxed)
                    }
                }
                group.leave()
            }.start()
        }
        group.wait()
        let rate = Double(lookups) / (Double(now() - start) / 1e9)
        log(
            "  API lookups only (\(apiURL)) c\(concurrency): \(format(rate))/s, failures \(failures.load(ordering: .relaxed))"
        )
        return rate
    }
}

/// Hands a value that is not `Sendable` to exactly one other thread.
final class UncheckedBox<Value>: @unchecked Sendable {
    // @unchecked: each box is given to one thread and used only there.
    let value: Value

    init(_ value: Value) {
        self.value = value
    }
}

extension AlertGenerator {
    /// A source IP as the generator picks them, from a generated alert.
    func sourceIPForBench<Random: RandomNumberGenerator>(using random: inout Random) -> String {
        let payload = makeAlert(using: &random).payload
        let text = String(decoding: payload, as: UTF8.self)
        guard let range = text.range(of: #""source_ip":""#) else { return "8.8.8.8" }
        return String(text[range.upperBound...].prefix { $0 != "\"" })
    }
}
