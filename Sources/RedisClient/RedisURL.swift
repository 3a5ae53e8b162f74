/// Parsed connection settings for one Redis server.
///
/// Accepted forms:
/// - `redis://[[user]:password@]host[:port][/db]` (IPv6 hosts in brackets: `redis://[::1]:6379`);
/// - `unix://[[user]:password@]/path/to.sock[?db=N]`, and the same with `redis+unix://`;
/// - a bare absolute socket path, `/path/to.sock`.
///
/// The port defaults to 6379 and the database to 0. As in `redis-cli`, user info without a colon
/// (`redis://secret@host`) is a password, not a user name: reading it the other way round would print a
/// password in every log line. Characters such as `@`, `:` or `/` in a user name or password can be
/// percent-encoded (`%40`).
public struct RedisURL: Sendable, Equatable, CustomStringConvertible {
    /// Where the server listens.
    public enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: Int)
        case unixSocket(path: String)
    }

    public static let defaultPort = 6379

    public var endpoint: Endpoint
    /// The ACL user for `AUTH user password` (Redis 6+); `nil` authenticates as the default user.
    public var username: String?
    public var password: String?
    public var database: Int

    public init(endpoint: Endpoint, username: String? = nil, password: String? = nil, database: Int = 0) {
        self.endpoint = endpoint
        self.username = username
        self.password = password
        self.database = database
    }

    /// Parses `text` in one of the forms listed on the type.
    ///
    /// - Throws: `RedisURLError` naming what is wrong. Its message never quotes the input (only a scheme
    ///   name), because a malformed URL may hold a password in an unexpected place.
    public init(parsing text: String) throws(RedisURLError) {
        var parser = RedisURLParser(text: text)
        self = try parser.parse()
    }

    /// The URL with the password replaced by `***`: this is what logs and error messages print.
    public var description: String {
        var userInfo = ""
        if password != nil {
            userInfo = "\(username ?? ""):***@"
        } else if let username {
            userInfo = "\(username):@"
        }
        switch endpoint {
        case .tcp(let host, let port):
            let shownHost = host.contains(":") ? "[\(host)]" : host
            return "redis://\(userInfo)\(shownHost):\(port)/\(database)"
        case .unixSocket(let path):
            let query = database == 0 ? "" : "?db=\(database)"
            return "unix://\(userInfo)\(path)\(query)"
        }
    }
}

/// A connection string that `RedisURL(parsing:)` could not read. The message never contains the password.
public struct RedisURLError: Error, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String {
        "invalid Redis URL: \(message)"
    }
}
