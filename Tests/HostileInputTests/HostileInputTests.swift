import AlertQueue
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The real processor against a corpus of hostile entries, on both queues: each entry is processed (where
/// valid) or dead-lettered with a clear reason, nothing outside the queue is read or written, and the
/// processor never crashes.
@Suite(.serialized) struct HostileInputTests {
    @Test(.timeLimit(.minutes(3)), arguments: QueueConfiguration.Kind.allCases)
    func everyHostileEntryIsProcessedOrDeadLetteredWithAReason(kind: QueueConfiguration.Kind) async throws {
        let escapeName = "hostile-escape-\(UInt32.random(in: 0...UInt32.max))"
        let seen = try await onOwnThread {
            try HostileRig.with(kind) { rig in try HostileRun(rig: rig, escapeName: escapeName).run() }
        }
        print(
            "HOSTILE \(kind.rawValue): \(seen.entries.count) corpus entries, \(seen.processed.count) processed, "
                + "\(seen.errors.count) dead-lettered")

        // Each entry: one outcome, the expected one, with its reason and its line on standard output.
        var printedErrors: [String: String] = [:]
        for line in OutputLines.deadLettered(seen.output) { printedErrors[line.id] = line.reason }
        let printedProcessed = Set(OutputLines.processed(seen.output).map(\.id))
        var expectedIDs: Set<String> = []
        for entry in seen.entries {
            let id = kind == .dir ? entry.directoryID : entry.redisID
            let outcome = (kind == .dir ? entry.directoryOutcome : entry.redisOutcome)!
            expectedIDs.insert(id)
            let isProcessed = seen.processed[id] != nil
            let isDeadLetter = seen.errors[id] != nil
            let where_ = "\(entry.label) (id \(id.debugDescription))"
            #expect(isProcessed != isDeadLetter, "\(where_): processed \(isProcessed), dead letter \(isDeadLetter)")
            switch outcome {
            case .processed:
                #expect(isProcessed, "\(where_): \(seen.reasons[id] ?? "not stored")")
                #expect(printedProcessed.contains(id), "\(where_): no [PROCESSED] line")
                if let record = seen.processed[id], let payload = entry.payload {
                    #expect(
                        RecordCheck.problems(record: record, payload: payload).isEmpty,
                        "\(where_): \(RecordCheck.problems(record: record, payload: payload))")
                }
            case .deadLettered(let reason):
                #expect(isDeadLetter, "\(where_): not dead-lettered")
                #expect(seen.reasons[id]?.contains(reason) == true, "\(where_): reason \(seen.reasons[id] ?? "none")")
                #expect(
                    printedErrors[id]?.contains(reason) == true,
                    "\(where_): [ERROR] line \(printedErrors[id] ?? "none")")
            case .either:
                #expect(isProcessed || printedErrors[id] != nil, "\(where_)")
            }
        }
        #expect(
            Set(seen.processed.keys).union(seen.errors.keys) == expectedIDs,
            "unexpected ids: \(Set(seen.processed.keys).union(seen.errors.keys).subtracting(expectedIDs).sorted())")
        #expect(seen.leftovers.isEmpty, "left pending or in flight: \(seen.leftovers)")

        // The processor lived through it, and its output is only interface lines, nothing injected.
        #expect(seen.processorAlive)
        #expect(seen.stopStatus == 0, "\(seen.errorOutput.suffix(2000))")
        #expect(!seen.errorOutput.contains("Fatal error"), "\(seen.errorOutput.suffix(2000))")
        #expect(
            OutputLines.strays(seen.output).isEmpty, "stray output lines: \(OutputLines.strays(seen.output).prefix(5))")

        // Nothing outside the queue was read or written.
        #expect(seen.outsideProblems.isEmpty, "\(seen.outsideProblems)")
        #expect(!seen.output.contains(outsideMarker) && !seen.errorOutput.contains(outsideMarker))
        #expect(!seen.output.contains("root:x:0:0") && !seen.errorOutput.contains("root:x:0:0"))
        #expect(!seen.storeMentionsOutside, "a record or dead letter holds bytes from outside the queue")
    }
}

/// What a hostile run saw.
struct HostileObservation: Sendable {
    var entries: [HostileEntry]
    var processed: [String: [UInt8]]
    var errors: [String: [UInt8]]
    var reasons: [String: String]
    var leftovers: [String]
    var output: String
    var errorOutput: String
    var processorAlive: Bool
    var stopStatus: Int32
    var outsideProblems: [String]
    var storeMentionsOutside: Bool
}

