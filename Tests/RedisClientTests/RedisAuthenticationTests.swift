import RedisClient
import TestSupport
import Testing

@Suite("AUTH and password hygiene")
struct RedisAuthenticationTests {
    private static let password = "correct-horse-battery"
    private static let wrongPassword = "wrong-pony-staple-s3cr3t"

    @Test func authenticatesWithPassword() throws {
        let server = try startedServer(password: Self.password)
        defer { server.stop() }
        let connection = try RedisConnection(url: server.url)
        defer { connection.close() }

        #expect(try connection.command(["PING"]) == .status("PONG"))
        let fromText = try RedisConnection(url: RedisURL(parsing: server.urlString))
        defer { fromText.close() }
        #expect(try fromText.command(["PING"]) == .status("PONG"))
    }

    @Test func authenticatesAsACLUser() throws {
        let server = try startedServer(extraArguments: ["--user", "alice", "on", ">alice-pw", "~*", "&*", "+@all"])
        defer { server.stop() }
        let url = try RedisURL(parsing: "unix://alice:alice-pw@\(server.socketPath)")
        let connection = try RedisConnection(url: url)
        defer { connection.close() }

        #expect(try connection.command(["ACL", "WHOAMI"]) == .bulk(bytes("alice")))
    }

    @Test func missingPasswordIsNoAuth() throws {
        let server = try startedServer(password: Self.password)
        defer { server.stop() }
        var url = server.url
        url.password = nil
        let connection = try RedisConnection(url: url)
        defer { connection.close() }

        let error = #expect(throws: RedisServerError.self) { try connection.command(["GET", "x"]) }
        #expect(error?.code == "NOAUTH")
    }

    @Test func wrongPasswordIsAClearErrorWithoutThePassword() throws {
        let server = try startedServer(tcp: true, password: Self.password)
        defer { server.stop() }
        var url = server.url
        url.password = Self.wrongPassword

        let error = #expect(throws: RedisServerError.self) { try RedisConnection(url: url) }
        #expect(error?.command == "AUTH")
        #expect(error?.code == "WRONGPASS")
        let text = error.map { "\($0) \($0.message) \($0.command)" } ?? ""
        #expect(!text.contains(Self.wrongPassword))
        #expect(!text.contains(Self.password))

        var aclURL = url
        aclURL.username = "default"
        let aclError = #expect(throws: RedisServerError.self) { try RedisConnection(url: aclURL) }
        #expect(aclError.map { !"\($0)".contains(Self.wrongPassword) } == true)
    }

    @Test func connectionErrorsNeverShowThePassword() throws {
        let port = FreePort.next()
        let url = try RedisURL(parsing: "redis://alice:\(Self.wrongPassword)@127.0.0.1:\(port)/2")
        let error = #expect(throws: RedisConnectionError.self) { try RedisConnection(url: url) }
        #expect(error?.operation == "connect")
        #expect(error?.endpoint == "redis://alice:***@127.0.0.1:\(port)/2")
        #expect(error.map { !"\($0)".contains(Self.wrongPassword) } == true)
        #expect(error?.message.contains("refused") == true)
    }

    @Test func reconnectErrorsNeverShowThePassword() throws {
        let server = try startedServer(password: Self.password)
        defer { server.stop() }
        let connection = try RedisConnection(url: server.url, reconnect: quickReconnect)
        defer { connection.close() }

        server.kill()
        let error = #expect(throws: RedisConnectionError.self) { try connection.command(["PING"]) }
        #expect(error?.operation == "reconnect")
        #expect(error?.endpoint.contains(":***@") == true)
        #expect(error.map { !"\($0)".contains(Self.password) } == true)
    }
}
