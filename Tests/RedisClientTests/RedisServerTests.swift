import Foundation
import RedisClient
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("RedisServer test launcher")
struct RedisServerTests {
    @Test func stopEndsTheProcessAndRemovesTheDirectory() throws {
        let server = try startedServer()
        let pid = try #require(server.pid)
        let directory = server.directoryPath
        #expect(FileManager.default.fileExists(atPath: server.socketPath))

        server.stop()
        #expect(server.pid == nil)
        #expect(kill(pid, 0) == -1)
        #expect(!FileManager.default.fileExists(atPath: directory))
        server.stop()
    }

    @Test func appendOnlyDataSurvivesKillAndRestart() throws {
        let server = try startedServer(appendOnly: true, appendFsync: "always")
        defer { server.stop() }
        let first = try RedisConnection(url: server.url)
        try first.command(["RPUSH", "durable", "a", "b"])
        first.close()
        let firstPid = server.pid

        server.kill()
        #expect(server.pid == nil)
        try server.restart()
        #expect(server.pid != firstPid)
        let second = try RedisConnection(url: server.url)
        defer { second.close() }
        #expect(try second.command(["LLEN", "durable"]) == .integer(2))
        #expect(try second.command(["CONFIG", "GET", "maxmemory-policy"]).array?.last == .bulk(bytes("noeviction")))
    }

    @Test func tcpServerListensOnLoopback() throws {
        let server = try startedServer(tcp: true)
        defer { server.stop() }
        let port = try #require(server.port)
        #expect(server.urlString == "redis://127.0.0.1:\(port)")
        #expect(server.url.endpoint == .tcp(host: "127.0.0.1", port: port))
        let connection = try RedisConnection(url: server.url)
        defer { connection.close() }
        #expect(try connection.command(["CONFIG", "GET", "bind"]).array?.last == .bulk(bytes("127.0.0.1")))
    }

    @Test func badConfigurationFailsWithTheServerLog() {
        let server = RedisServer(extraArguments: ["--no-such-directive", "1"])
        defer { server.stop() }
        let error = #expect(throws: RedisServerLaunchError.self) { try server.start() }
        #expect(error?.message.contains("exited") == true)
        #expect(error?.message.contains("no-such-directive") == true)
        #expect(server.pid == nil)
    }
}
