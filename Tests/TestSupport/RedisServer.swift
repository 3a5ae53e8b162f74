import Foundation
import RedisClient

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A real `redis-server` for tests: its own temporary directory, its own unix socket, and with `tcp: true`
/// also its own port on 127.0.0.1.
///
/// Configuration goes on the command line: no TCP unless asked (`--port 0`), no RDB snapshots, AOF only
/// when asked, `noeviction`, log file in the directory. The server runs under a watchdog, a shell child
/// that holds a pipe from this process: if the test process dies, even from a crash that skips every
/// `deinit`, the pipe closes and the watchdog SIGKILLs the server, so no `redis-server` outlives the tests.
///
/// `@unchecked Sendable`: every piece of mutable state is read and written under `lock`.
public final class RedisServer: @unchecked Sendable {
    public let usesTCP: Bool
    public let appendOnly: Bool
    public let appendFsync: String
    /// Set with `--requirepass` and put into `url`.
    public let password: String?
    /// Keeps the directory (AOF, log) after `stop()` and `deinit`, for inspection.
    public let keepData: Bool
    public let extraArguments: [String]

    private let lock = NSLock()
    private let directory: TemporaryDirectory?
    private let directoryError: (any Error)?
    private var tcpPort: Int
    private var hasStarted = false
    private var running: (pid: pid_t, watchdog: Int32)?

    /// Prepares a server; `start()` launches it.
    ///
    /// - Parameters:
    ///   - tcp: Also listen on 127.0.0.1 on a free port, and make `url` a `redis://` URL.
    ///   - appendOnly: Turn the AOF on, so data survives `kill()` and `restart()`.
    ///   - appendFsync: `always`, `everysec` or `no`.
    ///   - extraArguments: More `--name value` settings, appended last so they win.
    public init(
        tcp: Bool = false, appendOnly: Bool = false, appendFsync: String = "everysec", password: String? = nil,
        keepData: Bool = false, extraArguments: [String] = []
    ) {
        usesTCP = tcp
        self.appendOnly = appendOnly
        self.appendFsync = appendFsync
        self.password = password
        self.keepData = keepData
        self.extraArguments = extraArguments
        tcpPort = tcp ? FreePort.next() : 0
        // The directory is made here so `url` is known before `start()`; a failure surfaces from `start()`.
        do {
            directory = try TemporaryDirectory(prefix: "redis-test")
            directoryError = nil
        } catch {
            directory = nil
            directoryError = error
        }
    }

    deinit {
        terminate(graceful: true)
        removeDirectory()
    }

    /// The data directory: AOF files, `redis.log`, `redis.sock`.
    public var directoryPath: String {
        directory?.path ?? "/nonexistent"
    }

    public var socketPath: String {
        directoryPath + "/redis.sock"
    }

    /// The TCP port, for a server made with `tcp: true`.
    public var port: Int? {
        lock.withLock { usesTCP ? tcpPort : nil }
    }

    /// The server's process id while it runs.
    public var pid: pid_t? {
        lock.withLock { running?.pid }
    }

    public var url: RedisURL {
        let endpoint: RedisURL.Endpoint =
            usesTCP ? .tcp(host: "127.0.0.1", port: lock.withLock { tcpPort }) : .unixSocket(path: socketPath)
        return RedisURL(endpoint: endpoint, password: password)
    }

    /// `url` as text, password included (test passwords are not secrets).
    public var urlString: String {
        let userInfo = password.map { ":\($0)@" } ?? ""
        if usesTCP {
            return "redis://\(userInfo)127.0.0.1:\(lock.withLock { tcpPort })"
        }
        return userInfo.isEmpty ? "unix://\(socketPath)" : "unix://\(userInfo)\(socketPath)"
    }

