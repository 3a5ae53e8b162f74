import RedisClient
import Synchronization

/// Connections to one Redis server, lent to one thread at a time.
///
/// hiredis connections are not thread-safe and every call blocks, so each thread that talks to Redis
/// borrows its own connection for the length of one operation.
final class RedisConnectionPool: Sendable {
    private let url: RedisURL
    private let commandTimeout: Duration
    private let idle = Mutex<[PooledConnection]>([])

    init(url: RedisURL, commandTimeout: Duration) {
        self.url = url
        self.commandTimeout = commandTimeout
    }

    /// Runs `body` with a connection of its own, then returns the connection to the pool.
    func withConnection<Result>(_ body: (RedisConnection) throws -> Result) throws -> Result {
        let pooled =
            try idle.withLock { $0.popLast() }
            ?? PooledConnection(
                RedisConnection(url: url, connectTimeout: .seconds(2), commandTimeout: commandTimeout))
        defer { idle.withLock { $0.append(pooled) } }
        return try body(pooled.connection)
    }

    func close() {
        let connections = idle.withLock { idle in
            defer { idle.removeAll() }
            return idle
        }
        for pooled in connections {
            pooled.connection.close()
        }
    }
}

/// A connection in the pool. `@unchecked Sendable`: the pool's lock hands it to one thread at a time, and
/// only that thread touches it until it is given back.
private final class PooledConnection: @unchecked Sendable {
    let connection: RedisConnection

    init(_ connection: RedisConnection) {
        self.connection = connection
    }
}
