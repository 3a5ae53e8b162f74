/// A parser for the one JSON shape the admin API takes: an object whose values
/// are strings, numbers, booleans or `null`.
///
/// The library stays free of Foundation; fault settings need no more than this.
/// Values come back as text (`0.5`, `true`, `null`, or a string's content), so
/// a JSON body and a query string go through the same `FaultSettings.applying(_:)`.
enum FlatJSONObject {
    struct SyntaxError: Error, CustomStringConvertible {
        var description: String
    }

    static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> [(name: String, value: String)] {
        var parser = Parser(bytes: bytes)
        return try parser.object()
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        mutating func object() throws(SyntaxError) -> [(name: String, value: String)] {
            var fields: [(name: String, value: String)] = []
            try expect(UInt8(ascii: "{"))
            if peek() == UInt8(ascii: "}") {
                index += 1
            } else {
                while true {
                    let name = try string()
                    try expect(UInt8(ascii: ":"))
                    fields.append((name, try scalar()))
                    guard let next = next() else { throw SyntaxError(description: "unterminated object") }
                    if next == UInt8(ascii: "}") { break }
                    guard next == UInt8(ascii: ",") else { throw SyntaxError(description: "expected , or }") }
                }
            }
            skipSpace()
            guard index == bytes.count else { throw SyntaxError(description: "text after the object") }
            return fields
        }

        private mutating func scalar() throws(SyntaxError) -> String {
            guard let first = peek() else { throw SyntaxError(description: "missing value") }
            if first == UInt8(ascii: "\"") { return try string() }
            let start = index
            while index < bytes.count, isScalarByte(bytes[index]) { index += 1 }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            guard text == "true" || text == "false" || text == "null" || Double(text) != nil else {
                throw SyntaxError(description: "values must be strings, numbers, booleans or null")
            }
            return text
        }

        private mutating func string() throws(SyntaxError) -> String {
            try expect(UInt8(ascii: "\""))
            var scalars = String.UnicodeScalarView()
            var raw: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
                    return String(scalars)
                case UInt8(ascii: "\\"):
                    scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
                    raw.removeAll()
                    scalars.append(try escape())
                case 0..<0x20:
                    throw SyntaxError(description: "control character in string")
                default:
                    raw.append(byte)
                }
            }
            throw SyntaxError(description: "unterminated string")
        }

        private mutating func escape() throws(SyntaxError) -> Unicode.Scalar {
            guard index < bytes.count else { throw SyntaxError(description: "unterminated escape") }
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return Unicode.Scalar(byte)
            case UInt8(ascii: "n"): return "\n"
            case UInt8(ascii: "t"): return "\t"
            case UInt8(ascii: "r"): return "\r"
            case UInt8(ascii: "b"): return "\u{08}"
            case UInt8(ascii: "f"): return "\u{0C}"
            case UInt8(ascii: "u"):
                guard index + 4 <= bytes.count,
                    let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16),
                    let scalar = Unicode.Scalar(code)
                else { throw SyntaxError(description: "bad \\u escape") }
                index += 4
                return scalar
            default:
                throw SyntaxError(description: "bad escape")
            }
        }

        private func isScalarByte(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "E"):
                true
            default:
                false
            }
        }

        private mutating func expect(_ byte: UInt8) throws(SyntaxError) {
            guard next() == byte else {
                throw SyntaxError(description: "expected \(Character(Unicode.Scalar(byte)))")
            }
        }

        /// The next byte that is not white space, consumed.
        private mutating func next() -> UInt8? {
            skipSpace()
            guard index < bytes.count else { return nil }
            index += 1
            return bytes[index - 1]
        }

        /// The next byte that is not white space, left in place.
        private mutating func peek() -> UInt8? {
            skipSpace()
            return index < bytes.count ? bytes[index] : nil
        }

        private mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }
    }
}
