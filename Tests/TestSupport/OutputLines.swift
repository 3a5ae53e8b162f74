/// The interface lines the programs print, read back.
public enum OutputLines {
    /// `[COLLECTED] <id> severity=… rule=… source_ip=<ip>`: id → source IP, in order, repeats kept.
    public static func collected(_ text: String) -> [(id: String, sourceIP: String)] {
        var result: [(String, String)] = []
        for line in text.split(separator: "\n") where line.hasPrefix("[COLLECTED] ") {
            let parts = line.split(separator: " ")
            guard parts.count >= 2 else { continue }
            let ip = parts.first { $0.hasPrefix("source_ip=") }.map { String($0.dropFirst("source_ip=".count)) }
            result.append((String(parts[1]), ip ?? ""))
        }
        return result
    }

    /// `[PROCESSED] <id> verdict=<verdict> duration=<ms>ms`: (id, verdict) per line.
    public static func processed(_ text: String) -> [(id: String, verdict: String)] {
        var result: [(String, String)] = []
        for line in text.split(separator: "\n") where line.hasPrefix("[PROCESSED] ") {
            let parts = line.split(separator: " ")
            guard parts.count == 4, parts[2].hasPrefix("verdict="), parts[3].hasPrefix("duration="),
                parts[3].hasSuffix("ms")
            else { continue }
            result.append((String(parts[1]), String(parts[2].dropFirst("verdict=".count))))
        }
        return result
    }

    /// `[ERROR] <id> <reason>`: (id, reason) per line.
    public static func deadLettered(_ text: String) -> [(id: String, reason: String)] {
        var result: [(String, String)] = []
        for line in text.split(separator: "\n") where line.hasPrefix("[ERROR] ") {
            let rest = line.dropFirst("[ERROR] ".count)
            guard let space = rest.firstIndex(of: " ") else { continue }
            result.append((String(rest[..<space]), String(rest[rest.index(after: space)...])))
        }
        return result
    }

    /// Lines of standard output that are neither kind: the interface allows none.
    public static func strays(_ text: String) -> [Substring] {
        text.split(separator: "\n").filter { !$0.hasPrefix("[PROCESSED] ") && !$0.hasPrefix("[ERROR] ") }
    }
}
