#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A consumer's liveness in the directory backend: an exclusive `flock` on `processing/<consumer>/.lock`,
/// held for as long as the consumer lives.
///
/// The kernel drops the lock when the process dies, SIGKILL included, so another consumer that manages to
/// take it knows at once, with no timeout to wait out, that the in-flight alerts beside it are orphans.
final class ConsumerLock: Sendable {
    static let fileName = ".lock"

    private let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Takes the lock of the consumer whose area is `directory`, waiting up to `timeout` for it.
    static func acquire(in directory: String, timeout: Duration) throws(QueueError) -> ConsumerLock {
        let path = "\(directory)/\(fileName)"
        let deadline = ContinuousClock.now + timeout
        while true {
            try FileSystem.makeDirectory(directory)
            let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
            guard descriptor >= 0 else { throw FileSystem.failure("open", path) }
            if flock(descriptor, LOCK_EX | LOCK_NB) == 0 {
                // A reaper may have removed the file between our open and our flock: then we hold a lock
                // on a file nobody else can see, and must start over.
                if sameFile(descriptor, path) {
                    return ConsumerLock(descriptor: descriptor)
                }
            } else if errno != EWOULDBLOCK {
                let code = errno
                close(descriptor)
                throw FileSystem.failure("flock", path, code)
            }
            close(descriptor)
            if ContinuousClock.now >= deadline {
                throw QueueError("flock \(path)", "the consumer name is in use by a live process")
            }
            sleep(for: .milliseconds(50))
        }
    }

    /// Takes the lock only if its owner is gone; nil while a live consumer holds it.
    static func takeOver(in directory: String) throws(QueueError) -> ConsumerLock? {
        let path = "\(directory)/\(fileName)"
        let descriptor = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw FileSystem.failure("open", path)
        }
        if flock(descriptor, LOCK_EX | LOCK_NB) == 0, sameFile(descriptor, path) {
            return ConsumerLock(descriptor: descriptor)
        }
        close(descriptor)
        return nil
    }

    /// Gives up the lock; the file is removed first when `removingFile`, so no one else can take it.
    func release(removingFileIn directory: String? = nil) {
        if let directory {
            unlink("\(directory)/\(Self.fileName)")
        }
        close(descriptor)
    }

    private static func sameFile(_ descriptor: Int32, _ path: String) -> Bool {
        var opened = stat()
        var named = stat()
        guard fstat(descriptor, &opened) == 0, lstat(path, &named) == 0 else { return false }
        return opened.st_dev == named.st_dev && opened.st_ino == named.st_ino
    }
}
