/// What a program is called, what it does and which options it takes; renders `--help`.
public struct CommandDescription: Sendable {
    public var name: String
    public var overview: String
    public var options: [OptionDefinition]
    /// Free text shown after the options, e.g. examples.
    public var discussion: String?

    public init(name: String, overview: String, options: [OptionDefinition], discussion: String? = nil) {
        self.name = name
        self.overview = overview
        self.options = options + [StandardOptions.version, StandardOptions.help]
        self.discussion = discussion
    }

    /// `processor [--backend <backend>] [--dir <path>] …`, wrapped like swift-argument-parser does.
    public var usage: String {
        let parts = options.filter { $0.long != "help" && $0.long != "version" }.map { option -> String in
            switch option.kind {
            case .flag: return "[--\(option.long)]"
            case .value(let name): return "[--\(option.long) <\(name)>]"
            }
        }
        var lines: [String] = []
        var line = name
        for part in parts {
            if line.count + 1 + part.count > 78 {
                lines.append(line)
                line = String(repeating: " ", count: name.count + 7) + part
            } else {
                line += " " + part
            }
        }
        lines.append(line)
        return lines.joined(separator: "\n")
    }

    /// The whole help text, in the layout of swift-argument-parser.
    public var help: String {
        let overviewLines = Self.wrap("OVERVIEW: \(overview)", width: 80).joined(separator: "\n")
        var text = "\(overviewLines)\n\nUSAGE: \(usage)\n\nOPTIONS:\n"
        let column = 26
        let indent = String(repeating: " ", count: column)
        for option in options {
            let label = "  " + option.label
            let helpLines = Self.wrap(option.helpText, width: 80 - column)
            if label.count <= column - 2 {
                text += label + String(repeating: " ", count: column - label.count) + helpLines[0] + "\n"
            } else {
                text += label + "\n" + indent + helpLines[0] + "\n"
            }
            for line in helpLines.dropFirst() {
                text += indent + line + "\n"
            }
        }
        if let discussion {
            let lines = discussion.split(separator: "\n", omittingEmptySubsequences: false)
            text += "\n" + lines.flatMap { Self.wrap(String($0), width: 80) }.joined(separator: "\n") + "\n"
        }
        return text
    }
}

extension CommandDescription {
    /// Splits `text` into lines of at most `width` characters at spaces (a longer word keeps its own line).
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if line.isEmpty {
                line = String(word)
            } else if line.count + 1 + word.count <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = String(word)
            }
        }
        lines.append(line)
        return lines
    }
}

/// Options every program takes.
public enum StandardOptions {
    public static let help = OptionDefinition.flag("help", short: "h", help: "Show help information.")
    public static let version = OptionDefinition.flag("version", help: "Show the version.")
    public static let logFormat = OptionDefinition.option(
        "log-format", valueName: "format", help: "Diagnostics as text or json lines.", default: "text")
    public static let logLevel = OptionDefinition.option(
        "log-level", valueName: "level",
        help: "Least important diagnostics shown: trace, debug, info, notice, warning, error, critical.",
        default: "info")
}
