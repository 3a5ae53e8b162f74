import Synchronization

/// One connection to a Redis server, over hiredis.
///
/// **Blocking.** Every call blocks the calling thread until the reply arrives or the command timeout
/// expires. Call it from threads of your own, never from Swift concurrency's cooperative pool: that pool
/// has one thread per core, and a blocked call holds one of them hostage.
///
/// **Threads.** The connection is `Sendable`: an internal lock serializes calls, so threads take turns (a
/// `BLMOVE` blocking for a second keeps the others waiting that second). For work in parallel, open one
/// connection per thread.
///
/// **Failures** come in two kinds. `RedisServerError`: the server refused the command and the connection
/// stays usable. `RedisConnectionError`: the connection failed (refused, reset, timed out) and is marked
/// broken; the next call first reconnects, following `ReconnectPolicy` and re-doing `AUTH` and `SELECT`,
/// then runs. The command that was in flight is never resent on the caller's behalf: the server may or may
/// not have run it, and resending an `LPUSH` could duplicate an alert. Before sending, an idle connection
/// the server has closed meanwhile (a Redis restart) is noticed and replaced, since nothing was sent yet.
///
/// **Blocking commands.** hiredis applies the command timeout to every socket read, blocking commands
/// included. Keep the block time of `BLMOVE`, `BRPOPLPUSH` or `BLPOP` below the command timeout (block 1 s
/// under a 5 s timeout); one that blocks longer fails with `RedisConnectionError` and costs a reconnect.
/// Use `setCommandTimeout(_:)` around a longer block.
///
/// **Lifetime.** `close()` frees the hiredis context; a connection dropped without `close()` frees it too.
public final class RedisConnection: Sendable {
    public let url: RedisURL
    public let connectTimeout: Duration
    public let reconnectPolicy: ReconnectPolicy
    private let state: Mutex<State>

    private struct State {
        /// `nil` while broken: the next call reconnects.
        var context: HiredisContext?
        var isClosed = false
        var commandTimeout: Duration
        var serverVersion: (major: Int, minor: Int, patch: Int)?
    }

    /// Connects, authenticates (`AUTH [user] password`, when the URL has a password) and selects the
    /// URL's database. This first connect is tried once: the reconnect policy applies to later calls.
    ///
    /// - Parameters:
    ///   - connectTimeout: Bounds establishing the connection.
    ///   - commandTimeout: Bounds each reply, blocking commands included; `.zero` waits forever.
    ///   - reconnect: How a broken connection is re-established before the next call.
    /// - Throws: `RedisConnectionError` when the server cannot be reached; `RedisServerError` when it
    ///   refuses `AUTH` (`WRONGPASS`) or `SELECT`, which retrying will not fix.
    public init(
        url: RedisURL, connectTimeout: Duration = .seconds(2), commandTimeout: Duration = .seconds(5),
        reconnect: ReconnectPolicy = .default
    ) throws {
        precondition(commandTimeout >= .zero, "the command timeout cannot be negative")
        self.url = url
        self.connectTimeout = connectTimeout
        self.reconnectPolicy = reconnect
        let context = try Self.establish(url: url, connectTimeout: connectTimeout, commandTimeout: commandTimeout)
        state = Mutex(State(context: context, commandTimeout: commandTimeout))
    }

    /// Whether the connection is open and the server has not closed it. `false` after a connection error
    /// (the next call reconnects) and after `close()`.
    public var isConnected: Bool {
        state.withLock { state in
            !state.isClosed && state.context?.isUsable == true
        }
    }

    /// The timeout currently applied to each reply.
    public var commandTimeout: Duration {
        state.withLock { $0.commandTimeout }
    }

    /// Changes the timeout applied to each reply (hiredis's `redisSetTimeout`); `.zero` waits forever. It
    /// is kept across reconnects. A broken connection takes it when it reconnects.
    public func setCommandTimeout(_ timeout: Duration) throws {
        precondition(timeout >= .zero, "the command timeout cannot be negative")
        try state.withLock { state in
            guard !state.isClosed else { throw closedError(during: "set timeout") }
            state.commandTimeout = timeout
            guard let context = state.context else { return }
            do {
                try context.setTimeout(timeout)
            } catch {
                state.context = nil
                throw error
            }
        }
    }

    /// Closes the connection for good: later calls throw `RedisConnectionError`. Calling it twice is harmless.
    public func close() {
        state.withLock { state in
            state.context = nil
            state.isClosed = true
        }
    }

    /// The server's version from `INFO server`, asked on first use and cached until a reconnect; `nil` when
    /// it cannot be had (connection down, unexpected reply).
    public var serverVersion: (major: Int, minor: Int, patch: Int)? {
        state.withLock { state in
            if let version = state.serverVersion { return version }
            guard let context = try? usableContext(&state, before: "INFO") else { return nil }
            let reply: RedisValue
            do {
                reply = try context.command(ArgumentVector(["INFO", "server"]), timeout: state.commandTimeout)
            } catch {
                state.context = nil
                return nil
            }
            state.serverVersion = reply.string.flatMap(Self.parseVersion)
            return state.serverVersion
        }
    }

