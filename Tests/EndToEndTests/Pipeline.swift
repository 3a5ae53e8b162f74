import AlertQueue
import Foundation
import RedisClient
import TestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One test's pipeline: a queue of one kind (a temporary directory, or a redis-server of its own) and the
/// programs the test starts against it. `stop()` ends every program, then the server, then removes the
/// directory; `with(_:_:)` calls it on every path, failures included.
final class Pipeline {
    let kind: QueueConfiguration.Kind
    let directory: TemporaryDirectory
    let redis: RedisServer?
    /// The directory queue's root (unused by the Redis queue).
    let queueRoot: String
    let keys = RedisKeys()

    private var programs: [ChildProcess] = []
    private var apis: [ThreatAPIProcess] = []
    private var observer: (any QueueBackend)?
    private var redisConnection: RedisConnection?

    init(_ kind: QueueConfiguration.Kind) throws {
        self.kind = kind
        directory = try TemporaryDirectory(prefix: "e2e")
        queueRoot = directory.path + "/queue"
        if kind == .redis {
            let server = RedisServer()
            do {
                try server.start()
            } catch {
                directory.remove()
                throw error
            }
            redis = server
        } else {
            redis = nil
        }
    }

    /// Runs `body` with a fresh pipeline and always stops it.
    static func with(_ kind: QueueConfiguration.Kind, _ body: (Pipeline) throws -> Void) throws {
        let pipeline = try Pipeline(kind)
        defer { pipeline.stop() }
        try body(pipeline)
    }

    /// Stops what the test started: processors get SIGTERM (and SIGKILL after 5 s), then the APIs, then Redis.
    func stop() {
        for program in programs where program.isRunning {
            program.signal(SIGTERM)
        }
        for program in programs {
            program.wait(timeout: .seconds(5))
        }
        // A program already stopped is not signalled again: its pid may belong to another process by now.
        for api in apis where api.child.isRunning {
            api.stop(timeout: .seconds(5))
        }
        observer = nil
        redisConnection?.close()
        redisConnection = nil
        redis?.stop()
        directory.remove()
    }

    // MARK: - Programs

    /// `--backend … --dir …` or `--backend redis --redis-url …`: what every program needs to reach this queue.
    var queueArguments: [String] {
        switch kind {
        case .dir: ["--backend", "dir", "--dir", queueRoot]
        case .redis: ["--backend", "redis", "--redis-url", redis!.urlString]
        }
    }

    /// Starts the mock API on a free port; it is stopped with the pipeline.
    func startAPI(_ arguments: [String] = []) throws -> ThreatAPIProcess {
        let api = try ThreatAPIProcess(arguments)
        apis.append(api)
        return api
    }

    /// Starts a processor against `api` with short timeouts, and waits until it has started claiming.
    func startProcessor(api: ThreatAPIProcess, _ arguments: [String] = []) throws -> ChildProcess {
        let defaults = ["--timeout", "0.3", "--retries", "1", "--grace-period", "2"]
        let processor = try start("processor", ["--api-url", api.baseURL] + defaults + arguments)
        guard processor.waitFor("processor started", inErrors: true, timeout: .seconds(15)) else {
            throw PipelineError("processor did not start: \(processor.standardError)")
        }
        return processor
    }

    /// Starts one of the programs with this queue's arguments; it is stopped with the pipeline.
    func start(_ program: String, _ arguments: [String]) throws -> ChildProcess {
        let child = try ChildProcess(program, queueArguments + arguments)
        programs.append(child)
        return child
    }

    /// Runs one of the programs with this queue's arguments to its end.
    func run(_ program: String, _ arguments: [String] = [], timeout: Duration = .seconds(30)) throws
        -> (status: Int32, output: String, errors: String)
    {
        let child = try start(program, arguments)
        let status = child.wait(timeout: timeout)
        return (status, child.standardOutput, child.standardError)
    }

    /// Runs the collector for `count` alerts as fast as it goes and returns what it reported.
    func collect(_ count: Int) throws -> [CollectedAlert] {
        let result = try run("collector", ["--count", String(count), "--interval", "0"])
        guard result.status == 0 else {
            throw PipelineError("collector exited \(result.status): \(result.errors)")
        }
        let collected = OutputLines.collected(result.output)
        guard collected.count == count else {
            throw PipelineError("collector reported \(collected.count) alerts, not \(count)")
        }
        return collected
    }

