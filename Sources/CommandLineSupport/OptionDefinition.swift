/// One command-line option: a flag (`--once`) or an option with a value (`--interval <seconds>`).
public struct OptionDefinition: Sendable {
    public enum Kind: Sendable, Equatable {
        case flag
        case value(name: String)
    }

    public var long: String
    public var short: Character?
    public var kind: Kind
    public var help: String
    public var defaultValue: String?
    /// An environment variable read when the option is not given.
    public var environment: String?

    /// An option that takes a value: `--long <valueName>`.
    public static func option(
        _ long: String, short: Character? = nil, valueName: String, help: String,
        default defaultValue: String? = nil, environment: String? = nil
    ) -> OptionDefinition {
        OptionDefinition(
            long: long, short: short, kind: .value(name: valueName), help: help,
            defaultValue: defaultValue, environment: environment)
    }

    /// An option that is present or not: `--long`.
    public static func flag(_ long: String, short: Character? = nil, help: String) -> OptionDefinition {
        OptionDefinition(long: long, short: short, kind: .flag, help: help, defaultValue: nil, environment: nil)
    }

    /// `-i, --interval <seconds>` as shown in help.
    var label: String {
        var label = short.map { "-\($0), " } ?? ""
        label += "--\(long)"
        if case .value(let name) = kind {
            label += " <\(name)>"
        }
        return label
    }

    /// The help text with its default and environment variable, as shown in help.
    var helpText: String {
        var text = help
        if let environment {
            text += " (env: \(environment))"
        }
        if let defaultValue {
            text += " (default: \(defaultValue))"
        }
        return text
    }
}
