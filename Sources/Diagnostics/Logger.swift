#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Writes diagnostics: a short constant message plus `key=value` metadata, one line per event.
///
/// Text lines read `2026-12-03T16:07:40.707Z warning processor: api unreachable api.url=… error=…`;
/// JSON lines carry the same fields as one object. Libraries take a logger from their caller;
/// only programs build one.
public struct Logger: Sendable {
    public typealias Metadata = [String: String]

    public var label: String
    public var level: LogLevel
    public var format: LogFormat
    public var output: LineOutput

    public init(label: String, level: LogLevel = .info, format: LogFormat = .text, output: LineOutput = .standardError)
    {
        self.label = label
        self.level = level
        self.format = format
        self.output = output
    }

    /// A logger that drops everything, for callers that have nothing to say.
    public static let disabled = Logger(label: "disabled", level: .critical, output: LineOutput(fileDescriptor: -1))

    public func isEnabled(_ level: LogLevel) -> Bool {
        level >= self.level && output.fileDescriptor >= 0
    }

    public func log(_ level: LogLevel, _ message: String, _ metadata: Metadata = [:]) {
        guard isEnabled(level) else { return }
        output.write(line: render(level: level, message: message, metadata: metadata))
    }

    public func trace(_ message: String, _ metadata: Metadata = [:]) { log(.trace, message, metadata) }
    public func debug(_ message: String, _ metadata: Metadata = [:]) { log(.debug, message, metadata) }
    public func info(_ message: String, _ metadata: Metadata = [:]) { log(.info, message, metadata) }
    public func notice(_ message: String, _ metadata: Metadata = [:]) { log(.notice, message, metadata) }
    public func warning(_ message: String, _ metadata: Metadata = [:]) { log(.warning, message, metadata) }
    public func error(_ message: String, _ metadata: Metadata = [:]) { log(.error, message, metadata) }
    public func critical(_ message: String, _ metadata: Metadata = [:]) { log(.critical, message, metadata) }

    /// The line for one event, without its newline.
    public func render(level: LogLevel, message: String, metadata: Metadata) -> String {
        let time = Timestamp.now().iso8601
        switch format {
        case .text:
            var line = "\(time) \(level.rawValue) \(label): \(message)"
            for key in metadata.keys.sorted() {
                line += " \(key)=\(Self.quotedIfNeeded(metadata[key]!))"
            }
            return line
        case .json:
            var fields: [(String, String)] = [("time", time), ("level", level.rawValue), ("label", label)]
            fields.append(("message", message))
            for key in metadata.keys.sorted() {
                fields.append((key, metadata[key]!))
            }
            return JSONText.object(fields)
        }
    }

    private static func quotedIfNeeded(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }
        guard needsQuotes else { return value }
        return JSONText.quoted(value)
    }
}
