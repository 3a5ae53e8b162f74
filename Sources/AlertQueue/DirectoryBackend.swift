import Diagnostics
import Locks
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The queue as plain files under one root, laid out as the reference lab does:
/// `pending/`, `processing/<consumer>/`, `processed/`, `errors/`.
///
/// A claim is one `rename` from `pending/` into this consumer's area, so two consumers never hold the same
/// file. Results are written atomically (temporary file, fsync, rename) before the input is removed. A
/// consumer holds a `flock` on its area for its whole life, which tells others at once when it died.
public final class DirectoryBackend: QueueBackend {
    public let consumer: String
    public let root: String

    /// How long after its last write a file that does not parse yet is waited for, because a producer
    /// that writes in place may still be writing it.
    public let youngFileGrace: Duration

    let pendingDirectory: String
    let processingRoot: String
    let processedDirectory: String
    let errorsDirectory: String
    let ownDirectory: String

    private let watcher: DirectoryWatcher
    /// Names listed in `pending/` and not yet tried, shared by this consumer's threads so the directory is
    /// listed once per batch rather than once per claim. Taken by every worker for every claim: a lock that
    /// sleeps rather than spins (see `WaitingMutex`).
    private let candidates = WaitingMutex<[String]>([])
    /// The stream the batches are read from. Its lock also makes refilling single-flight: one thread reads
    /// the next batch while the others wait for it, instead of each listing the whole backlog at once.
    private let listing = Mutex(PendingListing())
    /// Names per batch: enough that the directory is read rarely, few enough that memory stays flat.
    static let listingBatch = 1024
    private let lock = Mutex<ConsumerLock?>(nil)
    /// Finished alert files kept in this consumer's area as dot-files, each rewritten into the next record
    /// instead of creating a file and removing another: see `store` and `release`.
    private let spares = WaitingMutex(SparePool())
    private let reasonCache = Mutex<[String: String]>([:])

    /// Opens (and creates) the layout under `root`.
    public init(root: String, consumer: String, youngFileGrace: Duration = .seconds(2)) throws {
        if let problem = AlertID.problem(with: consumer) {
            throw QueueError("open directory queue", "invalid consumer name: \(problem)")
        }
        self.root = root
        self.consumer = consumer
        self.youngFileGrace = youngFileGrace
        pendingDirectory = "\(root)/pending"
        processingRoot = "\(root)/processing"
        processedDirectory = "\(root)/processed"
        errorsDirectory = "\(root)/errors"
        ownDirectory = "\(root)/processing/\(consumer)"
        for directory in [pendingDirectory, processingRoot, processedDirectory, errorsDirectory] {
            try FileSystem.makeDirectory(directory)
        }
        watcher = DirectoryWatcher(directory: pendingDirectory)
    }

    deinit {
        lock.withLock { $0?.release() }
        listing.withLock { $0.close() }
    }

    // MARK: Enqueue

    public func enqueue(_ payload: [UInt8], id: String) throws {
        if let problem = AlertID.problem(with: id) {
            throw QueueError("enqueue", problem)
        }
        try FileSystem.writeAtomically(payload, directory: pendingDirectory, name: "\(id).json")
        try FileSystem.syncDirectory(pendingDirectory)
    }

    // MARK: Claim

    public func claim(timeout: Duration) throws -> ClaimedAlert? {
        try heartbeat()
        let deadline = ContinuousClock.now + timeout
        while true {
            if let name = try nextCandidate() {
                let source = "\(pendingDirectory)/\(name)"
                let destination = "\(ownDirectory)/\(name)"
                if try FileSystem.rename(source, to: destination) {
                    return try read(claimed: name)
                }
                continue
            }
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero { return nil }
            watcher.wait(timeout: min(remaining, .milliseconds(500)))
        }
    }

    /// The next name to try, reading the next batch of `pending/` when the last one is used up.
    private func nextCandidate() throws -> String? {
        if let name = candidates.withLock({ $0.popLast() }) {
            return name
        }
        return try listing.withLock { listing throws(QueueError) -> String? in
            // Another thread may have refilled the batch while this one waited for the listing.
            if let name = candidates.withLock({ $0.popLast() }) {
                return name
            }
            let names = try listing.nextBatch(of: pendingDirectory, limit: Self.listingBatch)
            guard !names.isEmpty else { return nil }
            // Reversed, so popLast takes them in the order the directory gave them.
            return candidates.withLock { batch in
                batch = names.reversed()
                return batch.popLast()
            }
        }
    }

