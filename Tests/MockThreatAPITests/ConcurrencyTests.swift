import Testing

@testable import MockThreatAPI

@Suite("Concurrency and keep-alive")
struct ConcurrencyTests {
    @Test("50 concurrent requests are all answered")
    func fiftyConcurrent() throws {
        try withServer { server throws in
            let connections = try (0..<50).map { _ in try RawHTTPConnection(port: server.port) }
            for (index, connection) in connections.enumerated() {
                connection.sendRequest("GET", "/api/v3/ip/10.1.0.\(index)")
            }
            for (index, connection) in connections.enumerated() {
                let response = try connection.readResponse()
                #expect(response.status == 200)
                #expect(response.body.contains(#""ioc":"10.1.0.\#(index)""#))
            }
            #expect(server.stats.count(status: 200) == 50)
        }
    }

    @Test("50 concurrent delayed requests finish together, not one after another")
    func fiftyConcurrentDelayed() throws {
        try withServer(faults: FaultSettings(latencyMilliseconds: 200)) { server throws in
            let started = RawHTTPConnection.now()
            let connections = try (0..<50).map { _ in try RawHTTPConnection(port: server.port) }
            for connection in connections { connection.sendRequest("GET", "/api/v3/ip/8.8.8.8") }
            for connection in connections { #expect(try connection.readResponse().status == 200) }
            #expect(RawHTTPConnection.now() - started < 1.5)
        }
    }

    @Test("sequential keep-alive requests have no Nagle / delayed-ACK floor")
    func keepAlive() throws {
        try withServer { server throws in
            let connection = try RawHTTPConnection(port: server.port)
            let count = 300
            let started = RawHTTPConnection.now()
            for index in 0..<count {
                let response = try connection.request("GET", "/api/v3/ip/10.2.\(index / 256).\(index % 256)")
                #expect(response.status == 200)
            }
            let perRequest = (RawHTTPConnection.now() - started) / Double(count)
            // A 40 ms stall on even one request in ten would show here.
            #expect(perRequest < 0.004, "\(perRequest * 1_000) ms per request")
        }
    }
}
