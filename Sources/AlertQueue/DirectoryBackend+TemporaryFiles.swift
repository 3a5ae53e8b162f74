#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

extension DirectoryBackend {
    /// How old a temporary file must be before it counts as abandoned: no write takes this long, so a
    /// file this old belongs to a writer that died, on this host or another sharing the directory.
    static let abandonedTemporaryAge: Double = 3600

    /// Removes the temporary files that writers killed mid-write left behind (`.<name>.<pid>.<n>.tmp`).
    /// They are never read as alerts; this only keeps them from piling up.
    /// - Returns: how many were removed.
    @discardableResult
    func removeAbandonedTemporaryFiles() -> Int {
        var removed = 0
        for directory in [pendingDirectory, processedDirectory, errorsDirectory] {
            // Only dot-files are listed: these directories hold the backlog and the whole store.
            guard let names = try? FileSystem.entries(of: directory, hiddenOnly: true) else { continue }
            for name in names where name.hasPrefix(".") && name.hasSuffix(".tmp") {
                let path = "\(directory)/\(name)"
                guard let modified = FileSystem.modificationTime(path),
                    FileSystem.age(of: modified) > Self.abandonedTemporaryAge
                else { continue }
                if unlink(path) == 0 {
                    removed += 1
                }
            }
        }
        return removed
    }
}
