/// One `[COLLECTED] <id> severity=… rule=… source_ip=…` line of the collector.
struct CollectedAlert: Equatable {
    var id: String
    var severity: String
    var rule: String
    var sourceIP: String
}

/// One `[PROCESSED] <id> verdict=<verdict> duration=<ms>ms` line of a processor.
struct ProcessedLine: Equatable {
    var id: String
    var verdict: String
    var durationMilliseconds: Int
}

/// One `[ERROR] <id> <reason>` line of a processor.
struct ErrorLine: Equatable {
    var id: String
    var reason: String
}

/// Reads the interface lines the programs print on standard output.
enum OutputLines {
    /// The pattern every `[PROCESSED]` line matches, exactly (DESIGN.md, "Log line").
    static let processedPattern =
        #"^\[PROCESSED\] [0-9a-f-]{36} verdict=(malicious|suspicious|clean|unknown) duration=\d+ms$"#

    /// The lines that are complete: a line still being written (no newline yet) is left out.
    static func complete(_ text: String) -> [Substring] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        lines.removeLast()
        return lines.filter { !$0.isEmpty }
    }

    /// The `[PROCESSED]` lines, parsed; lines that start with the tag but are malformed are kept with
    /// what could be read, so a pattern check reports them.
    static func processedLines(_ text: String) -> [Substring] {
        complete(text).filter { $0.hasPrefix("[PROCESSED] ") }
    }

    static func processed(_ text: String) -> [ProcessedLine] {
        processedLines(text).compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count == 4, parts[2].hasPrefix("verdict="), parts[3].hasPrefix("duration="),
                parts[3].hasSuffix("ms")
            else { return nil }
            let duration = Int(parts[3].dropFirst("duration=".count).dropLast(2)) ?? -1
            return ProcessedLine(
                id: String(parts[1]), verdict: String(parts[2].dropFirst("verdict=".count)),
                durationMilliseconds: duration)
        }
    }

    static func errors(_ text: String) -> [ErrorLine] {
        complete(text).compactMap { line in
            guard line.hasPrefix("[ERROR] ") else { return nil }
            let rest = line.dropFirst("[ERROR] ".count)
            guard let space = rest.firstIndex(of: " ") else { return ErrorLine(id: String(rest), reason: "") }
            return ErrorLine(id: String(rest[..<space]), reason: String(rest[rest.index(after: space)...]))
        }
    }

    static func collected(_ text: String) -> [CollectedAlert] {
        complete(text).compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count == 5, parts[0] == "[COLLECTED]" else { return nil }
            func value(_ part: Substring, _ label: String) -> String {
                part.hasPrefix(label + "=") ? String(part.dropFirst(label.count + 1)) : ""
            }
            return CollectedAlert(
                id: String(parts[1]), severity: value(parts[2], "severity"), rule: value(parts[3], "rule"),
                sourceIP: value(parts[4], "source_ip"))
        }
    }
}