/// Lays out the corpus, runs the processor over it and collects what happened.
struct HostileRun {
    let rig: HostileRig
    let escapeName: String

    func run() throws -> HostileObservation {
        let guardian = try OutsideGuardian(outside: rig.outside, base: rig.base.path, escapeName: escapeName)
        let entries = hostileCorpus(outside: rig.outside, escapeName: escapeName).filter {
            rig.kind == .dir || $0.redisOutcome != nil
        }
        var slowWriter: Thread?
        let written = DispatchSemaphore(value: 0)
        switch rig.kind {
        case .dir:
            _ = try rig.backend()  // lays out pending/, processing/, processed/, errors/
            for entry in entries {
                if case .slowWriter(let bytes) = entry.setup {
                    let path = "\(rig.root)/pending/\(entry.stem).json"
                    slowWriter = Thread {
                        Self.writeSlowly(bytes, to: path)
                        written.signal()
                    }
                } else {
                    try place(entry)
                }
            }
        case .redis:
            try rig.pushRaw(entries.compactMap(\.payload))
        }

        let processor = try rig.startProcessor()
        slowWriter?.start()
        let expected = Set(entries.map { rig.kind == .dir ? $0.directoryID : $0.redisID })
        _ = try poll(timeout: .seconds(120)) {
            let stored = try rig.stored()
            let leftovers = try rig.leftovers()
            return expected.isSubset(of: Set(stored.processed.keys).union(stored.errors.keys)) && leftovers.isEmpty
        }
        if slowWriter != nil { written.wait() }

        let stored = try rig.stored()
        let leftovers = try rig.leftovers()
        let alive = processor.isRunning
        processor.signal(SIGTERM)
        let status = processor.wait(timeout: .seconds(20))
        var outsideProblems = guardian.problems()
        if rig.kind == .redis {
            let foreign = try rig.allRedisKeys().filter { !$0.hasPrefix(rig.keys.prefix) }
            if !foreign.isEmpty { outsideProblems.append("keys outside the prefix: \(foreign)") }
        }
        let storeMentionsOutside = (stored.processed.values.map { $0 } + stored.errors.values.map { $0 }).contains {
            String(decoding: $0, as: UTF8.self).contains(outsideMarker)
        }
        return HostileObservation(
            entries: entries, processed: stored.processed, errors: stored.errors, reasons: stored.reasons,
            leftovers: leftovers, output: processor.standardOutput, errorOutput: processor.standardError,
            processorAlive: alive, stopStatus: status, outsideProblems: outsideProblems,
            storeMentionsOutside: storeMentionsOutside)
    }

    /// Puts one entry into `pending/` the way a careless or malicious producer would.
    private func place(_ entry: HostileEntry) throws {
        let path = "\(rig.root)/pending/\(entry.stem).json"
        switch entry.setup {
        case .bytes(let bytes), .slowWriter(let bytes):
            guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
                throw TestFailure("cannot write \(path.debugDescription)")
            }
        case .symlink(let target):
            guard symlink(target, path) == 0 else {
                throw TestFailure("symlink \(path): \(String(cString: strerror(errno)))")
            }
        case .directory:
            guard mkdir(path, 0o755) == 0 else {
                throw TestFailure("mkdir \(path): \(String(cString: strerror(errno)))")
            }
            _ = FileManager.default.createFile(atPath: path + "/inside.json", contents: Data("{}".utf8))
        case .fifo:
            guard mkfifo(path, 0o644) == 0 else {
                throw TestFailure("mkfifo \(path): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Writes `bytes` in place in ten chunks, 100 ms apart.
    static func writeSlowly(_ bytes: [UInt8], to path: String) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let chunk = max(bytes.count / 10, 1)
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + chunk, bytes.count)
            _ = bytes[offset..<end].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            offset = end
            pause(.milliseconds(100))
        }
    }
}

/// Files outside the queue root that the processor must neither read nor write, and the check that it did
/// neither: contents, modification and access times, and no new files beside the root or under /tmp.
struct OutsideGuardian {
    let outside: String
    let base: String
    let escapeName: String
    private let files: [String: (contents: Data, modified: timespec, accessed: timespec)]
    private let passwd: (contents: Data, modified: timespec)
    private let listing: [String]

