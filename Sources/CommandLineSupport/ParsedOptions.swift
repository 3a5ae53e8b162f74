/// A usage mistake: an unknown option, a missing or malformed value. Programs exit 64 on it.
public struct UsageError: Error, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// The options a program was given, with environment variables and defaults applied.
public struct ParsedOptions: Sendable {
    private var values: [String: String]
    private var flags: Set<String>
    private let definitions: [String: OptionDefinition]

    /// Parses `arguments` (without the program name) against `command`'s options.
    /// Accepts `--name value`, `--name=value`, `-n value` and flags; rejects anything else.
    public init(
        parsing arguments: [String], for command: CommandDescription, environment: [String: String] = [:]
    ) throws(UsageError) {
        var definitions: [String: OptionDefinition] = [:]
        var shortNames: [Character: String] = [:]
        for option in command.options {
            definitions[option.long] = option
            if let short = option.short {
                shortNames[short] = option.long
            }
        }
        self.definitions = definitions
        values = [:]
        flags = []

        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            var name: String
            var inlineValue: String?
            if argument.hasPrefix("--") {
                name = String(argument.dropFirst(2))
                if let equals = name.firstIndex(of: "=") {
                    inlineValue = String(name[name.index(after: equals)...])
                    name = String(name[..<equals])
                }
            } else if argument.hasPrefix("-"), argument.count == 2, let long = shortNames[argument.last!] {
                name = long
            } else if argument.hasPrefix("-") {
                throw UsageError("Unknown option '\(argument)'")
            } else {
                throw UsageError("Unexpected argument '\(argument)'")
            }
            guard let definition = definitions[name] else {
                throw UsageError("Unknown option '--\(name)'")
            }
            switch definition.kind {
            case .flag:
                guard inlineValue == nil else { throw UsageError("The flag '--\(name)' takes no value") }
                flags.insert(name)
            case .value(let valueName):
                if let inlineValue {
                    values[name] = inlineValue
                } else if index < arguments.count, !arguments[index].hasPrefix("--") {
                    values[name] = arguments[index]
                    index += 1
                } else {
                    throw UsageError("Missing value for '--\(name) <\(valueName)>'")
                }
            }
        }

        for (name, definition) in definitions where values[name] == nil {
            if let variable = definition.environment, let value = environment[variable], !value.isEmpty {
                values[name] = value
            } else if let defaultValue = definition.defaultValue {
                values[name] = defaultValue
            }
        }
    }

    public func flag(_ long: String) -> Bool {
        precondition(definitions[long] != nil, "undeclared option --\(long)")
        return flags.contains(long)
    }

    /// Whether the option was given on the command line or through its environment variable.
    public func string(_ long: String) -> String? {
        precondition(definitions[long] != nil, "undeclared option --\(long)")
        return values[long]
    }

    public func requiredString(_ long: String) throws(UsageError) -> String {
        guard let value = string(long) else { throw UsageError("Missing required option '--\(long)'") }
        return value
    }

    public func int(_ long: String, in range: ClosedRange<Int> = 0...Int.max) throws(UsageError) -> Int? {
        guard let text = string(long) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw UsageError(
                "'--\(long)' takes a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return value
    }

    public func double(_ long: String, in range: ClosedRange<Double> = 0...Double.greatestFiniteMagnitude)
        throws(UsageError) -> Double?
    {
        guard let text = string(long) else { return nil }
        guard let value = Double(text), value.isFinite, range.contains(value) else {
            throw UsageError(
                "'--\(long)' takes a number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return value
    }

    /// A value given in seconds (fractions allowed), as a `Duration`.
    public func seconds(_ long: String, in range: ClosedRange<Double> = 0...86_400) throws(UsageError) -> Duration? {
        guard let value = try double(long, in: range) else { return nil }
        return .milliseconds(Int64((value * 1000).rounded()))
    }

    /// A value from a fixed set, e.g. `--backend dir|redis`.
    public func choice<Value: RawRepresentable & CaseIterable>(_ long: String, as type: Value.Type)
        throws(UsageError) -> Value? where Value.RawValue == String
    {
        guard let text = string(long) else { return nil }
        guard let value = Value(rawValue: text) else {
            let allowed = Value.allCases.map(\.rawValue).joined(separator: ", ")
            throw UsageError("'--\(long)' takes one of \(allowed), not '\(text)'")
        }
        return value
    }
}
