import AlertQueue
import Enrichment
import Foundation
import RedisClient
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// One backend under test: a Redis server of the benchmark's own, or a directory of its own.
///
/// Loading a backlog bypasses the producer path on purpose (one LPUSH per thousand alerts, files without
/// a per-file fsync, one `sync` at the end): what is measured is the processor, not the loading.
final class BenchQueue: @unchecked Sendable {
    // @unchecked: used by the driver's main thread only, apart from `makeBackend`, which reads constants.
    enum Kind: String {
        case redis
        case dir
    }

    let kind: Kind
    let label: String
    /// Redis: the server's URL; directory: the queue root.
    let location: String
    private let redisURL: RedisURL?

    init(redis url: RedisURL, urlText: String, label: String) {
        kind = .redis
        self.label = label
        location = urlText
        redisURL = url
    }

    init(directory: String, label: String) {
        kind = .dir
        self.label = label
        location = directory
        redisURL = nil
    }

    /// The queue options every program takes.
    var queueArguments: [String] {
        switch kind {
        case .redis: ["--backend", "redis", "--redis-url", location]
        case .dir: ["--backend", "dir", "--dir", location]
        }
    }

    func makeBackend(consumer: String) throws -> any QueueBackend {
        switch kind {
        case .redis: try RedisBackend(url: redisURL!, consumer: consumer)
        case .dir: try DirectoryBackend(root: location, consumer: consumer)
        }
    }

    func connection() throws -> RedisConnection {
        try RedisConnection(url: redisURL!, commandTimeout: .seconds(60))
    }

    /// Empties the queue and the store.
    func reset() throws {
        switch kind {
        case .redis:
            let connection = try connection()
            defer { connection.close() }
            try connection.command(["FLUSHALL"])
        case .dir:
            // Set aside, not deleted: on ext4 without a journal (this machine's), creating a file scans past
            // every inode freed in the last minutes, so deleting 100,000 files here would slow the next drain
            // down. `removeSetAside()` deletes them when the run is over.
            if FileManager.default.fileExists(atPath: location) {
                setAsideCount += 1
                try FileManager.default.moveItem(atPath: location, toPath: "\(location).old-\(setAsideCount)")
            }
            try FileManager.default.createDirectory(atPath: location, withIntermediateDirectories: true)
        }
    }

    private var setAsideCount = 0

    /// Deletes the directory queue and every earlier one `reset()` set aside.
    func removeSetAside() {
        guard kind == .dir else { return }
        let parent = URL(fileURLWithPath: location).deletingLastPathComponent().path
        let name = URL(fileURLWithPath: location).lastPathComponent
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        let doomed = entries.filter { $0 == name || $0.hasPrefix(name + ".old-") }.map { parent + "/" + $0 }
        if !doomed.isEmpty {
            _ = try? run("/bin/rm", ["-rf"] + doomed)
        }
    }

    /// Puts `count` generated alerts on the queue; `seed` makes the alert stream the same on every run.
    func load(_ count: Int, seed: UInt64, generator: AlertGenerator = AlertGenerator()) throws {
        var random = SeededRandom(seed: seed)
        switch kind {
        case .redis:
            let keys = RedisKeys()
            let connection = try connection()
            defer { connection.close() }
            var batch: [[UInt8]] = []
            for index in 0..<count {
                batch.append(generator.makeAlert(using: &random).payload)
                if batch.count == 1_000 || index == count - 1 {
                    try connection.command(bytes: [Array("LPUSH".utf8), Array(keys.pending.utf8)] + batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            try connection.command(["INCRBY", keys.generated, String(count)])
        case .dir:
            let pending = location + "/pending"
            try FileManager.default.createDirectory(atPath: pending, withIntermediateDirectories: true)
            for _ in 0..<count {
                let alert = generator.makeAlert(using: &random)
                try writeFile(alert.payload, to: "\(pending)/\(alert.id).json")
            }
            // Flushed now so the drain does not pay for the backlog's writeback (syncfs is not exported to Swift).
            sync()
        }
    }

    /// Writes a file under a dot-name, then renames it into place, so no reader sees it half-written.
    private func writeFile(_ bytes: [UInt8], to path: String) throws {
        let temporary = path.replacingOccurrences(of: "/pending/", with: "/pending/.") + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw BenchError("open \(temporary): \(String(cString: strerror(errno)))") }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        guard written == bytes.count, rename(temporary, path) == 0 else {
            throw BenchError("write \(path): \(String(cString: strerror(errno)))")
        }
    }
}

/// A failure of the benchmark itself.
struct BenchError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}

/// Runs a program to its end; returns its standard output. Throws when it fails.
@discardableResult
func run(_ path: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw BenchError("\(path) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
    }
    return String(decoding: data, as: UTF8.self)
}

/// Runs a shell command line and returns its output, or `unknown` when it fails.
func shell(_ command: String) -> String {
    let text = (try? run("/bin/sh", ["-c", command])) ?? "unknown"
    return text.trimmingCharacters(in: .whitespacesAndNewlines)
}
