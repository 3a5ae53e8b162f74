/// One Redis reply, copied into Swift values (the hiredis reply is freed as soon as it is copied).
public enum RedisValue: Sendable, Equatable {
    /// A simple string such as `OK`, `PONG` or `QUEUED`.
    case status(String)
    /// An error reply. `command` throws it as `RedisServerError`; pipelines and transactions return it in place.
    case error(String)
    case integer(Int)
    /// A bulk string, byte for byte: values are binary-safe.
    case bulk([UInt8])
    /// A null bulk string or null array (`GET` of a missing key, a `BLMOVE` that timed out, an aborted `EXEC`).
    case null
    case array([RedisValue])

    /// A status, or a bulk string that is valid UTF-8; `nil` for anything else.
    public var string: String? {
        switch self {
        case .status(let text): text
        case .bulk(let bytes): String(validating: bytes, as: UTF8.self)
        default: nil
        }
    }

    /// An integer reply, or a status or bulk string holding a decimal integer (`GET` of an `INCR`ed key).
    public var int: Int? {
        switch self {
        case .integer(let value): value
        case .status(let text): Int(text)
        case .bulk(let bytes): String(validating: bytes, as: UTF8.self).flatMap { Int($0) }
        default: nil
        }
    }

    public var array: [RedisValue]? {
        if case .array(let elements) = self { elements } else { nil }
    }

    /// The raw bytes of a bulk string, or the UTF-8 of a status.
    public var bytes: [UInt8]? {
        switch self {
        case .bulk(let bytes): bytes
        case .status(let text): Array(text.utf8)
        default: nil
        }
    }

    public var isNull: Bool {
        self == .null
    }

    /// The message of an error reply.
    public var errorMessage: String? {
        if case .error(let message) = self { message } else { nil }
    }
}
