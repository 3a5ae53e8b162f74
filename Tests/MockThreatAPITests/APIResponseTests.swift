import Testing

@testable import MockThreatAPI

@Suite("API responses")
struct APIResponseTests {
    @Test("a lookup answers 200 with the JSON record")
    func lookup() throws {
        try withServer { server throws in
            let response = try fetch(server.port, "/api/v3/ip/185.220.101.1")
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "application/json")
            #expect(response.body == VerdictTable.answer(for: "185.220.101.1")!.json)

            let ipv6 = try fetch(server.port, "/api/v3/ip/2001:db8::42")
            #expect(ipv6.status == 200)
            #expect(ipv6.body.contains(#""ioc":"2001:db8::42","type":"ip""#))
        }
    }

    @Test(
        "an invalid address answers 400 with an error object",
        arguments: ["999.1.1.1", "example.com", "fe80::1%25eth0", "", "1.2.3.4.5"])
    func invalidAddress(ip: String) throws {
        try withServer { server throws in
            let response = try fetch(server.port, "/api/v3/ip/\(ip)")
            #expect(response.status == 400)
            #expect(response.body.hasPrefix(#"{"error":{"message":"#))
        }
    }

    @Test("unknown paths answer 404, wrong methods 405 with Allow")
    func notFoundAndMethod() throws {
        try withServer { server throws in
            for path in ["/", "/api/v3/ip", "/api/v3/ip/1.1.1.1/x", "/api/v2/ip/1.1.1.1", "/healthz"] {
                let response = try fetch(server.port, path)
                #expect(response.status == 404, "\(path)")
                #expect(response.body.hasPrefix(#"{"error":"#))
            }
            let post = try fetch(server.port, "POST", "/api/v3/ip/8.8.8.8", body: "{}")
            #expect(post.status == 405)
            #expect(post.headers["allow"] == "GET, HEAD")
            let delete = try fetch(server.port, "DELETE", "/health")
            #expect(delete.status == 405)
            let getDown = try fetch(server.port, "GET", "/admin/down")
            #expect(getDown.status == 405)
            #expect(getDown.headers["allow"] == "POST")
        }
    }

    @Test("HEAD answers headers only")
    func head() throws {
        try withServer { server throws in
            let connection = try RawHTTPConnection(port: server.port)
            let response = try connection.request("HEAD", "/api/v3/ip/8.8.8.8")
            #expect(response.status == 200)
            #expect(response.body.isEmpty)
            // The connection stays usable: no stray body bytes were sent.
            #expect(try connection.request("GET", "/health").status == 200)
        }
    }

    @Test("oversized bodies get 413, declared or streamed")
    func bodyTooLarge() throws {
        try withServer { server throws in
            let big = String(repeating: "x", count: 9_000)
            #expect(try fetch(server.port, "POST", "/admin/faults", body: big).status == 413)
            #expect(try fetch(server.port, "GET", "/api/v3/ip/8.8.8.8", body: big).status == 413)

            let chunked = try RawHTTPConnection(port: server.port)
            chunked.send("POST /admin/faults HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
            for _ in 0..<10 { chunked.send("400\r\n" + String(repeating: "y", count: 1_024) + "\r\n") }
            chunked.send("0\r\n\r\n")
            #expect(try chunked.readResponse().status == 413)
            #expect(try fetch(server.port, "/health").status == 200)
        }
    }

    @Test("long targets get 414")
    func uriTooLong() throws {
        try withServer { server throws in
            let response = try fetch(server.port, "/api/v3/ip/" + String(repeating: "9", count: 3_000))
            #expect(response.status == 414)
        }
    }

    @Test(
        "path tricks get 400",
        arguments: [
            "/api/v3/ip/../health", "/api/v3/ip/%2e%2e/health", "/api/v3/ip/1.1.1.1%2f..", "/api/v3/ip/8.8.8.8%00",
            "/api/v3/ip/%2F", "/%2e%2e/%2e%2e/etc/passwd", "/api/v3/ip/%zz", "/api/v3/ip/%20",
        ])
    func pathTricks(target: String) throws {
        try withServer { server throws in
            let response = try fetch(server.port, target)
            #expect(response.status == 400)
            #expect(response.body.hasPrefix(#"{"error":{"message":"#))
        }
    }

    @Test("admin faults take a query or a JSON body; stats count by status")
    func admin() throws {
        try withServer { server throws in
            let byQuery = try fetch(server.port, "POST", "/admin/faults?latency_ms=3&error_rate=0&rate_limit=100")
            #expect(byQuery.status == 200)
            #expect(server.faults == FaultSettings(latencyMilliseconds: 3, rateLimit: 100))

            let json = #"{"latency_ms": 0, "rate_limit": null}"#
            let byBody = try fetch(server.port, "POST", "/admin/faults", body: json)
            #expect(byBody.status == 200)
            #expect(byBody.body == FaultSettings().json)
            #expect(server.faults == FaultSettings())

            #expect(try fetch(server.port, "POST", "/admin/faults?bogus=1").status == 400)
            #expect(try fetch(server.port, "POST", "/admin/faults", body: "not json").status == 400)
            #expect(try fetch(server.port, "POST", "/admin/faults?error_rate=2").status == 400)
            #expect(try fetch(server.port, "GET", "/admin/faults").body == FaultSettings().json)

            _ = try fetch(server.port, "/api/v3/ip/8.8.8.8")
            _ = try fetch(server.port, "/api/v3/ip/nope")
            _ = try fetch(server.port, "/missing")
            let stats = try fetch(server.port, "/admin/stats")
            #expect(stats.status == 200)
            #expect(stats.body.hasPrefix(#"{"requests":3,"lookups":2,"by_status":{"200":1,"400":1,"404":1}"#))
            #expect(server.stats.count(status: 400) == 1)

            #expect(try fetch(server.port, "POST", "/admin/reset").status == 200)
            #expect(server.stats == RequestStats())
        }
    }
}
