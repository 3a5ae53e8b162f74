import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A directory of its own under `/tmp`, made with `mkdtemp` so parallel tests never share one.
public struct TemporaryDirectory: Sendable {
    public let path: String

    /// Creates `/tmp/<prefix>-XXXXXX`, readable by this user only. The prefix is kept short on purpose: a
    /// unix socket path inside the directory must stay under 108 bytes.
    public init(prefix: String = "alert-test") throws {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard let created else {
            throw TemporaryDirectoryError(message: "mkdtemp failed: \(String(cString: strerror(errno)))")
        }
        path = String(cString: created)
    }

    /// The path of `name` inside the directory.
    public func appending(_ name: String) -> String {
        path + "/" + name
    }

    /// Removes the directory and everything in it; a directory already gone is fine.
    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// The temporary directory could not be created.
public struct TemporaryDirectoryError: Error, CustomStringConvertible {
    public let message: String

    public var description: String {
        message
    }
}
