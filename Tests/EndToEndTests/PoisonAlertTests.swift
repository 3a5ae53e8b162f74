import AlertQueue
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Entries that are not alerts land in the queue between valid ones: each is dead-lettered with its
/// reason and an `[ERROR]` line, and the loop goes on.
@Suite struct PoisonAlertTests {
    /// A poison entry: its file name stem (directory queue), its bytes, and the reason category expected.
    struct Poison {
        var name: String
        var bytes: [UInt8]
        var category: String
    }

    static let poisons: [Poison] = [
        Poison(name: "not-json", bytes: Array("this is not json {".utf8), category: "malformed"),
        Poison(name: "empty", bytes: [], category: "malformed"),
        Poison(
            name: "array", bytes: Array(#"[{"alert_id":"array","source_ip":"8.8.8.8"}]"#.utf8), category: "malformed"),
        Poison(name: "x", bytes: Array(#"{"alert_id":"x"}"#.utf8), category: "invalid-source-ip"),
        Poison(name: "bad", bytes: [0xFF, 0xFE, 0x7B, 0x00, 0x22, 0xC3], category: "malformed"),
        Poison(
            name: "traversal", bytes: Array(#"{"alert_id":"../../etc/passwd","source_ip":"1.1.1.1"}"#.utf8),
            category: "invalid-id"),
        Poison(
            name: "bad-ip", bytes: Array(#"{"alert_id":"bad-ip","source_ip":"999.1.2.3"}"#.utf8),
            category: "invalid-source-ip"),
    ]

    @Test(arguments: QueueConfiguration.Kind.allCases)
    func poisonIsDeadLetteredAndTheLoopGoesOn(kind: QueueConfiguration.Kind) throws {
        try Pipeline.with(kind) { pipeline in
            var valid: [String] = []
            for _ in 0..<10 {
                valid.append(try pipeline.enqueue())
            }
            var expectedIDs: [String: String] = [:]  // dead-letter id → expected category
            for poison in Self.poisons {
                try pipeline.putRaw(poison.bytes, name: poison.name + ".json")
                expectedIDs[Self.deadLetterID(of: poison, kind: kind)] = poison.category
            }
            if kind == .dir {
                // A symlink to a file outside the queue, and a file that is not named as an alert.
                let pending = pipeline.queueRoot + "/pending"
                try FileManager.default.createSymbolicLink(
                    atPath: pending + "/passwd.json", withDestinationPath: "/etc/passwd")
                expectedIDs["passwd"] = "malformed"
                try pipeline.putRaw(Array("left alone".utf8), name: "notes.txt")
            }
            for _ in 0..<10 {
                valid.append(try pipeline.enqueue())
            }

            let api = try pipeline.startAPI()
            let processor = try pipeline.startProcessor(api: api)
            let finished = try pipeline.waitUntilFinished(valid.count + expectedIDs.count)
            try #require(finished, "the queue was not drained:\n\(pipeline.diagnostics())")
            processor.signal(SIGTERM)
            #expect(processor.wait() == 0)

            // Every valid alert processed; every poison dead-lettered once, with its reason.
            #expect(Set(try pipeline.records().keys) == Set(valid))
            let letters = try pipeline.deadLetters()
            #expect(Set(letters.keys) == Set(expectedIDs.keys))
            for (id, category) in expectedIDs {
                #expect(letters[id]?.hasPrefix(category + ": ") == true, "reason of \(id): \(letters[id] ?? "none")")
            }
            let lines = OutputLines.errors(processor.standardOutput)
            #expect(lines.count == expectedIDs.count, "one [ERROR] line per dead letter: \(lines)")
            for line in lines {
                #expect(letters[line.id] == line.reason, "[ERROR] \(line.id) \(line.reason)")
            }
            #expect(OutputLines.processed(processor.standardOutput).count == valid.count)

            let counts = try pipeline.counts()
            #expect(
                counts
                    == QueueCounts(
                        generated: valid.count + expectedIDs.count, pending: 0, inFlight: 0, processed: valid.count,
                        errors: expectedIDs.count))
            if kind == .dir {
                #expect(pipeline.visibleEntries("errors").count == expectedIDs.count, "ls errors | wc -l")
                #expect(pipeline.visibleEntries("pending") == ["notes.txt"], "a non-.json file is never taken")
                #expect(pipeline.visibleEntries("processed").count == valid.count)
            }
            #expect(try pipeline.monitorSnapshot().status == 0)
        }
    }

    /// The id a poison entry's dead letter is filed under: the file name stem in the directory queue;
    /// in Redis the payload's usable `alert_id`, else the stable fallback of its bytes.
    static func deadLetterID(of poison: Poison, kind: QueueConfiguration.Kind) -> String {
        switch kind {
        case .dir:
            return poison.name
        case .redis:
            return AlertParser.identify(poison.bytes) ?? AlertID.fallback(for: poison.bytes)
        }
    }
}
