import MockThreatAPI
import Testing

@testable import ThreatIntel

/// The client against the real mock API, each test on its own server on port 0.
@Suite("IntelClient against the mock API")
struct IntelClientLiveTests {
    static let google: [(key: String, value: JSONValue)] = [
        (key: "abuse_score", value: 0), (key: "asn", value: "AS15169 Google"), (key: "country", value: "US"),
        (key: "reports", value: 0),
    ]

    /// Runs `body` with a started server, stopping it afterwards whatever happens.
    private func withServer<Result>(
        faults: FaultSettings = FaultSettings(),
        _ body: (ThreatAPIServer) throws -> Result
    ) throws -> Result {
        let server = ThreatAPIServer(host: "127.0.0.1", port: 0, faults: faults)
        try server.start()
        defer { server.stop() }
        return try body(server)
    }

    private func client(
        for server: ThreatAPIServer,
        timeout: Duration = .seconds(2),
        maximumBodyBytes: Int = 65_536
    ) throws -> IntelClient {
        try IntelClient(
            configuration: IntelClientConfiguration(
                baseURL: server.baseURL, timeout: timeout, maximumBodyBytes: maximumBodyBytes))
    }

    @Test("answers the reference table")
    func referenceTable() throws {
        try withServer { server in
            let client = try client(for: server)
            let outcome = client.lookup(ip: "185.220.101.1")
            let expected = IntelAnswer(
                verdict: .malicious,
                attributes: [
                    (key: "abuse_score", value: 95), (key: "asn", value: "AS4444"), (key: "country", value: "RU"),
                    (key: "reports", value: 142),
                ])
            #expect(outcome == .answer(expected))
            #expect(client.lastLookupDuration > .zero)

            let table: [(String, Verdict, Int)] = [
                ("198.51.100.77", .malicious, 87), ("8.8.8.8", .clean, 0), ("1.1.1.1", .clean, 0),
                ("203.0.113.10", .suspicious, 45), ("10.0.1.50", .clean, 0), ("172.16.0.5", .clean, 0),
                ("192.168.100.200", .malicious, 99), ("198.18.0.9", .suspicious, 50),
            ]
            for (ip, verdict, score) in table {
                guard case let .answer(answer) = client.lookup(ip: ip) else {
                    Issue.record("no answer for \(ip)")
                    continue
                }
                #expect(answer.verdict == verdict, "\(ip)")
                #expect(answer.attributes.first { $0.key == "abuse_score" }?.value == .int(score), "\(ip)")
            }
        }
    }

    @Test("renders a live answer as the DESIGN.md enrichment object")
    func liveEnrichment() throws {
        try withServer { server in
            guard case let .answer(answer) = try client(for: server).lookup(ip: "8.8.8.8") else {
                Issue.record("no answer")
                return
            }
            #expect(
                answer.enrichmentJSON(provider: "mock-threat-intel", durationMilliseconds: 2, cached: false)
                    == #"{"verdict":"clean","abuse_score":0,"asn":"AS15169 Google","country":"US","reports":0,"#
                    + #""provider":"mock-threat-intel","duration_ms":2,"cached":false}"#)
        }
    }

    @Test("agrees with the mock's verdicts for addresses outside the table, IPv6 included")
    func hashedVerdicts() throws {
        try withServer { server in
            let client = try client(for: server)
            let addresses = (1...50).map { "100.64.\($0).\($0 * 3 % 256)" } + ["2001:db8::1", "fe80::abcd:1"]
            for ip in addresses {
                let expected = try #require(VerdictTable.answer(for: ip))
                guard case let .answer(answer) = client.lookup(ip: ip) else {
                    Issue.record("no answer for \(ip)")
                    continue
                }
                #expect(answer.verdict.rawValue == expected.verdict.rawValue, "\(ip)")
            }
        }
    }