    /// Reads a file just claimed, waiting for a young file that does not parse yet to be finished.
    private func read(claimed name: String) throws -> ClaimedAlert {
        let path = "\(ownDirectory)/\(name)"
        let stem = String(name.dropLast(".json".count))
        let stemIsSafe = AlertID.isSafe(stem)
        let id = stemIsSafe ? stem : AlertID.fallback(for: name.utf8)
        while true {
            switch try FileSystem.read(regularFileAt: path, limit: AlertParser.maximumSize) {
            case .bytes(let payload, let modified):
                let alert = AlertParser.parse(payload, expectedID: stemIsSafe ? stem : nil)
                if case .failure(let reason) = alert, reason.category == .malformed,
                    FileSystem.age(of: modified) < youngFileGrace.seconds
                {
                    sleep(for: .milliseconds(20))
                    continue
                }
                let checked = stemIsSafe ? alert : .failure(DeadLetterReason(.invalidID, "unsafe file name"))
                return ClaimedAlert(id: id, payload: payload, alert: checked, entry: .file(name: name))
            case .tooLarge(let size):
                let reason = DeadLetterReason(.malformed, "larger than \(AlertParser.maximumSize) bytes (\(size))")
                return ClaimedAlert(id: id, payload: [], alert: .failure(reason), entry: .file(name: name))
            case .notRegular(let kind):
                let reason = DeadLetterReason(.malformed, "\(kind), not an alert file")
                return ClaimedAlert(id: id, payload: [], alert: .failure(reason), entry: .file(name: name))
            case .missing:
                throw QueueError("read \(path)", "claimed file vanished")
            }
        }
    }

    // MARK: Results

    public func complete(_ alert: ClaimedAlert, record: [UInt8], summary: ResultSummary) throws {
        try store(alert, record: record)
        try release(alert)
    }

    /// The first half of `complete`: the record is stored, the input still in flight. Separate so tests can
    /// stop between the two steps, as a crash would.
    ///
    /// The record goes into a spare (an earlier alert's file, see `release`) when there is one: on ext4,
    /// allocating an inode scans past every inode freed in the last minutes, under the directory's lock,
    /// and that scan was most of what a completion cost at high concurrency.
    func store(_ alert: ClaimedAlert, record: [UInt8]) throws {
        let destination = "\(processedDirectory)/\(alert.id).json"
        var stored = false
        while !stored, let spare = spares.withLock({ $0.take() }) {
            stored = try FileSystem.rewriteAtomically(record, reusing: "\(ownDirectory)/\(spare)", to: destination)
        }
        if !stored {
            try FileSystem.writeAtomically(record, directory: processedDirectory, name: "\(alert.id).json")
        }
        // The rename must be on disk before the input is removed: a file system without a journal does not
        // order the two directories' updates, and a power cut could otherwise keep the removal and lose
        // the record.
        try FileSystem.syncDirectory(processedDirectory)
        try FileSystem.remove("\(errorsDirectory)/\(alert.id).json")
        try FileSystem.remove(reasonPath(for: alert.id))
    }

    /// The second half of `complete`: the input leaves the in-flight area. It is kept as a spare for a
    /// later record when it is an ordinary file of ours that its producer is surely done with (unchanged
    /// for the young-file grace), and removed otherwise.
    func release(_ alert: ClaimedAlert) throws {
        guard case .file(let name) = alert.entry else { preconditionFailure("not a directory entry") }
        let path = "\(ownDirectory)/\(name)"
        if FileSystem.isReusable(path, quietSeconds: youngFileGrace.seconds),
            let spare = spares.withLock({ $0.reserve() })
        {
            let kept: Bool
            do {
                kept = try FileSystem.rename(path, to: "\(ownDirectory)/\(spare)")
            } catch {
                spares.withLock { $0.cancel() }
                throw error
            }
            spares.withLock { kept ? $0.add(spare) : $0.cancel() }
            return
        }
        try FileSystem.remove(path)
    }

