/// A request target (`/path?query`) checked and percent-decoded by our own rules.
///
/// The server reads the raw target, before libmicrohttpd unescapes it: after
/// unescaping, `%2F` is indistinguishable from `/` and `%00` cuts the C string short.
struct RequestTarget: Equatable {
    /// The decoded path: ASCII-safe, no `..`, no encoded slashes, no NUL.
    var path: String
    /// Decoded query parameters in order; `+` means a space.
    var query: [(name: String, value: String)]

    /// The longest target accepted; longer ones get `414 URI Too Long`.
    static let maximumLength = 2_048

    static func == (lhs: RequestTarget, rhs: RequestTarget) -> Bool {
        lhs.path == rhs.path && lhs.query.elementsEqual(rhs.query) { $0 == $1 }
    }

    /// Parses a raw target.
    /// - Throws: `HTTPResponse` to send instead: `414` when too long, `400` for anything suspicious.
    init(raw: [UInt8]) throws(HTTPResponse) {
        guard raw.count <= Self.maximumLength else {
            throw .error(status: 414, "request target longer than \(Self.maximumLength) bytes")
        }
        guard raw.first == UInt8(ascii: "/") else { throw .error(status: 400, "request target must start with /") }
        guard raw.allSatisfy({ (0x21...0x7E).contains($0) && $0 != UInt8(ascii: "\\") }) else {
            throw .error(status: 400, "request target contains a forbidden character")
        }

        let split = raw.firstIndex(of: UInt8(ascii: "?")) ?? raw.endIndex
        let path = String(decoding: try Self.decode(raw[..<split], isPath: true), as: UTF8.self)
        guard !path.contains("..") else { throw .error(status: 400, "path traversal") }
        self.path = path

        var query: [(name: String, value: String)] = []
        if split < raw.endIndex {
            for pair in raw[(split + 1)...].split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
                let equals = pair.firstIndex(of: UInt8(ascii: "=")) ?? pair.endIndex
                let name = try Self.decode(pair[..<equals], isPath: false)
                let value = equals < pair.endIndex ? try Self.decode(pair[(equals + 1)...], isPath: false) : []
                query.append((Self.text(name), Self.text(value)))
            }
        }
        self.query = query
    }

    /// Percent-decodes `raw`. In a path an escaped `/` or `\\` (which would let a segment
    /// smuggle a separator past routing) and escaped spaces or control bytes are refused;
    /// in a query `+` means a space. NUL is refused everywhere.
    private static func decode(_ raw: ArraySlice<UInt8>, isPath: Bool) throws(HTTPResponse) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(raw.count)
        var index = raw.startIndex
        while index < raw.endIndex {
            let byte = raw[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < raw.endIndex, let decoded = hexByte(raw[index + 1], raw[index + 2]) else {
                    throw .error(status: 400, "malformed percent escape")
                }
                guard decoded != 0 else { throw .error(status: 400, "NUL byte in request target") }
                if isPath {
                    guard decoded != UInt8(ascii: "/"), decoded != UInt8(ascii: "\\") else {
                        throw .error(status: 400, "encoded slash in path")
                    }
                    guard (0x21...0x7E).contains(decoded) else {
                        throw .error(status: 400, "path contains a forbidden character")
                    }
                }
                result.append(decoded)
                index += 3
            } else {
                result.append(!isPath && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index += 1
            }
        }
        return result
    }

    private static func hexByte(_ high: UInt8, _ low: UInt8) -> UInt8? {
        guard let high = hexDigit(high), let low = hexDigit(low) else { return nil }
        return high << 4 | low
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Query text for the admin API; bytes that are not UTF-8 become U+FFFD and then fail validation.
    private static func text(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}