    /// Runs `body` on a usable context, reconnecting first if needed; a connection error marks it broken.
    func withContext<Result: Sendable>(
        _ operation: String,
        _ body: (HiredisContext, Duration) throws(RedisConnectionError) -> Result
    ) throws -> Result {
        try state.withLock { state in
            let context = try usableContext(&state, before: operation)
            do {
                return try body(context, state.commandTimeout)
            } catch {
                state.context = nil
                throw error
            }
        }
    }

    /// Writes `commands` and returns without reading their replies: `receive(_:count:)` reads them. Until
    /// then every other call is refused, so no reply can be taken for another command's.
    /// - Returns: the context written to, which `receive` checks is still the connection's.
    func send(_ commands: [ArgumentVector], operation: String) throws -> ObjectIdentifier {
        try state.withLock { state in
            let context = try usableContext(&state, before: operation)
            do {
                for command in commands {
                    try context.append(command, operation: operation)
                }
                try context.flush(operation: operation, timeout: state.commandTimeout)
            } catch {
                state.context = nil
                throw error
            }
            context.owedReplies = commands.count
            return ObjectIdentifier(context)
        }
    }

    /// Reads the `count` replies owed for what `send` wrote to `sentTo`.
    func receive(from sentTo: ObjectIdentifier, count: Int, operation: String) throws -> [RedisValue] {
        try state.withLock { state in
            guard !state.isClosed else { throw closedError(during: operation) }
            guard let context = state.context, ObjectIdentifier(context) == sentTo, context.owedReplies == count
            else {
                throw RedisConnectionError(
                    operation: operation, message: "the connection was lost after the commands were sent",
                    endpoint: url.description)
            }
            var replies: [RedisValue] = []
            replies.reserveCapacity(count)
            do {
                for _ in 0..<count {
                    replies.append(try context.readReply(operation: operation, timeout: state.commandTimeout))
                    context.owedReplies -= 1
                }
            } catch {
                state.context = nil
                throw error
            }
            return replies
        }
    }

    /// The open context, or a new one after up to `reconnectPolicy.attempts` tries with growing pauses.
    private func usableContext(_ state: inout State, before operation: String) throws -> HiredisContext {
        guard !state.isClosed else { throw closedError(during: operation) }
        if let context = state.context {
            guard context.owedReplies == 0 else {
                throw RedisConnectionError(
                    operation: operation, message: "the replies to an earlier send have not been received",
                    endpoint: url.description)
            }
            if context.isUsable { return context }
            state.context = nil
        }
        state.serverVersion = nil

        let attempts = max(reconnectPolicy.attempts, 1)
        var lastError = RedisConnectionError(operation: "reconnect", message: "not attempted")
        for attempt in 1...attempts {
            do {
                let context = try Self.establish(
                    url: url, connectTimeout: connectTimeout, commandTimeout: state.commandTimeout)
                state.context = context
                return context
            } catch let error as RedisConnectionError {
                lastError = error
            }
            if attempt < attempts {
                reconnectPolicy.delay(after: attempt).sleep()
            }
        }
        let tries = attempts == 1 ? "1 attempt" : "\(attempts) attempts"
        throw RedisConnectionError(
            operation: "reconnect", message: "\(tries) before \(operation) failed, last: \(lastError.message)",
            endpoint: url.description)
    }

    /// Connects, sets the command timeout, then `AUTH` and `SELECT` as the URL asks.
    private static func establish(
        url: RedisURL, connectTimeout: Duration, commandTimeout: Duration
    ) throws -> HiredisContext {
        let context = try HiredisContext.connect(to: url, timeout: connectTimeout)
        try context.setTimeout(commandTimeout)
        if let password = url.password {
            let arguments = ["AUTH"] + (url.username.map { [$0] } ?? []) + [password]
            let reply = try context.command(ArgumentVector(arguments), timeout: commandTimeout)
            if case .error(let message) = reply { throw RedisServerError(message: message, command: "AUTH") }
        }
        if url.database != 0 {
            let reply = try context.command(ArgumentVector(["SELECT", String(url.database)]), timeout: commandTimeout)
            if case .error(let message) = reply { throw RedisServerError(message: message, command: "SELECT") }
        }
        return context
    }

    private func closedError(during operation: String) -> RedisConnectionError {
        RedisConnectionError(operation: operation, message: "the connection was closed", endpoint: url.description)
    }

    /// Reads `redis_version:7.0.15` from `INFO server` text.
    static func parseVersion(_ info: String) -> (major: Int, minor: Int, patch: Int)? {
        let prefix = "redis_version:"
        guard let line = info.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix(prefix) }) else {
            return nil
        }
        let parts = line.dropFirst(prefix.count).split(separator: ".").map { Int($0) }
        guard parts.count == 3, let major = parts[0], let minor = parts[1], let patch = parts[2] else {
            return nil
        }
        return (major, minor, patch)
    }
}
