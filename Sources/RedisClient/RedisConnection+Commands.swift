extension RedisConnection {
    /// Sends one command and waits for its reply.
    ///
    /// - Parameter arguments: The command and its arguments, e.g. `["LPUSH", "{enrich}:pending", json]`.
    /// - Throws: `RedisServerError` for an error reply (the connection stays usable);
    ///   `RedisConnectionError` when the connection failed, in which case the command is not resent.
    ///
    /// The reply may be ignored: an error reply is thrown, never returned. Pipelines and transactions, which
    /// do return error replies in place, keep their results mandatory.
    @discardableResult
    public func command(_ arguments: [String]) throws -> RedisValue {
        try run(ArgumentVector(arguments))
    }

    /// The binary-safe form of `command(_:)`: arguments are sent byte for byte, NUL bytes included.
    @discardableResult
    public func command(bytes arguments: [[UInt8]]) throws -> RedisValue {
        try run(ArgumentVector(bytes: arguments))
    }

    /// Sends all `commands` in one write, then reads their replies in order: one round trip.
    ///
    /// Error replies come back in place as `.error` values, not thrown: the other commands still ran.
    /// - Throws: `RedisConnectionError` when the connection failed; which commands ran is then unknown.
    public func pipeline(_ commands: [[String]]) throws -> [RedisValue] {
        try runPipeline(commands.map { ArgumentVector($0) }, operation: "pipeline")
    }

    /// The binary-safe form of `pipeline(_:)`.
    public func pipeline(bytes commands: [[[UInt8]]]) throws -> [RedisValue] {
        try runPipeline(commands.map { ArgumentVector(bytes: $0) }, operation: "pipeline")
    }

    /// Runs `commands` atomically: `MULTI`, the commands and `EXEC` go out pipelined in one round trip.
    ///
    /// - Returns: `EXEC`'s results, one per command. A command that failed while running (`WRONGTYPE`) is an
    ///   `.error` value there; the others still took effect, as Redis does not roll back.
    /// - Throws: `RedisServerError` when `EXEC` discarded the transaction: `EXECABORT` because a command was
    ///   refused when queued (the message then names the first refusal), or a null reply because a key
    ///   `WATCH`ed before the call changed. Nothing ran in either case. `RedisConnectionError` when the
    ///   connection failed: whether the transaction ran is then unknown.
    public func transaction(_ commands: [[String]]) throws -> [RedisValue] {
        try runTransaction(commands.map { ArgumentVector($0) })
    }

    /// The binary-safe form of `transaction(_:)`.
    public func transaction(bytes commands: [[[UInt8]]]) throws -> [RedisValue] {
        try runTransaction(commands.map { ArgumentVector(bytes: $0) })
    }

    /// Runs `commands` as `transaction(bytes:)` does, then `following` outside the transaction, all in one
    /// write: one round trip for a transaction and the command that comes after it.
    ///
    /// - Returns: the transaction's outcome as `transaction(bytes:)` would return or throw it, and the
    ///   replies of `following`, which ran after `EXEC` whatever its outcome (error replies in place).
    /// - Throws: `RedisConnectionError` when the connection failed; which commands ran is then unknown.
    public func transaction(
        bytes commands: [[[UInt8]]], followedBy following: [[[UInt8]]]
    ) throws -> (transaction: Result<[RedisValue], RedisServerError>, following: [RedisValue]) {
        try receive(try sendTransaction(bytes: commands, followedBy: following))
    }

    /// The first half of `transaction(bytes:followedBy:)`: writes the transaction and the commands after
    /// it, and returns at once, so the caller can do other work while the server runs them.
    ///
    /// Pass the result to `receive(_:)` exactly once; until then the connection refuses every other call.
    /// - Throws: `RedisConnectionError` when the write failed; which commands reached the server is unknown.
    public func sendTransaction(bytes commands: [[[UInt8]]], followedBy following: [[[UInt8]]]) throws -> SentCommands {
        let framed =
            commands.isEmpty
            ? [] : [ArgumentVector(["MULTI"])] + commands.map { ArgumentVector(bytes: $0) } + [ArgumentVector(["EXEC"])]
        let all = framed + following.map { ArgumentVector(bytes: $0) }
        guard !all.contains(where: \.isEmpty) else { throw Self.emptyCommandError }
        guard !all.isEmpty else { return SentCommands(connection: nil, transactionReplies: 0, followingReplies: 0) }
        let written = try send(all, operation: "transaction")
        return SentCommands(connection: written, transactionReplies: framed.count, followingReplies: following.count)
    }

    /// The second half of `transaction(bytes:followedBy:)`: reads the replies to what `sendTransaction` wrote.
    /// - Throws: `RedisConnectionError` when the connection failed (before or after the write); which
    ///   commands ran is then unknown.
    public func receive(
        _ sent: SentCommands
    ) throws -> (transaction: Result<[RedisValue], RedisServerError>, following: [RedisValue]) {
        guard let written = sent.connection else { return (.success([]), []) }
        let replies = try receive(
            from: written, count: sent.transactionReplies + sent.followingReplies, operation: "transaction")
        let transactionReplies = replies.prefix(sent.transactionReplies)
        let outcome =
            transactionReplies.isEmpty
            ? .success([]) : Result { () throws(RedisServerError) in try Self.execResults(transactionReplies) }
        return (outcome, Array(replies.dropFirst(sent.transactionReplies)))
    }

    private func run(_ arguments: ArgumentVector) throws -> RedisValue {
        let name = arguments.commandName
        guard !arguments.isEmpty else { throw Self.emptyCommandError }
        let reply = try withContext(name) { context, timeout throws(RedisConnectionError) in
            try context.command(arguments, timeout: timeout)
        }
        if case .error(let message) = reply {
            throw RedisServerError(message: message, command: name)
        }
        return reply
    }

    private func runPipeline(_ commands: [ArgumentVector], operation: String) throws -> [RedisValue] {
        guard !commands.isEmpty else { return [] }
        guard !commands.contains(where: \.isEmpty) else { throw Self.emptyCommandError }
        return try withContext(operation) { context, timeout throws(RedisConnectionError) in
            for command in commands {
                try context.append(command, operation: operation)
            }
            var replies: [RedisValue] = []
            replies.reserveCapacity(commands.count)
            for _ in commands {
                replies.append(try context.readReply(operation: operation, timeout: timeout))
            }
            return replies
        }
    }

    private func runTransaction(_ commands: [ArgumentVector]) throws -> [RedisValue] {
        guard !commands.isEmpty else { return [] }
        let framed = [ArgumentVector(["MULTI"])] + commands + [ArgumentVector(["EXEC"])]
        return try Self.execResults(try runPipeline(framed, operation: "transaction")[...])
    }

    /// `EXEC`'s results from the replies to `MULTI`, the queued commands and `EXEC`, in that order.
    private static func execResults(_ replies: ArraySlice<RedisValue>) throws(RedisServerError) -> [RedisValue] {
        switch replies[replies.endIndex - 1] {
        case .array(let results):
            return results
        case .null:
            throw RedisServerError(
                message: "EXEC returned null: the transaction was discarded because a WATCHed key changed",
                command: "EXEC")
        case .error(let message):
            // EXECABORT only says "previous errors"; the refusal itself is in the queuing replies.
            let refusal = replies.dropLast().lazy.compactMap(\.errorMessage).first
            throw RedisServerError(message: refusal.map { "\(message) First error: \($0)" } ?? message, command: "EXEC")
        default:
            throw RedisServerError(message: "unexpected reply to EXEC", command: "EXEC")
        }
    }

    private static var emptyCommandError: RedisServerError {
        RedisServerError(message: "ERR empty command: no arguments were given", command: "")
    }
}

/// Commands written by `RedisConnection.sendTransaction(bytes:followedBy:)` whose replies have not been read.
public struct SentCommands: Sendable {
    /// The hiredis context written to; nil when there was nothing to send.
    let connection: ObjectIdentifier?
    let transactionReplies: Int
    let followingReplies: Int
}
