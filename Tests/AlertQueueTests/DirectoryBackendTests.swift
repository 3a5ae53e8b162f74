import Foundation
import Synchronization
import TestSupport
import Testing

@testable import AlertQueue

/// What only the directory backend has to cope with: files that producers drop in by hand.
@Suite struct DirectoryBackendTests {
    func withBackend(_ body: (DirectoryBackend, String) throws -> Void) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let root = directory.path + "/queue"
        let backend = try DirectoryBackend(root: root, consumer: "tester", youngFileGrace: .milliseconds(500))
        try body(backend, root)
    }

    func write(_ text: String, to path: String) {
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    }

    func listing(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    @Test func theLayoutIsTheLabsLayout() throws {
        try withBackend { (backend, root) throws in
            try backend.enqueue(alertPayload(id: "a1"), id: "a1")
            #expect(listing(root) == ["errors", "pending", "processed", "processing"])
            #expect(listing(root + "/pending") == ["a1.json"])
            let claimed = try #require(try backend.claim(timeout: .seconds(1)))
            #expect(listing(root + "/processing/tester") == ["a1.json"])
            try backend.complete(claimed, record: record(for: claimed), summary: summary(for: claimed))
            #expect(listing(root + "/processed") == ["a1.json"])
            #expect(listing(root + "/processing/tester").isEmpty)
        }
    }

    @Test func aDeadLetterIsOneVisibleEntryWithItsReasonBeside() throws {
        try withBackend { (backend, root) throws in
            write("not-json", to: root + "/pending/bad.json")
            let claimed = try #require(try backend.claim(timeout: .seconds(2)))
            #expect(claimed.id == "bad")
            try backend.deadLetter(claimed, reason: "malformed: not valid JSON")
            #expect(listing(root + "/errors") == ["bad.json"])
            #expect(try String(contentsOfFile: root + "/errors/bad.json", encoding: .utf8) == "not-json")
            #expect(backend.storedReason(for: "bad") == "malformed: not valid JSON")
        }
    }

    @Test func aFileStillBeingWrittenIsWaitedFor() throws {
        try withBackend { (backend, root) throws in
            // A producer that writes in place: the first half now, the rest a little later.
            let full = String(decoding: alertPayload(id: "slow"), as: UTF8.self)
            let half = full.index(full.startIndex, offsetBy: full.count / 2)
            let path = root + "/pending/slow.json"
            let handle = try #require(
                FileHandle(
                    forWritingAtPath: {
                        write("", to: path); return path
                    }()))
            handle.write(Data(full[..<half].utf8))
            let writer = TestThread {
                usleep(200_000)
                handle.write(Data(full[half...].utf8))
                try? handle.close()
            }
            let claimed = try #require(try backend.claim(timeout: .seconds(2)))
            writer.join()
            #expect((try? claimed.alert.get())?.id == "slow")
        }
    }

    @Test func anOldFileThatDoesNotParseIsNotWaitedForForever() throws {
        try withBackend { (backend, root) throws in
            let path = root + "/pending/stale.json"
            write(#"{"alert_id":"stale","#, to: path)
            let old = Date(timeIntervalSinceNow: -60)
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: path)
            let claimed = try #require(try backend.claim(timeout: .seconds(1)))
            #expect(claimed.alert.failureCategory == .malformed)
        }
    }

    @Test func entriesThatAreNotAlertsAreIgnored() throws {
        try withBackend { (backend, root) throws in
            write("{}", to: root + "/pending/notes.txt")
            write("{}", to: root + "/pending/.hidden.json")
            write("{}", to: root + "/pending/.a1.json.123.tmp")
            write("{}", to: root + "/pending/.json")
            #expect(try backend.claim(timeout: .milliseconds(200)) == nil)
            #expect(try backend.counts().pending == 0)
        }
    }

    @Test func oddButSafeNamesWork() throws {
        try withBackend { (backend, root) throws in
            let text = #"{"alert_id":"with space","source_ip":"8.8.8.8"}"#
            write(text, to: root + "/pending/with space.json")
            let claimed = try #require(try backend.claim(timeout: .seconds(1)))
            #expect(claimed.id == "with space")
            #expect((try? claimed.alert.get()) != nil)
        }
    }

    @Test func aNameThatCannotBeAnIdIsDeadLetteredUnderAFallback() throws {
        try withBackend { (backend, root) throws in
            write(#"{"alert_id":"x","source_ip":"8.8.8.8"}"#, to: root + "/pending/line\nbreak.json")
            let claimed = try #require(try backend.claim(timeout: .seconds(1)))
            #expect(claimed.id.hasPrefix("invalid-"))
            #expect(claimed.alert.failureCategory == .invalidID)
            try backend.deadLetter(claimed, reason: "invalid-id: unsafe file name")
            #expect(listing(root + "/errors") == ["\(claimed.id).json"])
        }
    }

    @Test func aSymlinkIsNeverFollowed() throws {
        try withBackend { (backend, root) throws in
            try FileManager.default.createSymbolicLink(
                atPath: root + "/pending/link.json", withDestinationPath: "/etc/passwd")
            let claimed = try #require(try backend.claim(timeout: .seconds(1)))
            #expect(claimed.payload.isEmpty)
            #expect(claimed.alert.failureCategory == .malformed)
            try backend.deadLetter(claimed, reason: "malformed: a symbolic link")
            #expect(listing(root + "/errors") == ["link.json"])
            #expect(FileManager.default.fileExists(atPath: "/etc/passwd"))
        }
    }

    @Test func aDirectoryNamedLikeAnAlertIsDeadLettered() throws {
        try withBackend { (backend, root) throws in
            try FileManager.default.createDirectory(
                atPath: root + "/pending/x.json", withIntermediateDirectories: false)
            let claimed = try #require(try backend.claim(timeout: .seconds(1)))
            #expect(claimed.alert.failureCategory == .malformed)
            try backend.deadLetter(claimed, reason: "malformed: a directory")
            #expect(listing(root + "/errors") == ["x.json"])
            #expect(try backend.counts() == QueueCounts(generated: 1, pending: 0, inFlight: 0, processed: 0, errors: 1))
        }
    }

    @Test func aFileWhoseIdDisagreesWithItsNameIsRefused() throws {
        try withBackend { (backend, root) throws in
            write(String(decoding: alertPayload(id: "inside"), as: UTF8.self), to: root + "/pending/outside.json")
            let claimed = try #require(try backend.claim(timeout: .seconds(1)))
            #expect(claimed.id == "outside")
            #expect(claimed.alert.failureCategory == .invalidID)
        }
    }

    @Test func anIdInTwoAreasDoesNotReconcile() throws {
        try withBackend { (backend, root) throws in
            try backend.enqueue(alertPayload(id: "dup"), id: "dup")
            write("{}", to: root + "/processed/dup.json")
            let counts = try backend.counts()
            #expect(counts.generated == 1)
            #expect(!counts.reconciles)
        }
    }
}