    /// Launches the server and waits until it answers `PING` (at most 5 s). Does nothing if it runs already.
    ///
    /// - Throws: `RedisServerLaunchError` with the end of the server's log when it does not come up.
    public func start() throws {
        try lock.withLock {
            guard running == nil else { return }
            if let directoryError { throw directoryError }
            // A port picked by FreePort can be taken before the server binds it: pick another, first start only.
            let attempts = usesTCP && !hasStarted ? 3 : 1
            for attempt in 1...attempts {
                do {
                    try launch()
                    hasStarted = true
                    return
                } catch {
                    guard attempt < attempts else { throw error }
                    tcpPort = FreePort.next()
                }
            }
        }
    }

    /// Stops the server gracefully (SIGTERM, then SIGKILL after 5 s) and removes its directory unless
    /// `keepData`. Calling it again is harmless.
    public func stop() {
        terminate(graceful: true)
        removeDirectory()
    }

    /// SIGKILLs the server, as a crash would; the directory stays for `restart()`.
    public func kill() {
        terminate(graceful: false)
    }

    /// Stops the server if it runs, then starts it again on the same directory, socket and port, so an
    /// AOF's data survives.
    public func restart() throws {
        terminate(graceful: true)
        try start()
    }

    /// The last lines of the server's log and of anything it wrote to stdout or stderr.
    public func logTail(lines: Int = 20) -> String {
        let files = [directoryPath + "/stdout.log", directoryPath + "/redis.log"]
        let text = files.compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }.joined(separator: "\n")
        return text.split(separator: "\n", omittingEmptySubsequences: true).suffix(lines).joined(separator: "\n")
    }

    // MARK: - Launching

    /// Starts the watchdog shell, which execs `redis-server`, and waits for `PING`. Caller holds `lock`.
    private func launch() throws {
        if mkdir(directoryPath, 0o700) != 0 && errno != EEXIST {
            throw RedisServerLaunchError(message: "cannot create \(directoryPath): \(String(cString: strerror(errno)))")
        }
        // The shell hands its stdin, our socket, to a background subshell on fd 3, then execs redis-server so
        // the server keeps the shell's pid. EOF without the "q" line of a normal stop means this process died.
        let script = """
            exec 3<&0 </dev/null
            ( if read -r _ <&3; then :; else kill -9 $$ 2>/dev/null; fi ) &
            exec "$0" "$@" 3<&-
            """
        let arguments = ["/bin/sh", "-c", script, try Self.executablePath()] + serverArguments()
        let (pid, watchdog) = try Self.spawn(arguments, output: directoryPath + "/stdout.log")
        running = (pid, watchdog)
        do {
            try waitUntilReady(pid: pid)
        } catch {
            terminateLocked(graceful: false)
            throw error
        }
    }

    private func serverArguments() -> [String] {
        var arguments = [
            "--port", String(usesTCP ? tcpPort : 0),
            "--unixsocket", socketPath, "--unixsocketperm", "700",
            "--dir", directoryPath,
            "--save", "",
            "--appendonly", appendOnly ? "yes" : "no",
            "--appendfsync", appendFsync,
            "--maxmemory-policy", "noeviction",
            "--daemonize", "no",
            "--logfile", directoryPath + "/redis.log",
        ]
        if usesTCP {
            arguments += ["--bind", "127.0.0.1"]
        }
        if let password {
            arguments += ["--requirepass", password]
        }
        return arguments + extraArguments
    }

    /// Polls until the server answers on its socket. Any reply but `LOADING` counts: `NOAUTH` from a
    /// server whose password came through `extraArguments` still shows it is up.
    private func waitUntilReady(pid: pid_t) throws {
        let probe = RedisURL(endpoint: .unixSocket(path: socketPath), password: password)
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid, let watchdog = running?.watchdog {
                running = nil
                Self.dismiss(watchdog)
                throw RedisServerLaunchError(
                    message: "redis-server exited (status \(status)) before answering PING:\n\(logTail())")
            }
            if let connection = try? RedisConnection(
                url: probe, connectTimeout: .milliseconds(200), commandTimeout: .seconds(1), reconnect: .once)
            {
                defer { connection.close() }
                do {
                    _ = try connection.command(["PING"])
                    return
                } catch let error as RedisClient.RedisServerError where error.code != "LOADING" {
                    return
                } catch {}
            }
            usleep(10_000)
        }
        throw RedisServerLaunchError(message: "redis-server did not answer PING within 5 s:\n\(logTail())")
    }

    // MARK: - Stopping

    private func terminate(graceful: Bool) {
        lock.withLock { terminateLocked(graceful: graceful) }
    }

    /// Signals the server, reaps it, then tells the watchdog to leave quietly. Caller holds `lock`.
    private func terminateLocked(graceful: Bool) {
        guard let (pid, watchdog) = running else { return }
        running = nil
        if graceful {
            Glibc.kill(pid, SIGTERM)
            if !Self.reap(pid, within: .seconds(5)) {
                Glibc.kill(pid, SIGKILL)
                _ = Self.reap(pid, within: nil)
            }
        } else {
            Glibc.kill(pid, SIGKILL)
            _ = Self.reap(pid, within: nil)
        }
        // Only now, with the server reaped, is the watchdog dismissed: a crash in between still kills it.
        Self.dismiss(watchdog)
    }

    /// Sends the watchdog the line that means "stopped on purpose", so it exits without killing anything.
    private static func dismiss(_ watchdog: Int32) {
        let quit = Array("q\n".utf8)
        _ = quit.withUnsafeBytes { send(watchdog, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        close(watchdog)
    }

    private func removeDirectory() {
        guard !keepData else { return }
        lock.withLock { directory?.remove() }
    }

    /// Waits for `pid` to exit, at most `limit` (forever when `nil`). Returns whether it was reaped.
    private static func reap(_ pid: pid_t, within limit: Duration?) -> Bool {
        let deadline = limit.map { ContinuousClock.now + $0 }
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, deadline == nil ? 0 : WNOHANG)
            if result == pid { return true }
            if result == -1 && errno != EINTR { return true }  // not our child any more: nothing to wait for
            if let deadline, ContinuousClock.now >= deadline { return false }
            if deadline != nil { usleep(5_000) }
        }
    }

    // MARK: - Process plumbing

    /// `/usr/bin/redis-server`, or the first `redis-server` on `PATH`.
    private static func executablePath() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = ["/usr/bin"] + path.split(separator: ":").map(String.init)
        for directory in directories where access(directory + "/redis-server", X_OK) == 0 {
            return directory + "/redis-server"
        }
        throw RedisServerLaunchError(
            message: "redis-server not found in /usr/bin or on PATH (apt install redis-server)")
    }

    /// Spawns `arguments` with a socket pair on stdin whose other end stays with this process only.
    ///
    /// A socket pair rather than a pipe: `socketpair` sets close-on-exec atomically (`pipe2` is not
    /// exported to Swift), so a process another test spawns at the same moment cannot inherit our end and
    /// keep the watchdog's stdin open after this process has died.
    private static func spawn(_ arguments: [String], output: String) throws -> (pid_t, Int32) {
        var pipeEnds: [Int32] = [-1, -1]
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, type, 0, &pipeEnds) == 0 else {
            throw RedisServerLaunchError(message: "socketpair failed: \(String(cString: strerror(errno)))")
        }
        defer { close(pipeEnds[0]) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[0], 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        // The test process may block or ignore signals (SIGPIPE is ignored for hiredis); the server must not.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, environ)
        guard status == 0 else {
            close(pipeEnds[1])
            throw RedisServerLaunchError(message: "posix_spawn failed: \(String(cString: strerror(status)))")
        }
        return (pid, pipeEnds[1])
    }
}

/// `redis-server` could not be started; the message carries the end of its log.
public struct RedisServerLaunchError: Error, CustomStringConvertible {
    public let message: String

    public var description: String {
        message
    }
}
