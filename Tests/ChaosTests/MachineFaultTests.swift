import AlertQueue
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The machine fails the store: a file size limit (RLIMIT_FSIZE, so writes fail with EFBIG) or a full disk
/// (a small tmpfs, ENOSPC). Alerts must wait, pending or in flight, with an error on standard error, and be
/// processed once the space is back.
@Suite(.serialized) struct MachineFaultTests {
    struct Observation: Sendable {
        var duringFault: QueueCounts
        var after: QueueCounts
        var faultLog: String
        var temporaryFilesDuringFault: [String]
        var temporaryFilesAfter: [String]
        var processorAlive: Bool
        var stopStatus: Int32
        var output: String
    }

    static let validCount = 12
    static let malformedCount = 2

    @Test(.timeLimit(.minutes(2)))
    func aFileSizeLimitHoldsAlertsBackUntilItIsLifted() async throws {
        let seen = try await onOwnThread {
            try SingleProcessorRig.with(.dir) { rig in
                let processor = try rig.startProcessor("limited", ["--concurrency", "2"])
                // Smaller than any record and any dead letter's note: every store write fails with EFBIG. Only
                // the soft limit: raising a hard limit again needs CAP_SYS_RESOURCE, which containers lack.
                try Self.prlimit(pid: processor.pid, fileSize: "100:unlimited")
                try Self.enqueueAlerts(rig)
                return try Self.exercise(rig, processor: processor, expectedError: "File too large") {
                    try Self.prlimit(pid: processor.pid, fileSize: "unlimited:unlimited")
                }
            }
        }
        Self.judge(seen)
    }

    @Test(.timeLimit(.minutes(2)), .enabled(if: SmallTmpfs.isPermitted, "mounting a tmpfs needs CAP_SYS_ADMIN"))
    func aFullDiskHoldsAlertsBackUntilSpaceReturns() async throws {
        let seen = try await onOwnThread {
            try SingleProcessorRig.with(.dir) { rig in
                let disk = try SmallTmpfs(at: rig.queue.directory.appending("small"), size: "256k")
                defer { disk.unmount() }
                let root = disk.path + "/queue"
                let queue = try ChaosQueueView(root: root)
                try Self.enqueueAlerts(queue)
                try disk.fill()
                let processor = try ChildProcess(
                    "processor",
                    [
                        "--dir", root, "--api-url", rig.api.baseURL, "--consumer", "cramped", "--concurrency", "2",
                        "--timeout", "5", "--retries", "0", "--grace-period", "1",
                    ])
                defer {
                    if processor.isRunning {
                        processor.signal(SIGKILL)
                        processor.wait()
                    }
                }
                guard processor.waitFor("processor started", inErrors: true) else {
                    throw AdminError("processor did not start: \(processor.standardError)")
                }
                return try Self.exercise(queue, processor: processor, expectedError: "No space left on device") {
                    disk.emptyFiller()
                }
            }
        }
        Self.judge(seen)
    }

    // MARK: - Steps

    /// Puts valid and malformed alerts on the queue.
    static func enqueueAlerts(_ queue: some StoreView) throws {
        for index in 0..<validCount {
            let id = "held-\(index)"
            try queue.enqueue(alertPayload(id: id, ip: referenceVerdicts[index % referenceVerdicts.count].ip), id: id)
        }
        for index in 0..<malformedCount {
            try queue.enqueue(Array("not json \(index)".utf8), id: "broken-\(index)")
        }
    }

