import Testing

@testable import MockThreatAPI

@Suite("Hostile input")
struct HostileInputTests {
    /// Sends `bytes` on a fresh connection and expects a 4xx (or 505 for an unknown HTTP
    /// version, which is what the protocol asks for) or a closed connection.
    private func expectRefused(_ bytes: [UInt8], port: Int, _ comment: Comment) throws {
        let connection = try RawHTTPConnection(port: port)
        connection.send(bytes)
        do {
            let response = try connection.readResponse(timeout: 3)
            #expect((400..<500).contains(response.status) || response.status == 505, comment)
        } catch let error as RawHTTPError {
            #expect(error == .closed, comment)
        }
    }

    private static func request(_ text: String) -> [UInt8] {
        Array(text.utf8)
    }

    @Test("garbage, huge headers and binary junk get a 4xx or a closed connection; serving goes on")
    func garbage() throws {
        let hugeHeader = "X-Big: " + String(repeating: "a", count: 40_000) + "\r\n"
        let manyHeaders = String(repeating: "X-A: b\r\n", count: 6_000)
        let cases: [(String, [UInt8])] = [
            ("garbage request line", Self.request("HELLO THERE\r\n\r\n")),
            ("no version", Self.request("GET /health\r\n\r\n")),
            ("bad version", Self.request("GET /health HTTP/9.9\r\nHost: x\r\n\r\n")),
            ("huge header", Self.request("GET /health HTTP/1.1\r\nHost: x\r\n\(hugeHeader)\r\n")),
            ("many headers", Self.request("GET /health HTTP/1.1\r\nHost: x\r\n\(manyHeaders)\r\n")),
            ("binary junk", (0..<4_096).map { _ in UInt8.random(in: 0...255) } + [13, 10, 13, 10]),
            ("NUL in target", Self.request("GET /api/v3/ip/1.1.1.1") + [0] + Self.request("x HTTP/1.1\r\n\r\n")),
            ("control byte in target", Self.request("GET /api/v3/ip/\u{1}1.1.1.1 HTTP/1.1\r\nHost: x\r\n\r\n")),
            (
                "bad content length",
                Self.request("POST /admin/faults HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n")
            ),
            (
                "huge content length",
                Self.request("POST /admin/faults HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n")
            ),
            (
                "bad chunk",
                Self.request("POST /admin/faults HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
            ),
        ]
        try withServer { server throws in
            for (name, bytes) in cases {
                try expectRefused(bytes, port: server.port, "\(name)")
                #expect(try fetch(server.port, "/health").status == 200, "after \(name)")
            }
        }
    }

    @Test("clients that connect and vanish, or send half a request, do not disturb others")
    func abandonedConnections() throws {
        try withServer { server throws in
            var idle: [RawHTTPConnection] = []
            for index in 0..<20 {
                let connection = try RawHTTPConnection(port: server.port)
                if index % 2 == 0 { connection.send("GET /api/v3/ip/1.1.") }
                idle.append(connection)
            }
            #expect(try fetch(server.port, "/api/v3/ip/1.1.1.1").status == 200)
            idle.removeAll()
            #expect(try fetch(server.port, "/health").status == 200)
        }
    }
}
