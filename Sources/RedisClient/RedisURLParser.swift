/// Reads the text forms accepted by `RedisURL(parsing:)`.
///
/// No error message quotes any part of the input except a well-formed scheme name: a password can sit
/// anywhere in a mistyped URL (`redis://user:secret` without `@host` reads as host `user`, port `secret`).
struct RedisURLParser {
    private let text: Substring

    init(text: String) {
        self.text = text.trimmingWhitespace()
    }

    mutating func parse() throws(RedisURLError) -> RedisURL {
        if text.hasPrefix("/") {
            return RedisURL(endpoint: .unixSocket(path: String(text)))
        }
        guard let separator = text.firstRange(of: "://") else {
            throw RedisURLError(
                "expected redis://[user:password@]host[:port][/db], unix:///path/to.sock[?db=N] "
                    + "or an absolute socket path")
        }
        let scheme = text[..<separator.lowerBound].lowercased()
        let rest = text[separator.upperBound...]
        switch scheme {
        case "redis":
            return try parseTCP(rest)
        case "unix", "redis+unix":
            return try parseUnix(rest)
        case "rediss":
            throw RedisURLError("rediss:// (TLS) is not supported: hiredis 0.14 has no TLS")
        default:
            let isPlainScheme = scheme.count <= 16 && scheme.allSatisfy { $0.isASCII && ($0.isLetter || $0 == "+") }
            let shown = isPlainScheme ? " '\(scheme)'" : ""
            throw RedisURLError("unsupported scheme\(shown): use redis://, unix:// or redis+unix://")
        }
    }

    /// `[userinfo@]host[:port][/db]`. The last `@` ends the user info, so a raw `@` in a password still works.
    private func parseTCP(_ rest: Substring) throws(RedisURLError) -> RedisURL {
        var hostPart = rest
        var credentials: (username: String?, password: String?) = (nil, nil)
        if let at = rest.lastIndex(of: "@") {
            credentials = try Self.parseUserInfo(rest[..<at])
            hostPart = rest[rest.index(after: at)...]
        }

        let slash = hostPart.firstIndex(of: "/") ?? hostPart.endIndex
        let (host, port) = try Self.parseAuthority(hostPart[..<slash])
        var database = 0
        if slash < hostPart.endIndex {
            let path = hostPart[hostPart.index(after: slash)...]
            if !path.isEmpty {
                database = try Self.parseDatabase(path)
            }
        }
        return RedisURL(
            endpoint: .tcp(host: host, port: port), username: credentials.username,
            password: credentials.password, database: database)
    }

    /// `[userinfo@]/path[?db=N]`. User info, when present, ends at the first `@/`.
    private func parseUnix(_ rest: Substring) throws(RedisURLError) -> RedisURL {
        var pathPart = rest
        var credentials: (username: String?, password: String?) = (nil, nil)
        if !rest.hasPrefix("/"), let at = rest.firstRange(of: "@/") {
            credentials = try Self.parseUserInfo(rest[..<at.lowerBound])
            pathPart = rest[rest.index(after: at.lowerBound)...]
        }

        let question = pathPart.firstIndex(of: "?") ?? pathPart.endIndex
        let path = pathPart[..<question]
        guard !path.isEmpty else {
            throw RedisURLError("missing socket path: expected unix:///path/to.sock")
        }
        guard path.hasPrefix("/") else {
            throw RedisURLError("the socket path must be absolute: expected unix:///path/to.sock")
        }
        var database = 0
        if question < pathPart.endIndex {
            database = try Self.parseQuery(pathPart[pathPart.index(after: question)...])
        }
        return RedisURL(
            endpoint: .unixSocket(path: String(path)), username: credentials.username,
            password: credentials.password, database: database)
    }

    /// `user:password`, `:password` or `password` (the redis-cli reading).
    private static func parseUserInfo(
        _ userInfo: Substring
    ) throws(RedisURLError) -> (username: String?, password: String?) {
        var username: String?
        var passwordText = userInfo
        if let colon = userInfo.firstIndex(of: ":") {
            username = try percentDecoded(userInfo[..<colon], field: "user name")
            passwordText = userInfo[userInfo.index(after: colon)...]
        }
        let password = try percentDecoded(passwordText, field: "password")
        return (username?.isEmpty == false ? username : nil, password.isEmpty ? nil : password)
    }

    private static func parseAuthority(_ authority: Substring) throws(RedisURLError) -> (String, Int) {
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw RedisURLError("unterminated IPv6 address: expected redis://[::1]:6379")
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else {
                    throw RedisURLError("unexpected text after the IPv6 address")
                }
                portText = after.dropFirst()
            }
        } else {
            host = authority
            if let colon = authority.firstIndex(of: ":") {
                host = authority[..<colon]
                portText = authority[authority.index(after: colon)...]
                if portText!.contains(":") {
                    throw RedisURLError("IPv6 addresses must be in brackets: redis://[::1]:6379")
                }
            }
        }
        guard !host.isEmpty else {
            throw RedisURLError("missing host: expected redis://host[:port][/db]")
        }
        guard host.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F && $0 != "/" }) else {
            throw RedisURLError("the host name contains spaces or control characters")
        }
        var port = RedisURL.defaultPort
        if let portText {
            guard let value = decimal(portText), (1...65535).contains(value) else {
                throw RedisURLError("the port must be a number from 1 to 65535")
            }
            port = value
        }
        return (String(host), port)
    }

    private static func parseQuery(_ query: Substring) throws(RedisURLError) -> Int {
        var database = 0
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            guard pair.hasPrefix("db=") else {
                throw RedisURLError("unsupported query parameter: only db=N is accepted")
            }
            database = try parseDatabase(pair.dropFirst(3))
        }
        return database
    }

    private static func parseDatabase(_ text: Substring) throws(RedisURLError) -> Int {
        guard let value = decimal(text) else {
            throw RedisURLError("the database must be a number from 0, as in redis://host:6379/0")
        }
        return value
    }

    /// Plain ASCII digits only (no sign, no spaces), at most 9 of them so the value always fits.
    private static func decimal(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 9, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    private static func percentDecoded(_ text: Substring, field: String) throws(RedisURLError) -> String {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw RedisURLError("invalid percent-encoding in the \(field)")
            }
            bytes.append(high << 4 | low)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw RedisURLError("the \(field) is not valid UTF-8 once percent-decoded")
        }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let first = firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = lastIndex(where: { !isSpace($0) })!
        return self[first...last]
    }
}
