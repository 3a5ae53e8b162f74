import Testing

@testable import ThreatIntel

/// The client against scripted servers, for what the mock API never does.
@Suite("IntelClient against misbehaving servers")
struct IntelClientFailureTests {
    /// Runs `body` with a client of a canned server, stopping the server afterwards whatever happens.
    private func withCannedServer<Result>(
        _ behavior: CannedHTTPServer.Behavior,
        apiKey: String? = nil,
        _ body: (IntelClient, CannedHTTPServer) throws -> Result
    ) throws -> Result {
        let server = try CannedHTTPServer(behavior)
        defer { server.stop() }
        let client = try IntelClient(
            configuration: IntelClientConfiguration(baseURL: server.baseURL, timeout: .seconds(2), apiKey: apiKey))
        return try body(client, server)
    }

    private static func response(_ status: String, headers: [String] = [], body: String = "") -> [UInt8] {
        let head = ["HTTP/1.1 \(status)", "Content-Length: \(body.utf8.count)", "Connection: close"] + headers
        return Array((head.joined(separator: "\r\n") + "\r\n\r\n" + body).utf8)
    }

    @Test("an empty reply is transient")
    func emptyReply() throws {
        try withCannedServer(.close) { client, _ in
            #expect(client.lookup(ip: "8.8.8.8") == .transient("empty reply"))
        }
    }

    @Test("a reset connection is transient")
    func reset() throws {
        try withCannedServer(.reset) { client, _ in
            #expect(client.lookup(ip: "8.8.8.8") == .transient("connection reset"))
        }
    }

    @Test("a reply that is not HTTP is transient")
    func garbage() throws {
        try withCannedServer(.respond(Array("SSH-2.0-OpenSSH_9.2\r\n\r\n".utf8))) { client, _ in
            #expect(client.lookup(ip: "8.8.8.8") == .transient("malformed http response"))
        }
    }

    @Test("a 200 nested 10,000 deep is a transient malformed answer, not a crash")
    func hostileNesting() throws {
        let body = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        try withCannedServer(.respond(Self.response("200 OK", body: body))) { client, _ in
            #expect(client.lookup(ip: "8.8.8.8") == .transient("malformed answer: nesting deeper than 128"))
        }
    }

    @Test("a body over 64 KiB is refused even without a Content-Length")
    func oversizedChunkedBody() throws {
        let chunk = String(repeating: "x", count: 40_000)
        let chunked =
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            + "9c40\r\n\(chunk)\r\n9c40\r\n\(chunk)\r\n0\r\n\r\n"
        try withCannedServer(.respond(Array(chunked.utf8))) { client, _ in
            #expect(client.lookup(ip: "8.8.8.8") == .transient("answer over 65536 bytes"))
        }
    }

    @Test("a 404 from any server means verdict unknown")
    func notFound() throws {
        try withCannedServer(.respond(Self.response("404 Not Found", body: "{}"))) { client, _ in
            #expect(client.lookup(ip: "8.8.8.8") == .answer(IntelAnswer(verdict: .unknown)))
        }
    }

    @Test("a 429 waits as long as Retry-After says, dates included")
    func retryAfter() throws {
        let date = "Sun, 06 Nov 1994 08:49:37 GMT"
        try withCannedServer(.respond(Self.response("429 Too Many Requests", headers: ["Retry-After: \(date)"]))) {
            client, _ in
            // The date is long past: retry at once.
            #expect(client.lookup(ip: "8.8.8.8") == .rateLimited(retryAfter: .zero))
        }
        try withCannedServer(.respond(Self.response("429 Too Many Requests", headers: ["retry-after: 7"]))) {
            client, _ in
            #expect(client.lookup(ip: "8.8.8.8") == .rateLimited(retryAfter: .seconds(7)))
        }
    }

    @Test("a redirect is not followed; it is transient")
    func redirect() throws {
        let moved = Self.response("301 Moved Permanently", headers: ["Location: http://127.0.0.1:1/"])
        try withCannedServer(.respond(moved)) { client, _ in
            #expect(client.lookup(ip: "8.8.8.8") == .transient("http 301"))
        }
    }

    @Test("sends the API key header and the encoded path")
    func requestShape() throws {
        try withCannedServer(.respond(Self.response("200 OK", body: #"{"verdict":"clean"}"#)), apiKey: "s3cret") {
            client, server in
            #expect(client.lookup(ip: "fe80::1%eth0") == .answer(IntelAnswer(verdict: .clean)))
            let head = try #require(server.requestHeads.first)
            #expect(head.hasPrefix("GET /api/v3/ip/fe80::1%25eth0 HTTP/1.1\r\n"))
            #expect(head.contains("\r\nX-Api-Key: s3cret\r\n"))
            #expect(head.contains("\r\nAccept: application/json\r\n"))
        }
    }
}
