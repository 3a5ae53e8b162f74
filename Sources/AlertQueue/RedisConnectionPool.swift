import Locks
import RedisClient

/// Connections to one Redis server, lent to one thread at a time.
///
/// A connection serves one call at a time and every call blocks (a claim for up to a second), so each
/// thread that talks to Redis borrows a connection of its own for the length of one operation rather than
/// wait behind another thread's blocking claim.
final class RedisConnectionPool: Sendable {
    private let url: RedisURL
    private let commandTimeout: Duration
    /// Taken twice per operation by every worker: a lock that sleeps rather than spins (see `WaitingMutex`).
    private let idle = WaitingMutex<[RedisConnection]>([])

    init(url: RedisURL, commandTimeout: Duration) {
        self.url = url
        self.commandTimeout = commandTimeout
    }

    /// Runs `body` with a connection of its own, then returns the connection to the pool.
    func withConnection<Result>(_ body: (RedisConnection) throws -> Result) throws -> Result {
        let connection = try lease()
        defer { restore(connection) }
        return try body(connection)
    }

    /// A connection for the caller alone until it hands it back with `restore(_:)`: for work that spans
    /// more than one call, such as commands sent now whose replies are read later.
    func lease() throws -> RedisConnection {
        try idle.withLock { $0.popLast() }
            ?? RedisConnection(url: url, connectTimeout: .seconds(2), commandTimeout: commandTimeout)
    }

    /// Takes back a connection `lease()` lent.
    func restore(_ connection: RedisConnection) {
        idle.withLock { $0.append(connection) }
    }

    func close() {
        let connections = idle.withLock { idle in
            defer { idle.removeAll() }
            return idle
        }
        for connection in connections {
            connection.close()
        }
    }
}
