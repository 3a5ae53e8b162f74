extension JSONValue: CustomStringConvertible {
    /// The compact JSON text, so a value prints the way it is stored.
    public var description: String {
        serialized()
    }
}

extension JSONValue {
    /// The value as compact JSON text: no insignificant whitespace, members in order.
    ///
    /// Non-finite doubles have no JSON form and are written as `null` rather than as invalid text.
    public func serialized() -> String {
        var output = ""
        write(to: &output)
        return output
    }

    /// Appends the compact JSON text of the value to `output`.
    public func write(to output: inout String) {
        switch self {
        case .null:
            output += "null"
        case let .bool(flag):
            output += flag ? "true" : "false"
        case let .int(number):
            output += String(number)
        case let .double(number):
            // Swift prints the shortest text that reads back as the same double, and its
            // exponent form ("1e-05") is valid JSON.
            output += number.isFinite ? "\(number)" : "null"
        case let .string(text):
            Self.writeQuoted(text, to: &output)
        case let .array(elements):
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 {
                    output += ","
                }
                element.write(to: &output)
            }
            output += "]"
        case let .object(members):
            output += "{"
            for (index, member) in members.enumerated() {
                if index > 0 {
                    output += ","
                }
                Self.writeQuoted(member.key, to: &output)
                output += ":"
                member.value.write(to: &output)
            }
            output += "}"
        }
    }

    /// Appends `text` as a JSON string literal, quotes included.
    public static func writeQuoted(_ text: String, to output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"":
                output += "\\\""
            case "\\":
                output += "\\\\"
            case "\n":
                output += "\\n"
            case "\r":
                output += "\\r"
            case "\t":
                output += "\\t"
            case let control where control.value < 0x20 || control.value == 0x7F:
                // DEL is legal in JSON but escaped anyway: these strings end up in terminals and logs.
                let hex = String(control.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