    public func deadLetter(_ alert: ClaimedAlert, reason: String) throws {
        guard case .file(let name) = alert.entry else { preconditionFailure("not a directory entry") }
        let note = JSONText.object([
            ("alert_id", alert.id), ("reason", reason), ("failed_at", Timestamp.now().iso8601),
            ("consumer", consumer),
        ])
        try FileSystem.writeAtomically(Array(note.utf8), directory: errorsDirectory, name: ".\(alert.id).reason")
        // An alert stored before and delivered again is in one place only: the latest outcome. Removed while
        // the input is still in flight, so a crash here loses nothing.
        try FileSystem.remove("\(processedDirectory)/\(alert.id).json")
        let source = "\(ownDirectory)/\(name)"
        let destination = "\(errorsDirectory)/\(alert.id).json"
        var info = stat()
        if lstat(source, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
            // A directory cannot replace a file, nor be read as an alert: keep it out of sight and leave
            // the dead letter as a note, so `ls errors` still counts one entry for it.
            _ = try FileSystem.rename(source, to: "\(errorsDirectory)/.rejected-\(alert.id)-\(getpid())")
            try FileSystem.writeAtomically(Array(note.utf8), directory: errorsDirectory, name: "\(alert.id).json")
            return
        }
        _ = try FileSystem.rename(source, to: destination)
    }

    public func giveBack(_ alert: ClaimedAlert) throws {
        guard case .file(let name) = alert.entry else { preconditionFailure("not a directory entry") }
        _ = try FileSystem.rename("\(ownDirectory)/\(name)", to: "\(pendingDirectory)/\(name)")
    }

    func reasonPath(for id: String) -> String {
        "\(errorsDirectory)/.\(id).reason"
    }

    // MARK: Liveness and recovery

    public func heartbeat() throws {
        try lock.withLock { held in
            if held == nil {
                held = try ConsumerLock.acquire(in: ownDirectory, timeout: .seconds(5))
            }
        }
    }

    public func recoverInFlight(includingOwn: Bool) throws -> RecoveryReport {
        var report = RecoveryReport()
        if includingOwn {
            try heartbeat()
            removeAbandonedTemporaryFiles()
            let moved = try moveBack(from: ownDirectory)
            if moved > 0 {
                report.consumers.append(consumer)
                report.alerts += moved
            }
        }
        for other in try FileSystem.entries(of: processingRoot) where other != consumer {
            let directory = "\(processingRoot)/\(other)"
            guard let orphanLock = try ConsumerLock.takeOver(in: directory) else {
                try recoverUnlocked(directory, name: other, into: &report)
                continue
            }
            let moved = try moveBack(from: directory)
            orphanLock.release(removingFileIn: directory)
            rmdir(directory)
            report.consumers.append(other)
            report.alerts += moved
        }
        return report
    }

    /// A consumer area with no lock file at all: left by a crash between creating it and locking it, or by
    /// another tool. Taken back only once it has been still for a while, so a consumer that is just
    /// starting keeps its area.
    private func recoverUnlocked(_ directory: String, name: String, into report: inout RecoveryReport) throws {
        guard FileSystem.modificationTime("\(directory)/\(ConsumerLock.fileName)") == nil,
            let modified = FileSystem.modificationTime(directory), FileSystem.age(of: modified) > 30
        else { return }
        let moved = try moveBack(from: directory)
        rmdir(directory)
        if moved > 0 {
            report.consumers.append(name)
            report.alerts += moved
        }
    }

    /// Returns a consumer area's alerts to pending and removes its spares (finished alerts' files).
    private func moveBack(from directory: String) throws -> Int {
        var moved = 0
        for name in try FileSystem.entries(of: directory) {
            if FileSystem.isAlertName(name) {
                if try FileSystem.rename("\(directory)/\(name)", to: "\(pendingDirectory)/\(name)") {
                    moved += 1
                }
            } else if name.hasPrefix(SparePool.prefix) {
                try FileSystem.remove("\(directory)/\(name)")
            }
        }
        if directory == ownDirectory {
            spares.withLock { $0 = SparePool() }
        }
        return moved
    }

    /// Lets go of this consumer's lock as a crash would: in-flight files stay where they are.
    func abandon() {
        lock.withLock { held in
            held?.release()
            held = nil
        }
    }

    public func retire() throws {
        _ = try moveBack(from: ownDirectory)
        lock.withLock { held in
            held?.release(removingFileIn: ownDirectory)
            held = nil
        }
        rmdir(ownDirectory)
    }

    // MARK: Redrive

