import Testing

@testable import MockThreatAPI

@Suite("Verdict table")
struct VerdictTableTests {
    @Test(
        "reference addresses answer exactly as in the design brief",
        arguments: [
            ("185.220.101.1", ThreatAnswer.Verdict.malicious, 95, "AS4444", "RU", 142),
            ("198.51.100.77", .malicious, 87, "AS12345", "CN", 89),
            ("8.8.8.8", .clean, 0, "AS15169 Google", "US", 0),
            ("1.1.1.1", .clean, 0, "AS13335 Cloudflare", "AU", 0),
            ("203.0.113.10", .suspicious, 45, "AS9876", "BR", 12),
            ("10.0.1.50", .clean, 0, "RFC1918", "private", 0),
            ("172.16.0.5", .clean, 0, "RFC1918", "private", 0),
            ("192.168.100.200", .malicious, 99, "AS99999", "XX", 300),
            ("198.18.0.9", .suspicious, 50, "AS55555", "DE", 8),
        ])
    func referenceRow(row: (String, ThreatAnswer.Verdict, Int, String, String, Int)) throws {
        let answer = try #require(VerdictTable.answer(for: row.0))
        let expected = ThreatAnswer(
            ioc: row.0, verdict: row.1, abuseScore: row.2, asn: row.3, country: row.4, reports: row.5)
        #expect(answer == expected)
    }

    @Test("the table has exactly the nine reference rows")
    func tableSize() {
        #expect(VerdictTable.reference.count == 9)
    }

    @Test("the answer body has the documented fields in order")
    func answerJSON() throws {
        let answer = try #require(VerdictTable.answer(for: "185.220.101.1"))
        let expected =
            #"{"ioc":"185.220.101.1","type":"ip","verdict":"malicious","abuse_score":95,"#
            + #""asn":"AS4444","country":"RU","reports":142}"#
        #expect(answer.json == expected)
    }

    @Test(
        "anything but an IPv4 or IPv6 literal is refused",
        arguments: [
            "", "999.1.1.1", "1.2.3", "1.2.3.4.5", "1.2.3.4/24", " 1.2.3.4", "1.2.3.4 ", "example.com",
            "localhost", "fe80::1%eth0", "::g", "1:2:3:4:5:6:7:8:9", "[::1]", "1.2.3.4\u{0}", "0x7f.0.0.1",
            String(repeating: "1", count: 200),
        ])
    func invalidAddress(text: String) {
        #expect(VerdictTable.answer(for: text) == nil)
    }

    @Test("IPv6 spellings of one address get one answer; ioc echoes what was asked")
    func canonicalIPv6() throws {
        let lower = try #require(VerdictTable.answer(for: "2001:db8::1"))
        let upper = try #require(VerdictTable.answer(for: "2001:DB8:0:0::1"))
        #expect(upper.ioc == "2001:DB8:0:0::1")
        var renamed = upper
        renamed.ioc = lower.ioc
        #expect(renamed == lower)
        #expect(VerdictTable.answer(for: "::ffff:8.8.8.8") != nil)
    }

    @Test("derived answers are stable across processes (pinned values)")
    func pinnedDerivedAnswer() throws {
        // Pinned from one run: a change here moves every consumer's expectations.
        let answer = try #require(VerdictTable.answer(for: "10.0.0.106"))
        let expected = ThreatAnswer(
            ioc: "10.0.0.106", verdict: .malicious, abuseScore: 96, asn: "AS21302", country: "JP", reports: 379)
        #expect(answer == expected)
        #expect(StableHash.fnv1a64("".utf8) == 0xcbf2_9ce4_8422_2325)
        #expect(StableHash.fnv1a64("a".utf8) == 0xaf63_dc4c_8601_ec8c)
        #expect(StableHash.fnv1a64("foobar".utf8) == 0x8594_4171_f739_67e8)
    }

    @Test("the same address always gets the same answer")
    func deterministic() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let ip = Self.randomIPv4(using: &generator)
            #expect(VerdictTable.answer(for: ip) == VerdictTable.answer(for: ip))
        }
    }

    @Test("10,000 random addresses split about 20/50/15/15, with fields that fit each verdict")
    func distribution() throws {
        var generator = SystemRandomNumberGenerator()
        var counts: [ThreatAnswer.Verdict: Int] = [:]
        let total = 10_000
        for index in 0..<total {
            let ip = index % 4 == 0 ? Self.randomIPv6(using: &generator) : Self.randomIPv4(using: &generator)
            let answer = try #require(VerdictTable.answer(for: ip))
            counts[answer.verdict, default: 0] += 1
            if VerdictTable.reference[ip] == nil { Self.expectPlausible(answer) }
        }
        let expected: [ThreatAnswer.Verdict: Double] = [
            .malicious: 0.20, .clean: 0.50, .suspicious: 0.15, .unknown: 0.15,
        ]
        for (verdict, share) in expected {
            let observed = Double(counts[verdict, default: 0]) / Double(total)
            #expect(abs(observed - share) < 0.04, "\(verdict): \(observed)")
        }
    }

    private static func expectPlausible(_ answer: ThreatAnswer) {
        switch answer.verdict {
        case .malicious:
            #expect((75...100).contains(answer.abuseScore) && answer.reports >= 20)
        case .suspicious:
            #expect((25...74).contains(answer.abuseScore) && (1...30).contains(answer.reports))
        case .clean:
            #expect((0...9).contains(answer.abuseScore) && answer.reports <= 2)
        case .unknown:
            #expect(answer.abuseScore == 0 && answer.reports == 0)
        }
        #expect(answer.asn.hasPrefix("AS") && answer.country.count == 2)
    }

    private static func randomIPv4(using generator: inout some RandomNumberGenerator) -> String {
        (0..<4).map { _ in String(UInt8.random(in: 0...255, using: &generator)) }.joined(separator: ".")
    }

    private static func randomIPv6(using generator: inout some RandomNumberGenerator) -> String {
        (0..<8).map { _ in String(UInt16.random(in: 0...UInt16.max, using: &generator), radix: 16) }
            .joined(separator: ":")
    }
}
