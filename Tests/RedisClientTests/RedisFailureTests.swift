import Foundation
import RedisClient
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Connection failures, timeouts and reconnects")
struct RedisFailureTests {
    @Test func commandInFlightFailsAndTheNextOneReconnects() throws {
        let server = try startedServer(appendOnly: true, appendFsync: "always")
        defer { server.stop() }
        let connection = try RedisConnection(url: server.url, reconnect: quickReconnect)
        defer { connection.close() }
        try connection.command(["SET", "survivor", "1"])

        // The server dies while BLPOP waits for its reply: the command fails and is not resent.
        let observer = try RedisConnection(url: server.url)
        let killed = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            killOnceBlocked(server, observer: observer)
            killed.signal()
        }
        let inFlight = #expect(throws: RedisConnectionError.self) { try connection.command(["BLPOP", "empty", "3"]) }
        #expect(inFlight?.operation == "BLPOP")
        #expect(!connection.isConnected)
        // The client can see EOF while the dying server still accepts connections; wait until it is reaped.
        killed.wait()

        // While the server is down, the reconnect before the next command gives up after the policy's attempts.
        let down = #expect(throws: RedisConnectionError.self) { try connection.command(["PING"]) }
        #expect(down?.operation == "reconnect")
        #expect(down?.message.hasPrefix("3 attempts before PING failed") == true)

        try server.restart()
        #expect(try connection.command(["PING"]) == .status("PONG"))
        #expect(try connection.command(["GET", "survivor"]) == .bulk(bytes("1")))
        #expect(connection.isConnected)
    }

    @Test func idleConnectionSurvivesAServerRestart() throws {
        let server = try startedServer(tcp: true, appendOnly: true, appendFsync: "always")
        defer { server.stop() }
        var url = server.url
        url.database = 2
        let connection = try RedisConnection(url: url, reconnect: quickReconnect)
        defer { connection.close() }
        try connection.command(["SET", "kept", "yes"])

        server.kill()
        try server.restart()
        // Nothing was in flight: the closed socket is noticed before sending, and the command runs on a new
        // connection that selected database 2 again.
        #expect(try connection.command(["GET", "kept"]) == .bulk(bytes("yes")))
        #expect(try connection.command(["CLIENT", "INFO"]).string?.contains(" db=2 ") == true)
    }

    @Test func commandTimeoutBreaksTheConnectionAndTheNextCallReconnects() throws {
        let server = try startedServer()
        defer { server.stop() }
        let connection = try RedisConnection(url: server.url, commandTimeout: .milliseconds(300))
        defer { connection.close() }

        let error = #expect(throws: RedisConnectionError.self) { try connection.command(["BLPOP", "empty", "2"]) }
        #expect(error?.operation == "BLPOP")
        #expect(error?.message.contains("no reply within the command timeout of 300 ms") == true)
        #expect(!connection.isConnected)
        #expect(try connection.command(["PING"]) == .status("PONG"))
        #expect(connection.commandTimeout == .milliseconds(300))
    }

    @Test func blmoveOnAnEmptyListReturnsNullAfterItsBlockTime() throws {
        let server = try startedServer()
        defer { server.stop() }
        let connection = try RedisConnection(url: server.url, commandTimeout: .seconds(5))
        defer { connection.close() }

        var reply = RedisValue.status("unset")
        let took = try elapsed {
            reply = try connection.command(["BLMOVE", "{q}:pending", "{q}:processing:a", "RIGHT", "LEFT", "1"])
        }
        #expect(reply == .null)
        #expect(took >= .milliseconds(900) && took < .seconds(3))

        try connection.command(["LPUSH", "{q}:pending", "alert-1"])
        let moved = try connection.command(["BLMOVE", "{q}:pending", "{q}:processing:a", "RIGHT", "LEFT", "1"])
        #expect(moved == .bulk(bytes("alert-1")))
        #expect(try connection.command(["LLEN", "{q}:processing:a"]) == .integer(1))
    }

    @Test func brpoplpushOnAnEmptyListReturnsNull() throws {
        let server = try startedServer()
        defer { server.stop() }
        let connection = try RedisConnection(url: server.url, commandTimeout: .seconds(5))
        defer { connection.close() }

        var reply = RedisValue.status("unset")
        let took = try elapsed {
            reply = try connection.command(["BRPOPLPUSH", "{q}:pending", "{q}:processing:b", "1"])
        }
        #expect(reply == .null)
        #expect(took >= .milliseconds(900) && took < .seconds(3))
        #expect(connection.isConnected)
    }

    @Test func setCommandTimeoutAllowsALongerBlock() throws {
        let server = try startedServer()
        defer { server.stop() }
        let connection = try RedisConnection(url: server.url, commandTimeout: .milliseconds(200))
        defer { connection.close() }

        try connection.setCommandTimeout(.seconds(3))
        #expect(try connection.command(["BLPOP", "empty", "0.5"]) == .null)
        try connection.setCommandTimeout(.milliseconds(200))
        #expect(connection.commandTimeout == .milliseconds(200))
        #expect(throws: RedisConnectionError.self) { try connection.command(["BLPOP", "empty", "1"]) }
    }

    @Test func unreachableServerIsAConnectionError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let url = RedisURL(endpoint: .unixSocket(path: directory.appending("absent.sock")))
        let error = #expect(throws: RedisConnectionError.self) { try RedisConnection(url: url) }
        #expect(error?.operation == "connect")
        #expect(error?.message == "No such file or directory")
    }

    @Test func connectingIgnoresSIGPIPE() throws {
        let server = try startedServer()
        defer { server.stop() }
        let connection = try RedisConnection(url: server.url)
        defer { connection.close() }

        var action = sigaction()
        sigaction(SIGPIPE, nil, &action)
        #expect(unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self) == 1)  // SIG_IGN
    }

    @Test func connectionIsSharedSafelyAcrossThreads() throws {
        let server = try startedServer()
        defer { server.stop() }
        let connection = try RedisConnection(url: server.url)
        defer { connection.close() }

        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<250 {
                _ = try? connection.command(["INCR", "shared"])
            }
        }
        #expect(try connection.command(["GET", "shared"]).int == 1000)
    }

    /// Kills `server` as soon as it reports a client blocked in a command, so the kill lands mid-command.
    private func killOnceBlocked(_ server: RedisServer, observer: RedisConnection) {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            let info = (try? observer.command(["INFO", "clients"]).string) ?? ""
            if info.contains("blocked_clients:1") { break }
            usleep(5_000)
        }
        observer.close()
        server.kill()
    }
}