    public func redrive(reason: String?, limit: Int?, dryRun: Bool) throws -> [RedrivenAlert] {
        var redriven: [RedrivenAlert] = []
        for name in try FileSystem.entries(of: errorsDirectory).filter(FileSystem.isAlertName).sorted() {
            if let limit, redriven.count >= limit { break }
            let id = String(name.dropLast(".json".count))
            let text = storedReason(for: id)
            if let reason, !text.contains(reason) { continue }
            if !dryRun {
                var info = stat()
                guard lstat("\(errorsDirectory)/\(name)", &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
                    continue
                }
                guard try FileSystem.rename("\(errorsDirectory)/\(name)", to: "\(pendingDirectory)/\(name)") else {
                    continue
                }
                try FileSystem.remove(reasonPath(for: id))
            }
            redriven.append(RedrivenAlert(id: id, reason: text))
        }
        return redriven
    }

    /// The reason stored beside a dead letter, or `unknown` when it is missing or unreadable.
    func storedReason(for id: String) -> String {
        guard case .bytes(let bytes, _)? = try? FileSystem.read(regularFileAt: reasonPath(for: id), limit: 64 * 1024),
            let note = try? JSONFields(bytes), let reason = note.string("reason")
        else { return "unknown" }
        return reason
    }

    // MARK: Counts and results

    public func counts() throws -> QueueCounts {
        let pending = try alertNames(in: pendingDirectory)
        var inFlight: [String] = []
        for other in try FileSystem.entries(of: processingRoot) {
            let directory = "\(processingRoot)/\(other)"
            var info = stat()
            guard lstat(directory, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { continue }
            inFlight += try alertNames(in: directory)
        }
        let processed = try alertNames(in: processedDirectory)
        let errors = try alertNames(in: errorsDirectory)

        // Every alert has one name in one area; the same name in two areas is one alert counted twice,
        // so the distinct names are what was generated and the sum only equals it when nothing is doubled.
        var distinct = Set(processed)
        distinct.formUnion(errors)
        distinct.formUnion(pending)
        distinct.formUnion(inFlight)
        return QueueCounts(
            generated: distinct.count, pending: pending.count, inFlight: inFlight.count,
            processed: processed.count, errors: errors.count)
    }

    private func alertNames(in directory: String) throws -> [String] {
        try FileSystem.entries(of: directory).filter(FileSystem.isAlertName)
    }

    public func recentResults(limit: Int) throws -> [ResultSummary] {
        // One stat per stored record, relative to the open directory: the kernel looks up one name per
        // file instead of walking the whole path again, which is most of a refresh with 100,000 records.
        let directory = open(processedDirectory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { throw FileSystem.failure("open", processedDirectory) }
        defer { close(directory) }
        var newest: [(modified: timespec, name: String)] = []
        for name in try alertNames(in: processedDirectory) {
            var info = stat()
            guard fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            newest.append((info.st_mtim, name))
        }
        newest.sort { ($0.modified.tv_sec, $0.modified.tv_nsec) > ($1.modified.tv_sec, $1.modified.tv_nsec) }
        return newest.prefix(limit).compactMap { entry in
            let path = "\(processedDirectory)/\(entry.name)"
            guard
                case .bytes(let bytes, _)? = try? FileSystem.read(
                    regularFileAt: path, limit: AlertParser.maximumSize * 2)
            else { return nil }
            return ResultSummary(record: bytes)
        }
    }

    public func deadLetterCategories() throws -> [String: Int] {
        let ids = try alertNames(in: errorsDirectory).map { String($0.dropLast(".json".count)) }
        let known = reasonCache.withLock { $0 }
        var current: [String: String] = [:]
        current.reserveCapacity(ids.count)
        for id in ids {
            current[id] = known[id] ?? DeadLetterReason.category(of: storedReason(for: id))
        }
        reasonCache.withLock { $0 = current }
        var categories: [String: Int] = [:]
        for category in current.values {
            categories[category, default: 0] += 1
        }
        return categories
    }
}

/// The names of a consumer's spare files: finished alerts' files waiting to be rewritten into records.
/// Bounded, so a burst of completions does not leave thousands behind.
struct SparePool {
    static let prefix = ".spare-"
    static let capacity = 64

    private var names: [String] = []
    private var reserved = 0
    private var serial = 0

    /// A spare to rewrite, no longer in the pool.
    mutating func take() -> String? {
        names.popLast()
    }

    /// A name for a new spare, or nil when the pool is full; `add` or `cancel` it.
    mutating func reserve() -> String? {
        guard names.count + reserved < Self.capacity else { return nil }
        reserved += 1
        serial += 1
        return "\(Self.prefix)\(serial)"
    }

    mutating func add(_ name: String) {
        reserved -= 1
        names.append(name)
    }

    mutating func cancel() {
        reserved -= 1
    }
}
