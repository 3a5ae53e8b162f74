import Testing

@testable import RedisClient

@Suite("RedisURL parsing")
struct RedisURLTests {
    @Test func hostWithDefaults() throws {
        let url = try RedisURL(parsing: "redis://cache.internal")
        #expect(url.endpoint == .tcp(host: "cache.internal", port: 6379))
        #expect(url.username == nil)
        #expect(url.password == nil)
        #expect(url.database == 0)
        #expect(url.description == "redis://cache.internal:6379/0")
    }

    @Test func hostPortAndDatabase() throws {
        let url = try RedisURL(parsing: "redis://10.0.0.5:6380/3")
        #expect(url.endpoint == .tcp(host: "10.0.0.5", port: 6380))
        #expect(url.database == 3)
        #expect(try RedisURL(parsing: "redis://localhost:6379/").database == 0)
        #expect(try RedisURL(parsing: "  redis://localhost\n").endpoint == .tcp(host: "localhost", port: 6379))
        #expect(try RedisURL(parsing: "REDIS://localhost").endpoint == .tcp(host: "localhost", port: 6379))
    }

    @Test func bracketedIPv6() throws {
        let url = try RedisURL(parsing: "redis://[::1]:7000/2")
        #expect(url.endpoint == .tcp(host: "::1", port: 7000))
        #expect(url.description == "redis://[::1]:7000/2")
        #expect(try RedisURL(parsing: "redis://[fe80::1]").endpoint == .tcp(host: "fe80::1", port: 6379))
    }

    @Test func userAndPassword() throws {
        let url = try RedisURL(parsing: "redis://alice:s3cret@db.example:6379/1")
        #expect(url.username == "alice")
        #expect(url.password == "s3cret")
        #expect(url.endpoint == .tcp(host: "db.example", port: 6379))
        #expect(url.database == 1)
    }

    @Test func passwordOnlyForms() throws {
        let colon = try RedisURL(parsing: "redis://:s3cret@localhost")
        #expect(colon.username == nil)
        #expect(colon.password == "s3cret")
        // As redis-cli reads it: user info without a colon is a password, so it is never printed.
        let bare = try RedisURL(parsing: "redis://s3cret@localhost")
        #expect(bare.username == nil)
        #expect(bare.password == "s3cret")
        #expect(!bare.description.contains("s3cret"))
    }

    @Test func passwordWithSpecialCharacters() throws {
        let encoded = try RedisURL(parsing: "redis://bob:p%40ss%3Aw%2Ford@localhost:6379/0")
        #expect(encoded.username == "bob")
        #expect(encoded.password == "p@ss:w/ord")
        // A raw `@` or `:` in the password still works: the last `@` ends the user info.
        let raw = try RedisURL(parsing: "redis://bob:p@ss:word@localhost:6379")
        #expect(raw.password == "p@ss:word")
        #expect(raw.endpoint == .tcp(host: "localhost", port: 6379))
    }

    @Test func unixSocketForms() throws {
        let plain = try RedisURL(parsing: "unix:///run/redis/redis.sock")
        #expect(plain.endpoint == .unixSocket(path: "/run/redis/redis.sock"))
        #expect(plain.database == 0)
        #expect(plain.description == "unix:///run/redis/redis.sock")

        let withDatabase = try RedisURL(parsing: "redis+unix:///run/redis/redis.sock?db=4")
        #expect(withDatabase.endpoint == .unixSocket(path: "/run/redis/redis.sock"))
        #expect(withDatabase.database == 4)
        #expect(withDatabase.description == "unix:///run/redis/redis.sock?db=4")

        let withPassword = try RedisURL(parsing: "unix://carol:pw@/tmp/r.sock?db=2")
        #expect(withPassword.username == "carol")
        #expect(withPassword.password == "pw")
        #expect(withPassword.endpoint == .unixSocket(path: "/tmp/r.sock"))
        #expect(withPassword.description == "unix://carol:***@/tmp/r.sock?db=2")
    }

    @Test func bareSocketPath() throws {
        let url = try RedisURL(parsing: "/var/run/redis.sock")
        #expect(url.endpoint == .unixSocket(path: "/var/run/redis.sock"))
        #expect(url.database == 0)
        #expect(url.password == nil)
    }

    @Test(arguments: [
        "",
        "localhost:6379",
        "http://localhost",
        "rediss://localhost",
        "redis://",
        "redis://:6379",
        "redis://localhost:0",
        "redis://localhost:65536",
        "redis://localhost:abc",
        "redis://localhost:-1",
        "redis://localhost/abc",
        "redis://localhost/-1",
        "redis://::1:6379",
        "redis://[::1",
        "redis://[::1]x",
        "redis://local host",
        "unix://",
        "unix://relative/path.sock",
        "unix:///tmp/r.sock?db=x",
        "unix:///tmp/r.sock?timeout=5",
        "redis://user:%zz@localhost",
    ])
    func rejectsMalformedInput(_ text: String) {
        let error = #expect(throws: RedisURLError.self) { try RedisURL(parsing: text) }
        #expect(error?.description.hasPrefix("invalid Redis URL: ") == true)
        #expect(error?.message.isEmpty == false)
    }

    @Test func errorMessagesSayWhatIsWrong() {
        #expect(message(for: "rediss://h") == "rediss:// (TLS) is not supported: hiredis 0.14 has no TLS")
        #expect(message(for: "http://h") == "unsupported scheme 'http': use redis://, unix:// or redis+unix://")
        #expect(message(for: "redis://h:99999") == "the port must be a number from 1 to 65535")
        #expect(message(for: "redis://h/x") == "the database must be a number from 0, as in redis://host:6379/0")
    }

    @Test func descriptionRedactsThePassword() throws {
        let url = try RedisURL(parsing: "redis://alice:hunter2-very-secret@db:6379/5")
        #expect(url.description == "redis://alice:***@db:6379/5")
        #expect(!url.description.contains("hunter2"))
        #expect(!"\(url)".contains("hunter2"))
        #expect(!String(describing: url).contains("hunter2"))
        let passwordOnly = RedisURL(endpoint: .tcp(host: "db", port: 1), password: "hunter2")
        #expect(passwordOnly.description == "redis://:***@db:1/0")
    }

    /// A password typed into the wrong place of a URL must not come back in the error message.
    @Test(arguments: [
        "redis://user:hunter2",  // forgot @host: reads as host `user`, port `hunter2`
        "redis://:hunter2",
        "redis://user:hunter2@host:port",
        "redis://user:hunter2@host/db",
        "redis://user:hunter2%zz@host",
        "redis://hunter2@[::1",
        "unix://user:hunter2@relative",
        "unix:///tmp/r.sock?password=hunter2",
        "hunter2",
        "hunter2://host",
    ])
    func errorMessagesNeverContainThePassword(_ text: String) {
        let error = #expect(throws: RedisURLError.self) { try RedisURL(parsing: text) }
        #expect(error.map { !$0.description.contains("hunter2") } == true)
    }

    private func message(for text: String) -> String? {
        do {
            _ = try RedisURL(parsing: text)
            return nil
        } catch {
            return error.message
        }
    }
}
