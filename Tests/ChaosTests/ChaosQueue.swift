import AlertQueue
import Foundation
import RedisClient
import TestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The queue a chaos run works on: a temporary directory, or a `redis-server` of its own with AOF on, which
/// the run may SIGKILL and restart. The test reads the store through it directly, not through any program.
///
/// `@unchecked Sendable`: `observer` is made once in `init`; `RedisServer` and the backends are thread-safe.
final class ChaosQueue: @unchecked Sendable {
    let kind: QueueConfiguration.Kind
    let directory: TemporaryDirectory
    /// The directory queue's root.
    let root: String
    let redis: RedisServer?
    let keys = RedisKeys()
    private let observer: any QueueBackend

    /// - Parameter appendFsync: Redis only: `always` or `everysec`.
    init(_ kind: QueueConfiguration.Kind, appendFsync: String = "always") throws {
        self.kind = kind
        directory = try TemporaryDirectory(prefix: "chaos")
        root = directory.path + "/queue"
        var configuration = QueueConfiguration(kind: kind, directory: root)
        if kind == .redis {
            let server = RedisServer(appendOnly: true, appendFsync: appendFsync)
            do {
                try server.start()
            } catch {
                directory.remove()
                throw error
            }
            redis = server
            configuration.redisURL = server.url
        } else {
            redis = nil
        }
        do {
            observer = try configuration.makeBackend(consumer: "chaos-observer")
        } catch {
            redis?.stop()
            directory.remove()
            throw error
        }
    }

    /// Stops the server and removes every file. Harmless to call twice.
    func stop() {
        redis?.stop()
        directory.remove()
    }

    /// What every program needs to reach this queue.
    var arguments: [String] {
        switch kind {
        case .dir: ["--backend", "dir", "--dir", root]
        case .redis: ["--backend", "redis", "--redis-url", redis!.urlString]
        }
    }

    func counts() throws -> QueueCounts {
        try observer.counts()
    }

    func enqueue(_ payload: [UInt8], id: String) throws {
        try observer.enqueue(payload, id: id)
    }

    // MARK: - The store, read directly

    /// Every stored record and dead letter, by id.
    func storedEntries() throws -> (processed: [String: [UInt8]], errors: [String: [UInt8]]) {
        switch kind {
        case .dir:
            return (try files(in: root + "/processed"), try files(in: root + "/errors"))
        case .redis:
            let connection = try redisConnection()
            defer { connection.close() }
            return (try connection.hashFields(keys.processed), try connection.hashFields(keys.errors))
        }
    }

    /// In-flight entries per consumer area, empty areas left out.
    func inFlight() throws -> [String: [String]] {
        var result: [String: [String]] = [:]
        switch kind {
        case .dir:
            let processing = root + "/processing"
            for consumer in (try? FileManager.default.contentsOfDirectory(atPath: processing)) ?? [] {
                let names = ((try? FileManager.default.contentsOfDirectory(atPath: processing + "/" + consumer)) ?? [])
                    .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
                if !names.isEmpty { result[consumer] = names }
            }
        case .redis:
            let connection = try redisConnection()
            defer { connection.close() }
            let prefix = keys.processing("")
            for key in try scanKeys(matching: prefix + "*", connection) {
                let elements = try connection.command(["LRANGE", key, "0", "-1"]).array ?? []
                if !elements.isEmpty {
                    result[String(key.dropFirst(prefix.count))] = elements.map {
                        String(decoding: $0.bytes ?? [], as: UTF8.self)
                    }
                }
            }
        }
        return result
    }

    /// Temporary files (`.…tmp`) left in the store's directories by writes a SIGKILL cut short.
    func leftoverTemporaryFiles() -> [String] {
        guard kind == .dir else { return [] }
        var found: [String] = []
        for area in ["pending", "processed", "errors"] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: root + "/" + area)) ?? []
            found += names.filter { $0.hasPrefix(".") && $0.hasSuffix(".tmp") }.map { area + "/" + $0 }
        }
        return found
    }

    /// A connection of the test's own, for reading Redis directly.
    func redisConnection() throws -> RedisConnection {
        guard let redis else { throw AdminError("not a Redis queue") }
        return try RedisConnection(url: redis.url, connectTimeout: .seconds(2), commandTimeout: .seconds(10))
    }

    private func files(in directory: String) throws -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory)
        where name.hasSuffix(".json") && !name.hasPrefix(".") {
            let data = FileManager.default.contents(atPath: directory + "/" + name) ?? Data()
            result[String(name.dropLast(".json".count))] = Array(data)
        }
        return result
    }

    private func scanKeys(matching pattern: String, _ connection: RedisConnection) throws -> [String] {
        var keys: [String] = []
        var cursor = "0"
        repeat {
            let reply = try connection.command(["SCAN", cursor, "MATCH", pattern, "COUNT", "1000"]).array ?? []
            guard reply.count == 2, let next = reply[0].string, let entries = reply[1].array else {
                throw AdminError("unexpected SCAN reply")
            }
            cursor = next
            keys += entries.compactMap(\.string)
        } while cursor != "0"
        return keys
    }
}
