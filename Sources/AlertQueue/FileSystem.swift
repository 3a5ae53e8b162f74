#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The POSIX calls the directory backend makes, wrapped once: `EINTR` is retried and a failure becomes
/// a `QueueError` naming the call, the path and the errno text.
enum FileSystem {
    static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    static func failure(_ call: String, _ path: String, _ code: Int32 = errno) -> QueueError {
        QueueError("\(call) \(path)", errorText(code))
    }

    /// Creates `path` and its missing parents with mode 0755.
    static func makeDirectory(_ path: String) throws(QueueError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw failure("mkdir", prefix)
            }
        }
    }

    /// The names in a directory, without `.` and `..`.
    static func entries(of path: String) throws(QueueError) -> [String] {
        try entries(of: path, hiddenOnly: false)
    }

    /// The names in a directory, or with `hiddenOnly` only its dot-files, without `.` and `..`. Other
    /// names are skipped before a string is made of them, so looking for a few hidden files in a
    /// directory of a million records costs no memory.
    static func entries(of path: String, hiddenOnly: Bool) throws(QueueError) -> [String] {
        guard let directory = opendir(path) else { throw failure("opendir", path) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name: String? = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: 256) { characters in
                    if hiddenOnly && characters[0] != CChar(UInt8(ascii: ".")) { return nil }
                    return String(cString: characters)
                }
            }
            if let name, name != "." && name != ".." {
                names.append(name)
            }
        }
        return names
    }

    /// Whether `name` is an alert entry: ends in `.json` and is not a dot-file (temporary files are).
    static func isAlertName(_ name: String) -> Bool {
        name.hasSuffix(".json") && !name.hasPrefix(".") && name.utf8.count > 5
    }

    /// Renames atomically; returns false when `source` no longer exists (someone else took it).
    static func rename(_ source: String, to destination: String) throws(QueueError) -> Bool {
        if Glibc.rename(source, destination) == 0 { return true }
        if errno == ENOENT { return false }
        throw failure("rename", "\(source) -> \(destination)")
    }

    /// Removes a file; a file already gone is not an error.
    static func remove(_ path: String) throws(QueueError) {
        if unlink(path) != 0 && errno != ENOENT {
            throw failure("unlink", path)
        }
    }

    /// Flushes a directory's entries to disk, so a rename into it survives a power cut.
    static func syncDirectory(_ path: String) throws(QueueError) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("open", path) }
        defer { close(descriptor) }
        if fsync(descriptor) != 0 { throw failure("fsync", path) }
    }

    /// Writes `bytes` to `directory/name` so that no reader ever sees part of it: a dot-named
    /// temporary file in the same directory, fsync, then rename over the destination.
    static func writeAtomically(_ bytes: [UInt8], directory: String, name: String) throws(QueueError) {
        let temporary = "\(directory)/.\(name).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else { throw failure("open", temporary) }
        do throws(QueueError) {
            try writeAll(bytes, to: descriptor, path: temporary)
            if fsync(descriptor) != 0 { throw failure("fsync", temporary) }
            close(descriptor)
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        if Glibc.rename(temporary, "\(directory)/\(name)") != 0 {
            let code = errno
            unlink(temporary)
            throw failure("rename", "\(temporary) -> \(directory)/\(name)", code)
        }
    }

    /// `writeAtomically` into a file that already exists: `spare`, an alert file this process is done with,
    /// is rewritten with `bytes`, fsync'd and renamed to `destination`. The guarantees are the same (no
    /// reader sees part of it; it is on disk before it is in place), and no inode is allocated or freed.
    ///
    /// - Returns: false, with the spare removed, when it cannot be reused: not a regular file with one link
    ///   owned by this user (a hostile producer's hard link must never be written through), or gone.
    /// - Throws: when writing failed; the spare is removed then too.
    static func rewriteAtomically(_ bytes: [UInt8], reusing spare: String, to destination: String) throws(QueueError)
        -> Bool
    {
        let descriptor = open(spare, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            unlink(spare)
            return false
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_nlink == 1,
            info.st_uid == geteuid()
        else {
            close(descriptor)
            unlink(spare)
            return false
        }
        do throws(QueueError) {
            if fchmod(descriptor, 0o644) != 0 { throw failure("fchmod", spare) }
            try writeAll(bytes, to: descriptor, path: spare)
            if ftruncate(descriptor, off_t(bytes.count)) != 0 { throw failure("ftruncate", spare) }
            if fsync(descriptor) != 0 { throw failure("fsync", spare) }
            close(descriptor)
        } catch {
            close(descriptor)
            unlink(spare)
            throw error
        }
        if Glibc.rename(spare, destination) != 0 {
            let code = errno
            unlink(spare)
            throw failure("rename", "\(spare) -> \(destination)", code)
        }
        return true
    }

    /// Whether the file at `path` may be rewritten by `rewriteAtomically` once its writer is surely done
    /// with it: a regular file with one link, owned by this user, unchanged for at least `quietSeconds`.
    static func isReusable(_ path: String, quietSeconds: Double) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else { return false }
        return info.st_mode & S_IFMT == S_IFREG && info.st_nlink == 1 && info.st_uid == geteuid()
            && age(of: info.st_mtim) >= quietSeconds
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws(QueueError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw failure("write", path)
            }
            offset += written
        }
    }

    /// What `read(regularFileAt:)` found.
    enum FileContents {
        case bytes([UInt8], modified: timespec)
        case tooLarge(Int)
        case notRegular(String)
        case missing
    }

    /// Reads a regular file without following a symlink or blocking on a FIFO.
    static func read(regularFileAt path: String, limit: Int) throws(QueueError) -> FileContents {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        if descriptor < 0 {
            switch errno {
            case ENOENT: return .missing
            case ELOOP: return .notRegular("a symbolic link")
            default: throw failure("open", path)
            }
        }
        defer { close(descriptor) }
        var info = stat()
        if fstat(descriptor, &info) != 0 { throw failure("fstat", path) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return .notRegular("a directory")
        default: return .notRegular("not a regular file")
        }
        if Int(info.st_size) > limit { return .tooLarge(Int(info.st_size)) }

        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure("read", path)
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > limit { return .tooLarge(bytes.count) }
        }
        return .bytes(bytes, modified: info.st_mtim)
    }

    /// Seconds since `time` on the wall clock.
    static func age(of time: timespec) -> Double {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec - time.tv_sec) + Double(now.tv_nsec - time.tv_nsec) / 1e9
    }

    /// The modification time of `path` without following links, or nil when it is gone.
    static func modificationTime(_ path: String) -> timespec? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return info.st_mtim
    }
}
