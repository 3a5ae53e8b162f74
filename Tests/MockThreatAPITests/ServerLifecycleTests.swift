import Testing

@testable import MockThreatAPI

@Suite("Server lifecycle")
struct ServerLifecycleTests {
    @Test("port 0 picks a free port and baseURL names it")
    func freePort() throws {
        try withServer { server throws in
            #expect(server.isRunning)
            #expect(server.port > 0)
            #expect(server.baseURL == "http://127.0.0.1:\(server.port)")
            let health = try fetch(server.port, "/health")
            #expect(health.status == 200)
            #expect(health.body == #"{"status":"ok"}"#)
        }
    }

    @Test("stop is idempotent, and a stopped server does not start again")
    func stopTwice() throws {
        let server = ThreatAPIServer()
        try server.start()
        let port = server.port
        server.stop()
        server.stop()
        #expect(!server.isRunning)
        #expect(throws: RawHTTPError.self) { try fetch(port, "/health") }
        #expect(throws: ThreatAPIError.alreadyStarted) { try server.start() }
    }

    @Test("stopping a server that never started does nothing")
    func stopUnstarted() {
        ThreatAPIServer().stop()
    }

    @Test("a taken port is reported, not crashed on")
    func portInUse() throws {
        try withServer { server throws in
            let second = ThreatAPIServer(port: server.port)
            #expect(throws: ThreatAPIError.self) { try second.start() }
            #expect(!second.isRunning)
            second.stop()
        }
    }

    @Test("an unresolvable host is reported")
    func badHost() {
        let server = ThreatAPIServer(host: "no-such-host.invalid")
        #expect(throws: ThreatAPIError.self) { try server.start() }
    }

    @Test("IPv6 loopback works and baseURL brackets it")
    func ipv6() throws {
        let server = ThreatAPIServer(host: "::1")
        do {
            try server.start()
        } catch {
            return  // No IPv6 loopback here; nothing to check.
        }
        defer { server.stop() }
        #expect(server.baseURL == "http://[::1]:\(server.port)")
    }
}
