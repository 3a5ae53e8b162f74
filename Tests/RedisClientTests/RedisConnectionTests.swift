import Foundation
import RedisClient
import TestSupport
import Testing

@Suite("RedisConnection commands against a real server")
struct RedisConnectionTests {
    @Test func ping() throws {
        let server = try startedServer()
        defer { server.stop() }
        let connection = try RedisConnection(url: server.url)
        defer { connection.close() }

        #expect(try connection.command(["PING"]) == .status("PONG"))
        #expect(try connection.command(["ECHO", "hello"]) == .bulk(bytes("hello")))
        #expect(connection.isConnected)
    }

    @Test func pingOverTCP() throws {
        let server = try startedServer(tcp: true)
        defer { server.stop() }
        let connection = try RedisConnection(url: RedisURL(parsing: server.urlString))
        defer { connection.close() }

        #expect(try connection.command(["PING"]) == .status("PONG"))
    }

    @Test func binarySafeValues() throws {
        let server = try startedServer()
        defer { server.stop() }
        let connection = try RedisConnection(url: server.url)
        defer { connection.close() }

        let key: [UInt8] = [0x6B, 0x00, 0x01, 0xFF]
        let value: [UInt8] = [0x00, 0xFF, 0xC3, 0x28, 0x0A, 0x0D, 0x00, 0x80, 0x00]
        #expect(try connection.command(bytes: [bytes("SET"), key, value]) == .status("OK"))
        #expect(try connection.command(bytes: [bytes("GET"), key]) == .bulk(value))
        #expect(try connection.command(bytes: [bytes("STRLEN"), key]) == .integer(value.count))
        // The same key spelled without its NUL byte is a different key.
        #expect(try connection.command(bytes: [bytes("GET"), [0x6B, 0x01, 0xFF]]) == .null)

        #expect(try connection.command(["SET", "empty", ""]) == .status("OK"))
        #expect(try connection.command(["GET", "empty"]) == .bulk([]))
        #expect(try connection.command(["GET", "missing"]) == .null)
    }

    @Test func repliesOfEveryKind() throws {
        let server = try startedServer()
        defer { server.stop() }
        let connection = try RedisConnection(url: server.url)
        defer { connection.close() }

        let abc: RedisValue = .array([.bulk(bytes("a")), .bulk(bytes("b")), .bulk(bytes("c"))])
        #expect(try connection.command(["RPUSH", "list", "a", "b", "c"]) == .integer(3))
        #expect(try connection.command(["LRANGE", "list", "0", "-1"]) == abc)
        #expect(try connection.command(["LRANGE", "nothing", "0", "-1"]) == .array([]))
        #expect(try connection.command(["INCRBY", "counter", "-5"]).int == -5)
        #expect(try connection.command(["GET", "counter"]).int == -5)
        #expect(try connection.command(["HSET", "hash", "field", "value"]) == .integer(1))
        #expect(try connection.command(["HGETALL", "hash"]) == .array([.bulk(bytes("field")), .bulk(bytes("value"))]))
    }

    @Test func pipelineOfAThousandCommands() throws {
        let server = try startedServer()
        defer { server.stop() }
        let connection = try RedisConnection(url: server.url)
        defer { connection.close() }

        let sets = (0..<1000).map { ["SET", "pipeline:\($0)", "value-\($0)"] }
        let setReplies = try connection.pipeline(sets)
        #expect(setReplies.count == 1000)
        #expect(setReplies.allSatisfy { $0 == .status("OK") })

        let gets = (0..<1000).map { ["GET", "pipeline:\($0)"] }
        let values = try connection.pipeline(gets)
        #expect(values == (0..<1000).map { .bulk(bytes("value-\($0)")) })
        #expect(try connection.command(["DBSIZE"]) == .integer(1000))
        #expect(try connection.pipeline([]) == [])
    }

    @Test func pipelineReturnsErrorRepliesInPlace() throws {
        let server = try startedServer()
        defer { server.stop() }
        let connection = try RedisConnection(url: server.url)
        defer { connection.close() }

        let replies = try connection.pipeline([
            ["SET", "text", "x"],
            ["LPUSH", "text", "y"],
            ["NOSUCHCOMMAND"],
            ["GET", "text"],
        ])
        #expect(replies.count == 4)
        #expect(replies[0] == .status("OK"))
        #expect(replies[1].errorMessage?.hasPrefix("WRONGTYPE") == true)
        #expect(replies[2].errorMessage?.hasPrefix("ERR unknown command") == true)
        #expect(replies[3] == .bulk(bytes("x")))

        let binary = try connection.pipeline(bytes: [[bytes("SET"), [0], [0xFF]], [bytes("GET"), [0]]])
        #expect(binary == [.status("OK"), .bulk([0xFF])])
    }