/// A finished alert's file is kept as a spare and rewritten into a later record, so a completion allocates
/// and frees no inode; only files that are surely finished, ordinary and ours are ever rewritten.
@Suite struct SpareFileTests {
    func withBackend(grace: Duration = .zero, _ body: (DirectoryBackend, String) throws -> Void) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let root = directory.path + "/queue"
        try body(try DirectoryBackend(root: root, consumer: "tester", youngFileGrace: grace), root)
    }

    func inode(_ path: String) -> UInt64? {
        var info = stat()
        return lstat(path, &info) == 0 ? UInt64(info.st_ino) : nil
    }

    func spares(_ root: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root + "/processing/tester")) ?? [])
            .filter { $0.hasPrefix(".spare-") }
    }

    func completeNext(_ backend: DirectoryBackend) throws -> ClaimedAlert {
        let claimed = try #require(try backend.claim(timeout: .seconds(1)))
        try backend.complete(claimed, record: record(for: claimed), summary: summary(for: claimed))
        return claimed
    }

    @Test func theNextRecordIsWrittenIntoTheLastAlertsFile() throws {
        try withBackend { (backend, root) throws in
            _ = try backend.recoverInFlight(includingOwn: true)
            try backend.enqueue(alertPayload(id: "one"), id: "one")
            let firstInode = inode(root + "/pending/one.json")
            _ = try completeNext(backend)
            #expect(spares(root).count == 1, "one.json's file is kept as a spare")
            #expect(try backend.counts() == QueueCounts(generated: 1, pending: 0, inFlight: 0, processed: 1, errors: 0))

            try backend.enqueue(alertPayload(id: "two"), id: "two")
            let two = try completeNext(backend)
            #expect(inode(root + "/processed/two.json") == firstInode, "two's record went into one's old file")
            #expect(try Data(contentsOf: URL(fileURLWithPath: root + "/processed/two.json")) == Data(record(for: two)))
            var info = stat()
            #expect(lstat(root + "/processed/two.json", &info) == 0 && info.st_mode & 0o777 == 0o644)
            #expect(spares(root).count == 1, "two.json's file took its place")
            #expect(try backend.counts() == QueueCounts(generated: 2, pending: 0, inFlight: 0, processed: 2, errors: 0))

            try backend.retire()
            #expect(!FileManager.default.fileExists(atPath: root + "/processing/tester"), "retire removes spares")
        }
    }

    @Test func aLongerRecordAndAShorterOneBothComeOutWhole() throws {
        try withBackend { (backend, root) throws in
            let long = #"{"alert_id":"long","source_ip":"10.0.0.1","note":"\#(String(repeating: "x", count: 5000))"}"#
            _ = FileManager.default.createFile(atPath: root + "/pending/long.json", contents: Data(long.utf8))
            _ = try completeNext(backend)
            try backend.enqueue(alertPayload(id: "short"), id: "short")
            let short = try completeNext(backend)
            #expect(
                try Data(contentsOf: URL(fileURLWithPath: root + "/processed/short.json")) == Data(record(for: short)))
        }
    }

    /// A hostile producer hard-links a file it wants overwritten into pending/: it is stored like any
    /// alert, but its file is never rewritten.
    @Test func aHardLinkedInputIsNeverWrittenThrough() throws {
        try withBackend { (backend, root) throws in
            let victim = root + "/victim.json"
            let text = String(decoding: alertPayload(id: "linked"), as: UTF8.self)
            _ = FileManager.default.createFile(atPath: victim, contents: Data(text.utf8))
            #expect(link(victim, root + "/pending/linked.json") == 0)
            _ = try completeNext(backend)
            #expect(spares(root).isEmpty)
            try backend.enqueue(alertPayload(id: "after"), id: "after")
            _ = try completeNext(backend)
            #expect(try String(contentsOfFile: victim, encoding: .utf8) == text)
            #expect(try backend.counts() == QueueCounts(generated: 2, pending: 0, inFlight: 0, processed: 2, errors: 0))
        }
    }

    /// A producer that writes in place may still hold its file open: a file changed within the young-file
    /// grace is removed, never kept for rewriting.
    @Test func aYoungInputIsRemovedNotKept() throws {
        try withBackend(grace: .seconds(30)) { (backend, root) throws in
            try backend.enqueue(alertPayload(id: "young"), id: "young")
            _ = try completeNext(backend)
            #expect(spares(root).isEmpty)
            #expect(try backend.counts().processed == 1)
        }
    }

    /// A consumer that died leaves spares beside its in-flight alerts: recovery gives the alerts back,
    /// removes the spares, and the dead consumer's area with them.
    @Test func recoveryRemovesADeadConsumersSpares() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let root = directory.path + "/queue"
        let dead = try DirectoryBackend(root: root, consumer: "dead", youngFileGrace: .zero)
        for id in ["done", "held"] {
            try dead.enqueue(alertPayload(id: id), id: id)
        }
        let first = try #require(try dead.claim(timeout: .seconds(1)))
        try dead.complete(first, record: record(for: first), summary: summary(for: first))
        _ = try #require(try dead.claim(timeout: .seconds(1)))
        dead.abandon()
        let names = try FileManager.default.contentsOfDirectory(atPath: root + "/processing/dead")
        #expect(names.contains { $0.hasPrefix(".spare-") })

        let heir = try DirectoryBackend(root: root, consumer: "heir")
        #expect(try heir.recoverInFlight(includingOwn: true).alerts == 1)
        #expect(!FileManager.default.fileExists(atPath: root + "/processing/dead"))
        #expect(try heir.counts() == QueueCounts(generated: 2, pending: 1, inFlight: 0, processed: 1, errors: 0))
    }
}