    @Test("an invalid IP is rejected for good (400)")
    func invalidIP() throws {
        try withServer { server in
            let client = try client(for: server)
            #expect(client.lookup(ip: "not-an-ip") == .rejected("http 400"))
            #expect(client.lookup(ip: "1.2.3.4%eth0") == .rejected("http 400"))
            #expect(client.lookup(ip: "1.2.3.999") == .rejected("http 400"))
        }
    }

    @Test("server errors are transient")
    func serverErrors() throws {
        try withServer(faults: FaultSettings(errorRate: 1.0)) { server in
            let client = try client(for: server)
            for _ in 0..<10 {
                let outcome = client.lookup(ip: "8.8.8.8")
                #expect(outcome == .transient("http 500") || outcome == .transient("http 503"))
            }
        }
    }

    @Test("a rate limit asks to wait as long as Retry-After says")
    func rateLimit() throws {
        try withServer(faults: FaultSettings(rateLimit: 0)) { server in
            let client = try client(for: server)
            #expect(client.lookup(ip: "8.8.8.8") == .rateLimited(retryAfter: .seconds(1)))
        }
    }

    @Test("a hanging request times out as a transient failure, and the client recovers")
    func hang() throws {
        try withServer(faults: FaultSettings(hangRate: 1.0, hangMilliseconds: 10_000)) { server in
            let client = try client(for: server, timeout: .milliseconds(300))
            #expect(client.lookup(ip: "8.8.8.8") == .transient("timeout after 300ms"))
            // Not a performance figure: only proof that the client gave up instead of waiting for the server.
            #expect(client.lastLookupDuration < .seconds(5))

            try server.setFaults(FaultSettings())
            #expect(client.lookup(ip: "8.8.8.8") == .answer(IntelAnswer(verdict: .clean, attributes: Self.google)))
        }
    }

    @Test("a stopped server means connection refused, and health says no")
    func stoppedServer() throws {
        let server = ThreatAPIServer(host: "127.0.0.1", port: 0)
        try server.start()
        defer { server.stop() }
        let client = try client(for: server)
        #expect(client.lookup(ip: "8.8.8.8") == .answer(IntelAnswer(verdict: .clean, attributes: Self.google)))
        #expect(client.health())

        server.stop()
        #expect(client.lookup(ip: "8.8.8.8") == .transient("connection refused"))
        #expect(!client.health())
    }

    @Test("nothing listening at all is connection refused")
    func nothingListening() throws {
        // A port that was free a moment ago and is closed again.
        let listener = try CannedHTTPServer(.close)
        listener.stop()
        let client = try IntelClient(configuration: IntelClientConfiguration(baseURL: listener.baseURL))
        #expect(client.lookup(ip: "8.8.8.8") == .transient("connection refused"))
        #expect(!client.health())
    }

    @Test("a server that is down answers 503; health follows it down and back up")
    func down() throws {
        try withServer { server in
            let client = try client(for: server)
            #expect(client.health())
            server.setDown(true)
            #expect(client.lookup(ip: "8.8.8.8") == .transient("http 503"))
            #expect(!client.health())
            server.setDown(false)
            #expect(client.health())
            #expect(client.lookup(ip: "8.8.8.8") == .answer(IntelAnswer(verdict: .clean, attributes: Self.google)))
        }
    }

    @Test("an answer over the body limit is transient")
    func bodyLimit() throws {
        try withServer { server in
            let client = try client(for: server, maximumBodyBytes: 32)
            #expect(client.lookup(ip: "8.8.8.8") == .transient("answer over 32 bytes"))
        }
    }

    @Test("keeps one connection alive over 2,000 sequential lookups")
    func keepAlive() throws {
        try withServer { server in
            let client = try client(for: server)
            var answers = 0
            for index in 0..<2_000 {
                if case .answer = client.lookup(ip: "10.\(index / 256 % 256).\(index % 256).7") {
                    answers += 1
                }
            }
            #expect(answers == 2_000)
            #expect(client.connectionsOpened == 1)
            #expect(server.stats.lookups == 2_000)
        }
    }
}
