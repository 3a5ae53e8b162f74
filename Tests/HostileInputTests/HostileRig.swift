import AlertQueue
import Foundation
import RedisClient
import TestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A queue of one kind, the mock API and one real processor, for feeding the processor hostile input.
///
/// The directory queue's root is `<base>/queue`; `<base>/outside` holds files the processor must never read
/// or write. `stop()` ends the processes, the server and removes everything, on every path.
final class HostileRig {
    let kind: QueueConfiguration.Kind
    let base: TemporaryDirectory
    let redis: RedisServer?
    let api: ThreatAPIProcess
    let keys = RedisKeys()
    private(set) var processor: ChildProcess?
    private var observer: (any QueueBackend)?

    var root: String { base.path + "/queue" }
    var outside: String { base.path + "/outside" }

    init(_ kind: QueueConfiguration.Kind) throws {
        self.kind = kind
        base = try TemporaryDirectory(prefix: "hostile")
        mkdir(base.path + "/outside", 0o755)
        do {
            if kind == .redis {
                let server = RedisServer()
                try server.start()
                redis = server
            } else {
                redis = nil
            }
            api = try ThreatAPIProcess()
        } catch {
            base.remove()
            throw error
        }
    }

    static func with<Result>(_ kind: QueueConfiguration.Kind, _ body: (HostileRig) throws -> Result) throws -> Result {
        let rig = try HostileRig(kind)
        defer { rig.stop() }
        return try body(rig)
    }

    func stop() {
        if let processor, processor.isRunning {
            processor.signal(SIGKILL)
            processor.wait(timeout: .seconds(5))
        }
        api.stop(timeout: .seconds(5))
        observer = nil
        redis?.stop()
        base.remove()
    }

    var queueArguments: [String] {
        switch kind {
        case .dir: ["--backend", "dir", "--dir", root]
        case .redis: ["--backend", "redis", "--redis-url", redis!.urlString]
        }
    }

    /// Starts the processor and waits until it claims.
    @discardableResult
    func startProcessor(_ arguments: [String] = []) throws -> ChildProcess {
        let child = try ChildProcess(
            "processor",
            queueArguments + [
                "--api-url", api.baseURL, "--consumer", "hostile", "--timeout", "2", "--retries", "1",
                "--grace-period", "2", "--concurrency", "4",
            ] + arguments)
        processor = child
        guard child.waitFor("processor started", inErrors: true, timeout: .seconds(20)) else {
            throw TestFailure("processor did not start: \(child.standardError)")
        }
        return child
    }

    /// Makes `child` the rig's processor, stopped with the rig.
    func adopt(_ child: ChildProcess) {
        processor = child
    }

    /// A backend on this queue for the test's own use (enqueue, counts).
    func backend() throws -> any QueueBackend {
        if let observer { return observer }
        var configuration = QueueConfiguration(kind: kind, directory: root)
        if let redis { configuration.redisURL = redis.url }
        let made = try configuration.makeBackend(consumer: "hostile-observer")
        observer = made
        return made
    }

    /// A connection of the test's own to Redis.
    func redisConnection() throws -> RedisConnection {
        guard let redis else { throw TestFailure("not a Redis queue") }
        return try RedisConnection(url: redis.url, connectTimeout: .seconds(2), commandTimeout: .seconds(30))
    }

    /// Pushes raw bytes onto the Redis queue, as a foreign producer would.
    func pushRaw(_ payloads: [[UInt8]]) throws {
        let connection = try redisConnection()
        defer { connection.close() }
        for payload in payloads {
            _ = try connection.command(bytes: [Array("LPUSH".utf8), Array(keys.pending.utf8), payload])
        }
    }

    // MARK: - The store, read directly

    /// Every record and dead letter by id; for the directory queue, the dead letter's reason is read from
    /// the note kept beside it.
    func stored() throws -> (processed: [String: [UInt8]], errors: [String: [UInt8]], reasons: [String: String]) {
        switch kind {
        case .dir:
            let processed = try files(in: root + "/processed")
            let errors = try files(in: root + "/errors")
            var reasons: [String: String] = [:]
            for id in errors.keys {
                let note = FileManager.default.contents(atPath: root + "/errors/.\(id).reason") ?? Data()
                let object = try? JSONSerialization.jsonObject(with: note) as? [String: Any]
                reasons[id] = object?["reason"] as? String ?? "<no reason note>"
            }
            return (processed, errors, reasons)
        case .redis:
            let connection = try redisConnection()
            defer { connection.close() }
            let processed = try connection.hashFields(keys.processed)
            let errors = try connection.hashFields(keys.errors)
            var reasons: [String: String] = [:]
            for (id, letter) in errors {
                let object = try? JSONSerialization.jsonObject(with: Data(letter)) as? [String: Any]
                reasons[id] = object?["reason"] as? String ?? "<no reason>"
            }
            return (processed, errors, reasons)
        }
    }

    /// Entries still pending or in flight.
    func leftovers() throws -> [String] {
        switch kind {
        case .dir:
            var names: [String] = []
            let pending = (try? FileManager.default.contentsOfDirectory(atPath: root + "/pending")) ?? []
            names += pending.filter { !$0.hasPrefix(".") }.map { "pending/" + $0 }
            let processing = root + "/processing"
            for consumer in (try? FileManager.default.contentsOfDirectory(atPath: processing)) ?? [] {
                let held = (try? FileManager.default.contentsOfDirectory(atPath: processing + "/" + consumer)) ?? []
                names += held.filter { !$0.hasPrefix(".") }.map { "processing/\(consumer)/" + $0 }
            }
            return names
        case .redis:
            let connection = try redisConnection()
            defer { connection.close() }
            var names: [String] = []
            let pending = try connection.command(["LLEN", keys.pending]).int ?? 0
            if pending > 0 { names.append("pending: \(pending)") }
            let held = try connection.command(["LLEN", keys.processing("hostile")]).int ?? 0
            if held > 0 { names.append("processing:hostile: \(held)") }
            return names
        }
    }

    /// Every key in the Redis server.
    func allRedisKeys() throws -> [String] {
        let connection = try redisConnection()
        defer { connection.close() }
        var keys: [String] = []
        var cursor = "0"
        repeat {
            let reply = try connection.command(["SCAN", cursor, "COUNT", "1000"]).array ?? []
            guard reply.count == 2, let next = reply[0].string, let entries = reply[1].array else {
                throw TestFailure("unexpected SCAN reply")
            }
            cursor = next
            keys += entries.map { String(decoding: $0.bytes ?? [], as: UTF8.self) }
        } while cursor != "0"
        return keys
    }

    private func files(in directory: String) throws -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory)
        where name.hasSuffix(".json") && !name.hasPrefix(".") {
            var info = stat()
            lstat(directory + "/" + name, &info)
            let isFile = info.st_mode & S_IFMT == S_IFREG
            let data = isFile ? FileManager.default.contents(atPath: directory + "/" + name) ?? Data() : Data()
            result[String(name.dropLast(".json".count))] = Array(data)
        }
        return result
    }

}
