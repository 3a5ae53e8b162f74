/// How important a diagnostic is, from `trace` (most verbose) to `critical`.
public enum LogLevel: String, CaseIterable, Comparable, Sendable {
    case trace
    case debug
    case info
    case notice
    case warning
    case error
    case critical

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool {
        lhs.rank < rhs.rank
    }

    private var rank: Int {
        Self.allCases.firstIndex(of: self)!
    }
}

/// How log lines are written: readable text, or one JSON object per line for SIEM ingestion.
public enum LogFormat: String, CaseIterable, Sendable {
    case text
    case json
}
