#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `pending/` read a batch at a time from one open directory stream, each batch continuing where the
/// previous one stopped.
///
/// Listing the whole directory for every batch costs memory and time in proportion to the backlog (100,000
/// names is about 10 MB, and each of a processor's threads used to make its own copy at once). A stream
/// read in bounded batches keeps memory at one batch however long the backlog, and sweeping on from the
/// last position reaches every file in turn, so none waits longer than one sweep.
///
/// Not thread-safe: `DirectoryBackend` uses it under a lock.
struct PendingListing {
    /// The open `DIR *`, nil before the first batch and after a sweep reached the end.
    private var stream: OpaquePointer?

    /// Up to `limit` alert names, in the directory's own order (not sorted: names say nothing about age).
    ///
    /// A sweep that reaches the end of the directory returns what it found; the next call starts a new
    /// sweep, which sees files added meanwhile. When a sweep that started mid-directory reaches the end
    /// without finding anything, it starts over once, so files behind the old position are not missed.
    mutating func nextBatch(of path: String, limit: Int) throws(QueueError) -> [String] {
        var names: [String] = []
        var restarted = stream == nil
        while names.count < limit {
            let current: OpaquePointer
            if let stream {
                current = stream
            } else {
                guard let opened = opendir(path) else { throw FileSystem.failure("opendir", path) }
                stream = opened
                current = opened
            }
            guard let entry = readdir(current) else {
                close()
                if !names.isEmpty || restarted { break }
                restarted = true
                continue
            }
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if FileSystem.isAlertName(name) {
                names.append(name)
            }
        }
        return names
    }

    /// Closes the stream; the next batch starts a new sweep.
    mutating func close() {
        if let stream {
            closedir(stream)
        }
        stream = nil
    }
}