@Suite struct AbandonedTemporaryFileTests {
    /// The start-up sweep looks through the backlog and the store; only their dot-files become strings.
    @Test func listingDotFilesOnlySkipsEverythingElse() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for name in ["a.json", ".b.json.1.2.tmp", "c", ".lock"] {
            _ = FileManager.default.createFile(atPath: "\(directory.path)/\(name)", contents: nil)
        }
        #expect(try FileSystem.entries(of: directory.path, hiddenOnly: true).sorted() == [".b.json.1.2.tmp", ".lock"])
        #expect(try FileSystem.entries(of: directory.path).count == 4)
    }

    @Test func oldTemporaryFilesAreRemovedAtStartUpAndYoungOnesKept() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let backend = try DirectoryBackend(root: directory.path + "/queue", consumer: "starter")
        let old = directory.path + "/queue/processed/.a1.json.123.4.tmp"
        let young = directory.path + "/queue/errors/.a2.json.123.5.tmp"
        _ = FileManager.default.createFile(atPath: old, contents: Data("{".utf8))
        _ = FileManager.default.createFile(atPath: young, contents: Data("{".utf8))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7200)], ofItemAtPath: old)

        _ = try backend.recoverInFlight(includingOwn: true)
        #expect(!FileManager.default.fileExists(atPath: old))
        #expect(FileManager.default.fileExists(atPath: young))
    }
}