    /// `monitor --once --json`: its exit status and its snapshot.
    func monitorSnapshot() throws -> (status: Int32, snapshot: [String: Any]) {
        let result = try run("monitor", ["--once", "--json"])
        let line = OutputLines.complete(result.output).last.map(String.init) ?? ""
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw PipelineError(
                "monitor printed no JSON object (status \(result.status)): \(result.output) \(result.errors)")
        }
        return (result.status, object)
    }

    // MARK: - The queue, read and written directly

    /// A backend for this queue that the test uses as a producer and to read counts.
    func backend() throws -> any QueueBackend {
        if let observer { return observer }
        var configuration = QueueConfiguration(kind: kind, directory: queueRoot)
        if let redis {
            configuration.redisURL = redis.url
        }
        let backend = try configuration.makeBackend(consumer: "e2e-observer")
        observer = backend
        return backend
    }

    func counts() throws -> QueueCounts {
        try backend().counts()
    }

    /// Enqueues a valid alert through the queue API, as a producer other than the collector would.
    @discardableResult
    func enqueue(
        id: String = UUID().uuidString.lowercased(), ip: String = "203.0.113.10", extra: String = ""
    ) throws -> String {
        let payload =
            #"{"alert_id":"\#(id)","rule_id":"RULE-E2E","source_ip":"\#(ip)","severity":"HIGH","#
            + #""timestamp":"2026-12-03T16:07:40.707364Z"\#(extra)}"#
        try backend().enqueue(Array(payload.utf8), id: id)
        return id
    }

    /// A connection to this pipeline's Redis, for checks made with raw commands.
    func redisCommand(_ arguments: [String]) throws -> RedisValue {
        try redisCommand(bytes: arguments.map { Array($0.utf8) })
    }

    func redisCommand(bytes arguments: [[UInt8]]) throws -> RedisValue {
        guard let redis else { throw PipelineError("not a Redis pipeline") }
        if redisConnection == nil {
            redisConnection = try RedisConnection(url: redis.url)
        }
        return try redisConnection!.command(bytes: arguments)
    }

    /// Puts raw bytes on the queue as a producer that does not go through the queue API would: a file
    /// written into `pending/` (named `name`), or an LPUSH with the `generated` counter raised with it.
    func putRaw(_ bytes: [UInt8], name: String) throws {
        switch kind {
        case .dir:
            try FileManager.default.createDirectory(atPath: queueRoot + "/pending", withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: queueRoot + "/pending/" + name, contents: Data(bytes)) else {
                throw PipelineError("could not write pending/\(name)")
            }
        case .redis:
            _ = try redisCommand(["MULTI"])
            _ = try redisCommand(bytes: [Array("LPUSH".utf8), Array(keys.pending.utf8), bytes])
            _ = try redisCommand(["INCR", keys.generated])
            _ = try redisCommand(["EXEC"])
        }
    }

    /// The store: alert id → the stored record's bytes.
    func records() throws -> [String: [UInt8]] {
        switch kind {
        case .dir:
            var records: [String: [UInt8]] = [:]
            for name in visibleEntries("processed") where name.hasSuffix(".json") {
                let data = try Data(contentsOf: URL(fileURLWithPath: queueRoot + "/processed/" + name))
                records[String(name.dropLast(5))] = Array(data)
            }
            return records
        case .redis:
            return try hash(keys.processed)
        }
    }

    /// The dead letters: alert id → the reason stored with it.
    func deadLetters() throws -> [String: String] {
        switch kind {
        case .dir:
            var letters: [String: String] = [:]
            for name in visibleEntries("errors") where name.hasSuffix(".json") {
                let id = String(name.dropLast(5))
                let note = FileManager.default.contents(atPath: queueRoot + "/errors/." + id + ".reason")
                letters[id] = note.flatMap(Self.reason(inNote:)) ?? "(no reason stored)"
            }
            return letters
        case .redis:
            return try hash(keys.errors).mapValues { Self.reason(inNote: Data($0)) ?? "(no reason stored)" }
        }
    }

    private static func reason(inNote note: Data) -> String? {
        (try? JSONSerialization.jsonObject(with: note) as? [String: Any])?["reason"] as? String
    }

    private func hash(_ key: String) throws -> [String: [UInt8]] {
        let values = try redisCommand(["HGETALL", key]).array ?? []
        var result: [String: [UInt8]] = [:]
        for index in stride(from: 0, to: values.count - 1, by: 2) {
            guard let field = values[index].string, let value = values[index + 1].bytes else { continue }
            result[field] = value
        }
        return result
    }

    /// What `ls <area> | wc -l` shows: the entries of an area of the directory queue, dot-files excluded.
    func visibleEntries(_ area: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: queueRoot + "/" + area)) ?? []
        return names.filter { !$0.hasPrefix(".") }
    }

    // MARK: - Waiting

    /// Polls `condition` every 50 ms until it holds or `timeout` passes; returns whether it held.
    func waitUntil(timeout: Duration = .seconds(20), _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            if try condition() { return true }
            if ContinuousClock.now >= deadline { return false }
            usleep(50_000)
        }
    }

    /// Waits until `processed + errors` reaches `finished` with nothing pending or in flight.
    func waitUntilFinished(_ finished: Int, timeout: Duration = .seconds(20)) throws -> Bool {
        try waitUntil(timeout: timeout) {
            let counts = try counts()
            return counts.processed + counts.errors >= finished && counts.pending == 0 && counts.inFlight == 0
        }
    }

    /// Counts and the end of every program's standard error, for failure messages.
    func diagnostics() -> String {
        var lines = ["counts: " + ((try? counts()).map { "\($0)" } ?? "unreadable")]
        for program in programs {
            let tail = program.standardError.split(separator: "\n").suffix(8).joined(separator: "\n    ")
            lines.append("\(program.name) (pid \(program.pid)) stderr:\n    \(tail)")
        }
        return lines.joined(separator: "\n")
    }
}

struct PipelineError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
