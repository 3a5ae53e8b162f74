import Testing

@testable import MockThreatAPI

@Suite("Request target")
struct RequestTargetTests {
    private func parse(_ raw: String) throws(HTTPResponse) -> RequestTarget {
        try RequestTarget(raw: Array(raw.utf8))
    }

    @Test("paths and queries are percent-decoded")
    func decoding() throws {
        let target = try parse("/api/v3/ip/2001%3Adb8%3A%3A1?latency_ms=5&name=a+b%26c&flag")
        #expect(target.path == "/api/v3/ip/2001:db8::1")
        #expect(target.query.map(\.name) == ["latency_ms", "name", "flag"])
        #expect(target.query.map(\.value) == ["5", "a b&c", ""])
    }

    @Test(
        "suspicious targets are refused with 400",
        arguments: [
            "/api/v3/ip/../health", "/api/v3/ip/%2e%2e/health", "/api/v3/ip/%2E%2E", "/api/%2fv3/ip/1.1.1.1",
            "/api/v3/ip/1.1.1.1%00", "/x?a=%00", "/api/v3/ip/%5c", "/a\\b", "/bad%zz", "/bad%4", "health",
            "*", "http://example.com/health", "/sp ace", "/api/v3/ip/%20", "/api/v3/ip/%7f", "",
        ])
    func refused(raw: String) {
        do {
            _ = try parse(raw)
            Issue.record("\(raw) was accepted")
        } catch {
            #expect(error.status == 400)
        }
    }

    @Test("targets longer than 2 KB are refused with 414")
    func tooLong() {
        let raw = "/api/v3/ip/" + String(repeating: "1", count: 2_100)
        #expect(throws: HTTPResponse.error(status: 414, "request target longer than 2048 bytes")) { try parse(raw) }
    }

    @Test("routes match whole paths")
    func routes() {
        #expect(Route(path: "/api/v3/ip/1.2.3.4") == .lookup(ip: "1.2.3.4"))
        #expect(Route(path: "/api/v3/ip/") == .lookup(ip: ""))
        #expect(Route(path: "/api/v3/ip/1.2.3.4/extra") == nil)
        #expect(Route(path: "/health") == .health)
        #expect(Route(path: "/health/") == nil)
        #expect(Route(path: "/") == nil)
        #expect(Route.adminFaults.allowedMethods == ["GET", "POST"])
    }
}