    @Test func transactionReturnsExecResults() throws {
        let server = try startedServer()
        defer { server.stop() }
        let connection = try RedisConnection(url: server.url)
        defer { connection.close() }

        try connection.command(["RPUSH", "processing", "alert-1", "alert-2"])
        let results = try connection.transaction([
            ["HSET", "processed", "alert-1", "{}"],
            ["LREM", "processing", "1", "alert-1"],
            ["INCR", "done"],
        ])
        #expect(results == [.integer(1), .integer(1), .integer(1)])
        #expect(try connection.command(["LRANGE", "processing", "0", "-1"]) == .array([.bulk(bytes("alert-2"))]))
        #expect(try connection.transaction([]) == [])
    }

    @Test func runtimeErrorInsideTransactionIsAValue() throws {
        let server = try startedServer()
        defer { server.stop() }
        let connection = try RedisConnection(url: server.url)
        defer { connection.close() }

        try connection.command(["SET", "text", "x"])
        let results = try connection.transaction([["LPUSH", "text", "y"], ["SET", "other", "1"]])
        #expect(results.count == 2)
        #expect(results[0].errorMessage?.hasPrefix("WRONGTYPE") == true)
        #expect(results[1] == .status("OK"))
    }

    @Test func execAbortIsAServerError() throws {
        let server = try startedServer()
        defer { server.stop() }
        let connection = try RedisConnection(url: server.url)
        defer { connection.close() }

        let error = #expect(throws: RedisServerError.self) {
            try connection.transaction([["SET", "never", "1"], ["NOSUCHCOMMAND", "x"], ["SET", "never2", "1"]])
        }
        #expect(error?.command == "EXEC")
        #expect(error?.code == "EXECABORT")
        #expect(error?.message.contains("First error: ERR unknown command") == true)
        // Nothing ran, and the connection is still in step.
        #expect(try connection.command(["EXISTS", "never", "never2"]) == .integer(0))
        #expect(try connection.command(["PING"]) == .status("PONG"))
        #expect(connection.isConnected)
    }

    @Test func aTransactionAndTheCommandsAfterItShareOneWrite() throws {
        let server = try startedServer()
        defer { server.stop() }
        let connection = try RedisConnection(url: server.url)
        defer { connection.close() }

        try connection.command(["RPUSH", "pending", "alert-2"])
        try connection.command(["RPUSH", "processing", "alert-1"])
        let done = try connection.transaction(
            bytes: [
                [bytes("HSET"), bytes("processed"), bytes("alert-1"), bytes("{}")],
                [bytes("LREM"), bytes("processing"), bytes("1"), bytes("alert-1")],
            ],
            followedBy: [[bytes("LMOVE"), bytes("pending"), bytes("processing"), bytes("RIGHT"), bytes("LEFT")]])
        #expect(try done.transaction.get() == [.integer(1), .integer(1)])
        #expect(done.following == [.bulk(bytes("alert-2"))])
        #expect(try connection.command(["LRANGE", "processing", "0", "-1"]) == .array([.bulk(bytes("alert-2"))]))

        // A discarded transaction is its result, and the commands after it still ran.
        let aborted = try connection.transaction(
            bytes: [[bytes("SET"), bytes("never"), bytes("1")], [bytes("NOSUCHCOMMAND")]],
            followedBy: [[bytes("LPOP"), bytes("processing")]])
        #expect(throws: RedisServerError.self) { try aborted.transaction.get() }
        #expect(aborted.following == [.bulk(bytes("alert-2"))])
        #expect(try connection.command(["EXISTS", "never"]) == .integer(0))
        #expect(try connection.command(["PING"]) == .status("PONG"))
    }

    @Test func repliesOfASendAreReadLaterAndNothingElseRunsMeanwhile() throws {
        let server = try startedServer()
        defer { server.stop() }
        let connection = try RedisConnection(url: server.url)
        defer { connection.close() }

        try connection.command(["RPUSH", "pending", "alert-1"])
        let sent = try connection.sendTransaction(
            bytes: [[bytes("INCR"), bytes("stored")]],
            followedBy: [[bytes("LMOVE"), bytes("pending"), bytes("processing"), bytes("RIGHT"), bytes("LEFT")]])
        // Another call now would take the replies owed to the send for its own: it is refused, and the
        // connection is not harmed by the refusal.
        let refused = #expect(throws: RedisConnectionError.self) { try connection.command(["PING"]) }
        #expect(refused?.message.contains("replies to an earlier send") == true)
        let replies = try connection.receive(sent)
        #expect(try replies.transaction.get() == [.integer(1)])
        #expect(replies.following == [.bulk(bytes("alert-1"))])
        #expect(try connection.command(["PING"]) == .status("PONG"))

        // Nothing to send: nothing is written, and the empty replies come back at once.
        let nothing = try connection.receive(try connection.sendTransaction(bytes: [], followedBy: []))
        #expect(try nothing.transaction.get() == [] && nothing.following == [])
    }

    /// The server dies between the send and the read: the read fails as a connection error, and the next
    /// call reconnects.
    @Test func aSendWhoseServerDiesFailsWhenItsRepliesAreRead() throws {
        let server = try startedServer()
        defer { server.stop() }
        let connection = try RedisConnection(url: server.url)
        defer { connection.close() }
        let pid = try #require(server.pid)

        // Stopped, the server cannot answer; the write still goes through into the socket's buffer.
        kill(pid, SIGSTOP)
        let sent = try connection.sendTransaction(bytes: [[bytes("INCR"), bytes("n")]], followedBy: [])
        server.kill()
        #expect(throws: RedisConnectionError.self) { try connection.receive(sent) }
        try server.restart()
        #expect(try connection.command(["PING"]) == .status("PONG"))
    }

    @Test func watchedKeyChangeAbortsTheTransaction() throws {
        let server = try startedServer()
        defer { server.stop() }
        let connection = try RedisConnection(url: server.url)
        let other = try RedisConnection(url: server.url)
        defer {
            connection.close()
            other.close()
        }

        try connection.command(["WATCH", "watched"])
        try other.command(["SET", "watched", "changed"])
        let error = #expect(throws: RedisServerError.self) {
            try connection.transaction([["SET", "watched", "mine"]])
        }
        #expect(error?.command == "EXEC")
        #expect(try connection.command(["GET", "watched"]) == .bulk(bytes("changed")))
    }

    @Test func serverErrorKeepsTheConnectionUsable() throws {
        let server = try startedServer()
        defer { server.stop() }
        let connection = try RedisConnection(url: server.url)
        defer { connection.close() }

        try connection.command(["SET", "text", "x"])
        let error = #expect(throws: RedisServerError.self) {
            try connection.command(["LPUSH", "text", "secret-argument"])
        }
        #expect(error?.code == "WRONGTYPE")
        #expect(error?.command == "LPUSH")
        #expect(error.map { !$0.description.contains("secret-argument") } == true)
        #expect(connection.isConnected)
        #expect(try connection.command(["PING"]) == .status("PONG"))

        let empty = #expect(throws: RedisServerError.self) { try connection.command([]) }
        #expect(empty?.code == "ERR")
        #expect(try connection.command(["PING"]) == .status("PONG"))
    }

    @Test func selectsTheURLsDatabase() throws {
        let server = try startedServer()
        defer { server.stop() }
        var databaseThree = server.url
        databaseThree.database = 3
        let three = try RedisConnection(url: databaseThree)
        let zero = try RedisConnection(url: server.url)
        defer {
            three.close()
            zero.close()
        }

        try three.command(["SET", "where", "three"])
        #expect(try three.command(["GET", "where"]) == .bulk(bytes("three")))
        #expect(try zero.command(["GET", "where"]) == .null)
        #expect(try three.command(["CLIENT", "INFO"]).string?.contains(" db=3 ") == true)

        let fromText = try RedisConnection(url: RedisURL(parsing: "unix://\(server.socketPath)?db=3"))
        defer { fromText.close() }
        #expect(try fromText.command(["GET", "where"]) == .bulk(bytes("three")))

        var tooHigh = server.url
        tooHigh.database = 99
        let error = #expect(throws: RedisServerError.self) { try RedisConnection(url: tooHigh) }
        #expect(error?.command == "SELECT")
    }

    @Test func serverVersionMatchesTheInstalledServer() throws {
        let server = try startedServer()
        defer { server.stop() }
        let connection = try RedisConnection(url: server.url)
        defer { connection.close() }

        let version = try #require(connection.serverVersion)
        #expect(version.major >= 7)
        #expect("\(version.major).\(version.minor).\(version.patch)" == installedRedisVersion())
        // Cached: still answered after the connection is closed.
        connection.close()
        #expect(connection.serverVersion?.major == version.major)
    }

    @Test func closedConnectionRefusesCalls() throws {
        let server = try startedServer()
        defer { server.stop() }
        let connection = try RedisConnection(url: server.url)
        connection.close()
        connection.close()

        #expect(!connection.isConnected)
        let error = #expect(throws: RedisConnectionError.self) { try connection.command(["PING"]) }
        #expect(error?.message == "the connection was closed")
    }

    /// `7.0.15` from `redis-server --version` (`Redis server v=7.0.15 sha=…`).
    private func installedRedisVersion() -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
        process.arguments = ["--version"]
        let output = Pipe()
        process.standardOutput = output
        guard (try? process.run()) != nil else { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        return text.split(separator: " ").first { $0.hasPrefix("v=") }.map { String($0.dropFirst(2)) }
    }
}
