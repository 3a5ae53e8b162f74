import Testing

@testable import MockThreatAPI

@Suite("Fault injection")
struct FaultInjectionTests {
    @Test("down through the admin API and through setDown: lookups and health answer 503")
    func downAndUp() throws {
        try withServer { server throws in
            #expect(try fetch(server.port, "POST", "/admin/down").status == 200)
            let lookup = try fetch(server.port, "/api/v3/ip/8.8.8.8")
            #expect(lookup.status == 503)
            #expect(lookup.body == #"{"error":{"message":"service down"}}"#)
            let health = try fetch(server.port, "/health")
            #expect(health.status == 503)
            #expect(health.body == #"{"status":"down"}"#)
            #expect(try fetch(server.port, "POST", "/admin/up").status == 200)
            #expect(try fetch(server.port, "/api/v3/ip/8.8.8.8").status == 200)

            server.setDown(true)
            #expect(try fetch(server.port, "/health").status == 503)
            #expect(server.faults.down)
            server.setDown(false)
            #expect(try fetch(server.port, "/health").status == 200)
        }
    }

    @Test("a server can start down")
    func startDown() throws {
        try withServer(faults: FaultSettings(down: true)) { server throws in
            #expect(try fetch(server.port, "/api/v3/ip/1.1.1.1").status == 503)
        }
    }

    @Test("error rate 1 answers every lookup 500 or 503; health is not affected")
    func errorRate() throws {
        try withServer(faults: FaultSettings(errorRate: 1)) { server throws in
            let connection = try RawHTTPConnection(port: server.port)
            for _ in 0..<20 {
                let response = try connection.request("GET", "/api/v3/ip/8.8.8.8")
                #expect([500, 503].contains(response.status))
                #expect(response.body.hasPrefix(#"{"error":{"message":"#))
            }
            #expect(try connection.request("GET", "/health").status == 200)
        }
    }

    @Test("beyond the rate limit lookups get 429 with Retry-After: 1")
    func rateLimit() throws {
        try withServer(faults: FaultSettings(rateLimit: 5)) { server throws in
            let connection = try RawHTTPConnection(port: server.port)
            var statuses: [Int] = []
            for _ in 0..<20 {
                let response = try connection.request("GET", "/api/v3/ip/1.1.1.1")
                statuses.append(response.status)
                if response.status == 429 {
                    #expect(response.headers["retry-after"] == "1")
                    #expect(response.body == #"{"error":{"message":"rate limit exceeded"}}"#)
                }
            }
            // A fixed one-second window: a burst that straddles a boundary may get two windows' worth.
            #expect(statuses.filter { $0 == 200 }.count <= 10)
            #expect(statuses.filter { $0 == 429 }.count >= 10)
            #expect(Set(statuses).isSubset(of: [200, 429]))

            try server.setFaults(FaultSettings(rateLimit: 0))
            #expect(try connection.request("GET", "/api/v3/ip/1.1.1.1").status == 429)
        }
    }

    @Test("latency delays answers without holding up other connections")
    func latency() throws {
        try withServer(faults: FaultSettings(latencyMilliseconds: 300)) { server throws in
            let started = RawHTTPConnection.now()
            let connections = try (0..<8).map { _ in try RawHTTPConnection(port: server.port) }
            for connection in connections { connection.sendRequest("GET", "/api/v3/ip/8.8.8.8") }
            #expect(try fetch(server.port, "/health").status == 200)
            #expect(RawHTTPConnection.now() - started < 0.25)
            for connection in connections {
                #expect(try connection.readResponse().status == 200)
            }
            let elapsed = RawHTTPConnection.now() - started
            #expect(elapsed >= 0.29)
            #expect(elapsed < 1.2, "eight delayed answers were served one after another: \(elapsed) s")
        }
    }

    @Test("jitter adds a bounded random delay")
    func jitter() throws {
        try withServer(faults: FaultSettings(jitterMilliseconds: 50)) { server throws in
            let connection = try RawHTTPConnection(port: server.port)
            let started = RawHTTPConnection.now()
            for _ in 0..<10 { #expect(try connection.request("GET", "/api/v3/ip/8.8.8.8").status == 200) }
            #expect(RawHTTPConnection.now() - started < 2)
        }
    }

    @Test("a hanging lookup outlasts the client's timeout; others are served; stop is prompt")
    func hang() throws {
        let server = ThreatAPIServer(faults: FaultSettings(hangRate: 1, hangMilliseconds: 30_000))
        try server.start()
        defer { server.stop() }

        let hanging = try RawHTTPConnection(port: server.port)
        hanging.sendRequest("GET", "/api/v3/ip/8.8.8.8")
        #expect(throws: RawHTTPError.timedOut) { try hanging.readResponse(timeout: 0.5) }

        let health = try fetch(server.port, "/health", timeout: 1)
        #expect(health.status == 200)
        let stats = try fetch(server.port, "/admin/stats", timeout: 1)
        #expect(stats.body.contains(#""in_flight_delayed":1"#))

        let started = RawHTTPConnection.now()
        server.stop()
        let stopping = RawHTTPConnection.now() - started
        #expect(stopping < 1, "stop took \(stopping) s with a hang in flight")
        #expect(hanging.isClosedByServer(timeout: 2))
    }

    @Test("a hang ends with the answer once its time is up")
    func shortHang() throws {
        try withServer(faults: FaultSettings(hangRate: 1, hangMilliseconds: 200)) { server throws in
            let started = RawHTTPConnection.now()
            #expect(try fetch(server.port, "/api/v3/ip/8.8.8.8").status == 200)
            #expect(RawHTTPConnection.now() - started >= 0.19)
        }
    }
}
