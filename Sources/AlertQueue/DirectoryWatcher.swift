import Diagnostics

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Wakes a waiting consumer when a file lands in a directory, through inotify; where inotify is not
/// available (some network filesystems, exhausted watches) it falls back to polling.
final class DirectoryWatcher: Sendable {
    /// How often the directory is listed again when inotify is not available.
    static let pollInterval: Duration = .milliseconds(100)

    private let descriptor: Int32

    init(directory: String) {
        let descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        if descriptor >= 0 {
            let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_MODIFY)
            if inotify_add_watch(descriptor, directory, mask) < 0 {
                close(descriptor)
                self.descriptor = -1
                return
            }
        }
        self.descriptor = descriptor
    }

    deinit {
        if descriptor >= 0 {
            close(descriptor)
        }
    }

    var usesInotify: Bool { descriptor >= 0 }

    /// Waits until something changed in the directory or `timeout` passed, whichever is first.
    func wait(timeout: Duration) {
        guard descriptor >= 0 else {
            sleep(for: min(timeout, Self.pollInterval))
            return
        }
        let milliseconds = Int32(clamping: timeout.wholeMilliseconds)
        var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let ready = poll(&request, 1, max(0, milliseconds))
        if ready > 0 {
            drain()
        }
    }

    /// Reads and drops the pending events: the consumer lists the directory anyway.
    private func drain() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while buffer.withUnsafeMutableBytes({ read(descriptor, $0.baseAddress!, $0.count) }) > 0 {}
    }
}

/// Sleeps the calling thread (never a cooperative one: callers of the backends run on their own threads).
func sleep(for duration: Duration) {
    let nanoseconds = duration.wholeNanoseconds
    guard nanoseconds > 0 else { return }
    var request = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR {
        request = remaining
    }
}
