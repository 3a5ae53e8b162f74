import Diagnostics
import RedisClient

/// Which queue backend a program uses and how to reach it: what `--backend`, `--dir`, `--redis-url` and
/// `--redis-prefix` say.
public struct QueueConfiguration: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case dir
        case redis
    }

    public var kind: Kind
    public var directory: String
    public var redisURL: RedisURL
    public var redisKeys: RedisKeys
    /// How long a Redis consumer's heartbeat lives without being renewed.
    public var heartbeatTTL: Duration

    public init(
        kind: Kind, directory: String = "./shared",
        redisURL: RedisURL = RedisURL(endpoint: .tcp(host: "127.0.0.1", port: 6379)),
        redisKeys: RedisKeys = RedisKeys(), heartbeatTTL: Duration = .seconds(15)
    ) {
        self.kind = kind
        self.directory = directory
        self.redisURL = redisURL
        self.redisKeys = redisKeys
        self.heartbeatTTL = heartbeatTTL
    }

    /// Opens the backend for `consumer`.
    public func makeBackend(consumer: String, logger: Logger = .disabled) throws -> any QueueBackend {
        switch kind {
        case .dir:
            return try DirectoryBackend(root: directory, consumer: consumer)
        case .redis:
            return try RedisBackend(
                url: redisURL, consumer: consumer, keys: redisKeys, heartbeatTTL: heartbeatTTL, logger: logger)
        }
    }

    /// Where the queue lives, for logs: the directory, or the Redis URL with its password hidden.
    public var location: String {
        switch kind {
        case .dir: directory
        case .redis: redisURL.description
        }
    }
}

extension QueueConfiguration {
    /// Whether `error` says the queue could not be reached (Redis down or restarting), which waiting cures,
    /// rather than that it refused the request.
    public static func isUnreachable(_ error: any Error) -> Bool {
        error is RedisConnectionError
    }
}
