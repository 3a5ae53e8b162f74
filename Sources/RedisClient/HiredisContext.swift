import CHiredis

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Owns one hiredis `redisContext` and turns its failures into `RedisConnectionError`.
///
/// Not thread-safe: `RedisConnection` only touches it under its lock. Dropping the last reference frees
/// the context. Once any call fails the context is dead (`err != 0`) and must be dropped.
final class HiredisContext {
    private let context: UnsafeMutablePointer<redisContext>
    private let endpoint: String
    /// Replies the server owes for commands written by `flush` and not yet read.
    var owedReplies = 0

    private init(context: UnsafeMutablePointer<redisContext>, endpoint: String) {
        self.context = context
        self.endpoint = endpoint
    }

    deinit {
        redisFree(context)
    }

    /// Opens a blocking connection; `timeout` bounds the connect only (see `setTimeout`).
    static func connect(to url: RedisURL, timeout: Duration) throws(RedisConnectionError) -> HiredisContext {
        _ = brokenPipeIgnored
        let endpoint = url.description
        let opened: UnsafeMutablePointer<redisContext>?
        switch url.endpoint {
        case .tcp(let host, let port):
            opened = redisConnectWithTimeout(host, Int32(clamping: port), timeout.asTimeval)
        case .unixSocket(let path):
            opened = redisConnectUnixWithTimeout(path, timeout.asTimeval)
        }
        guard let opened else {
            throw RedisConnectionError(operation: "connect", message: "out of memory", endpoint: endpoint)
        }
        guard opened.pointee.err == 0 else {
            let message = Self.errorText(of: opened)
            redisFree(opened)
            throw RedisConnectionError(operation: "connect", message: message, endpoint: endpoint)
        }
        return HiredisContext(context: opened, endpoint: endpoint)
    }

    /// Sets the socket's read and write timeout, which also bounds blocking commands; `.zero` means none.
    func setTimeout(_ timeout: Duration) throws(RedisConnectionError) {
        guard redisSetTimeout(context, timeout.asTimeval) == REDIS_OK else {
            throw failure(during: "set timeout", timeout: timeout)
        }
    }

    /// Sends one command and reads its reply; an error reply is returned as `.error`, not thrown.
    func command(_ arguments: ArgumentVector, timeout: Duration) throws(RedisConnectionError) -> RedisValue {
        let reply = arguments.withArgv { count, argv, lengths in
            redisCommandArgv(context, count, argv, lengths)
        }
        guard let reply else {
            throw failure(during: arguments.commandName, timeout: timeout)
        }
        defer { freeReplyObject(reply) }
        return RedisValue(copying: reply.assumingMemoryBound(to: redisReply.self))
    }

    /// Queues one command in hiredis's output buffer; nothing is sent until `readReply`.
    func append(_ arguments: ArgumentVector, operation: String) throws(RedisConnectionError) {
        let status = arguments.withArgv { count, argv, lengths in
            redisAppendCommandArgv(context, count, argv, lengths)
        }
        guard status == REDIS_OK else {
            throw failure(during: operation, timeout: .zero)
        }
    }

    /// Writes what `append` queued, without reading anything: the replies are read later by `readReply`.
    func flush(operation: String, timeout: Duration) throws(RedisConnectionError) {
        var done: Int32 = 0
        while done == 0 {
            guard redisBufferWrite(context, &done) == REDIS_OK else {
                throw failure(during: operation, timeout: timeout)
            }
        }
    }

    /// Flushes what `append` queued, then reads the next reply.
    func readReply(operation: String, timeout: Duration) throws(RedisConnectionError) -> RedisValue {
        var reply: UnsafeMutableRawPointer?
        guard redisGetReply(context, &reply) == REDIS_OK, let reply else {
            throw failure(during: operation, timeout: timeout)
        }
        defer { freeReplyObject(reply) }
        return RedisValue(copying: reply.assumingMemoryBound(to: redisReply.self))
    }

    /// Whether this idle connection can take a command without sending it into a dead socket.
    ///
    /// An idle connection has nothing to read: if it is readable, the server closed or reset it, or sent
    /// bytes nobody asked for, which would pair later replies with the wrong commands. Nothing has been
    /// sent yet, so opening a fresh connection instead is safe and cannot duplicate a command.
    var isUsable: Bool {
        guard context.pointee.err == 0, context.pointee.fd >= 0 else { return false }
        var descriptor = pollfd(fd: context.pointee.fd, events: Int16(POLLIN), revents: 0)
        var ready = poll(&descriptor, 1, 0)
        while ready == -1 && errno == EINTR {
            ready = poll(&descriptor, 1, 0)
        }
        return ready == 0
    }

    private func failure(during operation: String, timeout: Duration) -> RedisConnectionError {
        var message = Self.errorText(of: context)
        if context.pointee.err == 0 {
            message = "no reply (hiredis reported no error)"
        } else if context.pointee.err == REDIS_ERR_IO && message == String(cString: strerror(EAGAIN)) {
            // hiredis reports an expired socket timeout as a bare EAGAIN text; say what it means.
            message = "no reply within the command timeout of \(timeout.shortDescription) (\(message))"
        }
        return RedisConnectionError(operation: operation, message: message, endpoint: endpoint)
    }

    private static func errorText(of context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { buffer in
            let text = buffer.prefix { $0 != 0 }
            return text.isEmpty ? "unknown error" : String(decoding: text, as: UTF8.self)
        }
    }

    /// A write to a socket the server closed raises SIGPIPE, which kills the process by default. Ignoring
    /// it turns that write into an EPIPE error hiredis reports. Run once per process, on first connect; a
    /// handler the program installed itself is left alone.
    private static let brokenPipeIgnored: Bool = {
        var current = sigaction()
        guard sigaction(SIGPIPE, nil, &current) == 0 else { return false }
        #if canImport(Darwin)
            let isDefault = current.__sigaction_u.__sa_handler == nil
        #else
            let isDefault = current.__sigaction_handler.sa_handler == nil && current.sa_flags & SA_SIGINFO == 0
        #endif
        guard isDefault else { return true }
        var ignore = current
        #if canImport(Darwin)
            ignore.__sigaction_u.__sa_handler = SIG_IGN
        #else
            ignore.__sigaction_handler.sa_handler = SIG_IGN
        #endif
        return sigaction(SIGPIPE, &ignore, nil) == 0
    }()
}
