import Testing

@testable import RedisClient

@Suite("RedisValue and small helpers")
struct RedisValueTests {
    @Test func conveniences() {
        #expect(RedisValue.status("OK").string == "OK")
        #expect(RedisValue.bulk(Array("héllo".utf8)).string == "héllo")
        #expect(RedisValue.bulk([0xFF, 0xFE]).string == nil)
        #expect(RedisValue.error("ERR x").string == nil)
        #expect(RedisValue.error("ERR x").errorMessage == "ERR x")
        #expect(RedisValue.integer(42).int == 42)
        #expect(RedisValue.bulk(Array("17".utf8)).int == 17)
        #expect(RedisValue.bulk(Array("x".utf8)).int == nil)
        #expect(RedisValue.array([.null]).array == [.null])
        #expect(RedisValue.integer(1).array == nil)
        #expect(RedisValue.bulk([0, 1]).bytes == [0, 1])
        #expect(RedisValue.status("OK").bytes == Array("OK".utf8))
        #expect(RedisValue.null.isNull)
        #expect(!RedisValue.bulk([]).isNull)
    }

    @Test func serverErrorCode() {
        let error = RedisServerError(message: "WRONGTYPE Operation against a key", command: "LPUSH")
        #expect(error.code == "WRONGTYPE")
        #expect(error.description == "Redis LPUSH failed: WRONGTYPE Operation against a key")
    }

    @Test func versionFromInfo() throws {
        let info = "# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\n"
        let version = try #require(RedisConnection.parseVersion(info))
        #expect(version == (7, 0, 15))
        #expect(RedisConnection.parseVersion("# Server\r\n") == nil)
        #expect(RedisConnection.parseVersion("redis_version:7.x.1\r\n") == nil)
    }

    @Test func reconnectDelaysDoubleUpToTheCap() {
        let policy = ReconnectPolicy.default
        #expect(policy.delay(after: 1) == .milliseconds(50))
        #expect(policy.delay(after: 2) == .milliseconds(100))
        #expect(policy.delay(after: 5) == .milliseconds(800))
        #expect(policy.delay(after: 6) == .seconds(1))
        #expect(policy.delay(after: 20) == .seconds(1))
    }

    @Test func commandNameNeverIncludesArguments() {
        #expect(ArgumentVector(["auth", "alice", "secret"]).commandName == "AUTH")
        #expect(ArgumentVector(bytes: [[0x6C, 0x00, 0xFF]]).commandName == "L??")
        #expect(ArgumentVector([]).commandName == "")
    }
}