    init(outside: String, base: String, escapeName: String) throws {
        self.outside = outside
        self.base = base
        self.escapeName = escapeName
        let canary = #"{"alert_id":"h-canary-link","source_ip":"8.8.8.8","secret":"\#(outsideMarker)"}"#
        var files: [String: (Data, timespec, timespec)] = [:]
        for (name, text) in [("canary.json", canary), ("secret.txt", outsideMarker)] {
            let path = outside + "/" + name
            guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
                throw TestFailure("cannot write \(path)")
            }
            // Times in the past: a read bumps an access time older than a day even under `relatime`.
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            var times = [
                timespec(tv_sec: now.tv_sec - 2 * 86_400, tv_nsec: 0),
                timespec(tv_sec: now.tv_sec - 3 * 86_400, tv_nsec: 0),
            ]
            utimensat(AT_FDCWD, path, &times, 0)
            let info = try Self.stat(path)
            files[path] = (Data(text.utf8), info.st_mtim, info.st_atim)
        }
        self.files = files
        passwd = (FileManager.default.contents(atPath: "/etc/passwd") ?? Data(), try Self.stat("/etc/passwd").st_mtim)
        listing = Self.list(base)
    }

    func problems() -> [String] {
        var problems: [String] = []
        for (path, before) in files.sorted(by: { $0.key < $1.key }) {
            guard let info = try? Self.stat(path) else {
                problems.append("\(path) is gone")
                continue
            }
            if info.st_atim.tv_sec != before.accessed.tv_sec {
                problems.append("\(path) was read (access time changed)")
            }
            if info.st_mtim.tv_sec != before.modified.tv_sec { problems.append("\(path) was modified") }
            if FileManager.default.contents(atPath: path) != before.contents { problems.append("\(path) changed") }
        }
        if FileManager.default.contents(atPath: "/etc/passwd") != passwd.contents
            || (try? Self.stat("/etc/passwd").st_mtim.tv_sec) != passwd.modified.tv_sec
        {
            problems.append("/etc/passwd changed")
        }
        let now = Self.list(base)
        if now != listing {
            problems.append(
                "files appeared or vanished beside the queue root: \(Set(now).symmetricDifference(listing))")
        }
        let escaped = ((try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []).filter {
            $0.hasPrefix(escapeName)
        }
        if !escaped.isEmpty { problems.append("files written under /tmp by an id: \(escaped)") }
        return problems
    }

    /// Every path under `base` except the queue root's subtree.
    private static func list(_ base: String) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: base)
        var paths: [String] = []
        while let path = enumerator?.nextObject() as? String {
            if path == "queue" || path.hasPrefix("queue/") { continue }
            paths.append(path)
        }
        return paths.sorted()
    }

    private static func stat(_ path: String) throws -> stat {
        var info = Glibc.stat()
        guard lstat(path, &info) == 0 else { throw TestFailure("lstat \(path): \(String(cString: strerror(errno)))") }
        return info
    }
}

/// Checks that a stored record is the alert with `enrichment` and `processed_at` added, nothing else.
enum RecordCheck {
    static func problems(record: [UInt8], payload: [UInt8]) -> [String] {
        guard let stored = try? JSONSerialization.jsonObject(with: Data(record)) as? [String: Any] else {
            return ["the record is not a JSON object"]
        }
        guard let original = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any] else {
            return []  // nothing to compare with (a byte order mark, say)
        }
        var problems: [String] = []
        let expectedKeys = Set(original.keys).union(["enrichment", "processed_at"])
        if Set(stored.keys) != expectedKeys {
            problems.append("keys \(Set(stored.keys).symmetricDifference(expectedKeys).sorted()) differ")
        }
        for (key, value) in original where key != "enrichment" && key != "processed_at" {
            if canonical(stored[key]) != canonical(value) { problems.append("field \(key) changed") }
        }
        if let enrichment = stored["enrichment"] as? [String: Any] {
            for key in ["verdict", "provider", "duration_ms", "cached"] where enrichment[key] == nil {
                problems.append("enrichment has no \(key)")
            }
        } else {
            problems.append("enrichment is not an object")
        }
        if let processedAt = stored["processed_at"] as? String {
            if !processedAt.hasSuffix("Z") || processedAt == original["processed_at"] as? String {
                problems.append("processed_at \(processedAt) is not this processing's time")
            }
        } else {
            problems.append("no processed_at")
        }
        return problems
    }

    /// A value as sorted-key JSON, to compare values parsed from two documents.
    static func canonical(_ value: Any?) -> Data? {
        guard let value else { return nil }
        return try? JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys, .fragmentsAllowed])
    }
}
