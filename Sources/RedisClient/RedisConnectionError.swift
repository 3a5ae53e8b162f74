/// The connection failed: refused, reset, closed by the server, timed out, or a protocol error.
///
/// Whether the server ran the command is unknown. The connection is marked broken and its next call
/// reconnects first; the failed command is never resent on the caller's behalf, because resending a
/// non-idempotent one (`LPUSH`) could duplicate data.
public struct RedisConnectionError: Error, CustomStringConvertible {
    /// What was being done: `connect`, `reconnect`, a command name, `pipeline` or `transaction`.
    public let operation: String
    /// What went wrong, from hiredis (`Connection refused`, `Server closed the connection`…).
    public let message: String
    /// The server, as `RedisURL.description` prints it (password redacted).
    public let endpoint: String

    public init(operation: String, message: String, endpoint: String = "") {
        self.operation = operation
        self.message = message
        self.endpoint = endpoint
    }

    public var description: String {
        let server = endpoint.isEmpty ? "" : " (\(endpoint))"
        return "Redis connection failed during \(operation)\(server): \(message)"
    }
}
