/// The server answered with an error reply (`WRONGTYPE`, `NOAUTH`, `EXECABORT`…).
///
/// The request reached the server and was refused; the connection is still in step and usable. Compare
/// `RedisConnectionError`, after which the connection has to be re-established.
public struct RedisServerError: Error, CustomStringConvertible {
    /// The server's text, e.g. `WRONGTYPE Operation against a key holding the wrong kind of value`.
    public let message: String
    /// The command's name only (`LPUSH`), never its arguments, which may hold secrets or alert data.
    public let command: String

    public init(message: String, command: String) {
        self.message = message
        self.command = command
    }

    /// The error's first word, by Redis convention its kind: `WRONGTYPE`, `NOAUTH`, `EXECABORT`, `ERR`…
    public var code: String {
        String(message.prefix { $0 != " " })
    }

    public var description: String {
        "Redis \(command) failed: \(message)"
    }
}
