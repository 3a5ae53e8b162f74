#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A file descriptor that takes whole lines, one `write(2)` per line, so lines
/// from several threads or processes never interleave.
public struct LineOutput: Sendable {
    public let fileDescriptor: Int32

    public static let standardOutput = LineOutput(fileDescriptor: 1)
    public static let standardError = LineOutput(fileDescriptor: 2)

    public init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
    }

    /// Writes `line` and a newline. Short writes are resumed and `EINTR` retried;
    /// a closed pipe is ignored (SIGPIPE is expected to be ignored by the program).
    public func write(line: String) {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fileDescriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}