    /// With alerts queued while the store cannot be written: checks that they wait and the failure is
    /// logged, calls `restore`, then waits for all of them to be stored.
    static func exercise(
        _ queue: some StoreView, processor: ChildProcess, expectedError: String, restore: () throws -> Void
    ) throws -> Observation {
        let logged = processor.waitFor(expectedError, inErrors: true, timeout: .seconds(20))
        // Long enough for several retries with back-off.
        pause(.seconds(2))
        let duringFault = try queue.counts()
        let temporaryDuring = queue.temporaryFiles()
        let faultLog = processor.standardError.split(separator: "\n").filter { $0.contains(expectedError) }
            .prefix(3).joined(separator: "\n")

        try restore()
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let counts = try queue.counts()
            if counts.processed == validCount && counts.errors == malformedCount && counts.inFlight == 0 { break }
            pause(.milliseconds(100))
        }
        let after = try queue.counts()
        let alive = processor.isRunning
        processor.signal(SIGTERM)
        let status = processor.wait(timeout: .seconds(10))
        return Observation(
            duringFault: duringFault, after: after, faultLog: logged ? faultLog : "",
            temporaryFilesDuringFault: temporaryDuring, temporaryFilesAfter: queue.temporaryFiles(),
            processorAlive: alive, stopStatus: status, output: processor.standardOutput)
    }

    static func judge(_ seen: Observation, sourceLocation: SourceLocation = #_sourceLocation) {
        let total = validCount + malformedCount
        #expect(!seen.faultLog.isEmpty, "no error logged for the failing store", sourceLocation: sourceLocation)
        #expect(seen.duringFault.processed == 0, "\(seen.duringFault)", sourceLocation: sourceLocation)
        #expect(seen.duringFault.errors == 0, "\(seen.duringFault)", sourceLocation: sourceLocation)
        #expect(
            seen.duringFault.pending + seen.duringFault.inFlight == total, "\(seen.duringFault)",
            sourceLocation: sourceLocation)
        #expect(
            seen.temporaryFilesDuringFault.isEmpty, "\(seen.temporaryFilesDuringFault)", sourceLocation: sourceLocation)
        #expect(seen.processorAlive, sourceLocation: sourceLocation)
        #expect(
            seen.after
                == QueueCounts(
                    generated: total, pending: 0, inFlight: 0, processed: validCount, errors: malformedCount),
            "\(seen.after)", sourceLocation: sourceLocation)
        #expect(seen.temporaryFilesAfter.isEmpty, "\(seen.temporaryFilesAfter)", sourceLocation: sourceLocation)
        #expect(seen.stopStatus == 0, sourceLocation: sourceLocation)
        #expect(OutputLines.processed(seen.output).count == validCount, sourceLocation: sourceLocation)
        print("FAULT: \(seen.faultLog.split(separator: "\n").first ?? "")")
    }

    /// Changes a running process's file size limit with util-linux's `prlimit`.
    static func prlimit(pid: Int32, fileSize: String) throws {
        let tool = Process()
        tool.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
        tool.arguments = ["--pid", String(pid), "--fsize=\(fileSize)"]
        try tool.run()
        tool.waitUntilExit()
        guard tool.terminationStatus == 0 else { throw AdminError("prlimit --fsize=\(fileSize) failed") }
    }
}

/// What the fault tests need of a directory queue: enqueue, counts, and the temporary files in it.
protocol StoreView {
    func enqueue(_ payload: [UInt8], id: String) throws
    func counts() throws -> QueueCounts
    func temporaryFiles() -> [String]
}

extension SingleProcessorRig: StoreView {
    func enqueue(_ payload: [UInt8], id: String) throws {
        try queue.enqueue(payload, id: id)
    }

    func counts() throws -> QueueCounts {
        try queue.counts()
    }

    func temporaryFiles() -> [String] {
        queue.leftoverTemporaryFiles()
    }
}

/// A directory queue at a root of the test's choosing.
struct ChaosQueueView: StoreView {
    let root: String
    let backend: any QueueBackend

    init(root: String) throws {
        self.root = root
        backend = try DirectoryBackend(root: root, consumer: "observer")
    }

    func enqueue(_ payload: [UInt8], id: String) throws {
        try backend.enqueue(payload, id: id)
    }

    func counts() throws -> QueueCounts {
        try backend.counts()
    }

    func temporaryFiles() -> [String] {
        ["pending", "processed", "errors"].flatMap { area in
            ((try? FileManager.default.contentsOfDirectory(atPath: root + "/" + area)) ?? [])
                .filter { $0.hasPrefix(".") && $0.hasSuffix(".tmp") }
        }
    }
}

/// A tmpfs of a few hundred kilobytes mounted for one test, to fill up.
final class SmallTmpfs {
    let path: String
    private var filler: String { path + "/filler" }

    /// Whether this process may mount (root with CAP_SYS_ADMIN, as in CI containers run privileged).
    static let isPermitted: Bool = {
        guard let directory = try? TemporaryDirectory(prefix: "mnt-probe") else { return false }
        defer { directory.remove() }
        guard mount("tmpfs", directory.path, "tmpfs", 0, "size=64k") == 0 else { return false }
        umount2(directory.path, 0)
        return true
    }()

    init(at path: String, size: String) throws {
        self.path = path
        mkdir(path, 0o700)
        guard mount("tmpfs", path, "tmpfs", 0, "size=\(size)") == 0 else {
            throw AdminError("mount tmpfs on \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Writes a file until the file system is full.
    func fill() throws {
        let descriptor = open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw AdminError("open filler: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        let block = [UInt8](repeating: 0x78, count: 4096)
        while true {
            let written = block.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                guard errno == ENOSPC else { throw AdminError("write filler: \(String(cString: strerror(errno)))") }
                break
            }
            if written < block.count { continue }
        }
    }

    func emptyFiller() {
        unlink(filler)
    }

    /// Unmounts, lazily if something still holds it; harmless to call twice.
    func unmount() {
        if umount2(path, 0) != 0 {
            umount2(path, Int32(MNT_DETACH))
        }
    }
}
