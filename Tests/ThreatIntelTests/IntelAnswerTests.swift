import Testing

@testable import ThreatIntel

@Suite("IntelAnswer")
struct IntelAnswerTests {
    static let mockBody =
        #"{"ioc":"185.220.101.1","type":"ip","verdict":"malicious","abuse_score":95,"asn":"AS4444","#
        + #""country":"RU","reports":142}"#

    @Test("reads a provider answer, dropping the redundant fields")
    func readsAnswer() throws {
        let answer = try #require(IntelAnswer(responseBody: JSONValue(parsing: Self.mockBody)))
        #expect(answer.verdict == .malicious)
        #expect(answer.attributes.map(\.key) == ["abuse_score", "asn", "country", "reports"])
        #expect(answer.attributes.first?.value == .int(95))
    }

    @Test("renders the enrichment object of DESIGN.md")
    func rendersEnrichment() throws {
        let answer = try #require(IntelAnswer(responseBody: JSONValue(parsing: Self.mockBody)))
        let json = answer.enrichmentJSON(provider: "mock-threat-intel", durationMilliseconds: 3, cached: false)
        #expect(
            json == #"{"verdict":"malicious","abuse_score":95,"asn":"AS4444","country":"RU","reports":142,"#
                + #""provider":"mock-threat-intel","duration_ms":3,"cached":false}"#)
    }

    @Test("renders an unknown verdict with no attributes")
    func rendersUnknown() {
        let answer = IntelAnswer(verdict: .unknown)
        #expect(
            answer.enrichmentJSON(provider: "p", durationMilliseconds: 0, cached: true)
                == #"{"verdict":"unknown","provider":"p","duration_ms":0,"cached":true}"#)
    }

    @Test("never writes a field twice when the provider sends one of ours")
    func reservedNames() {
        let answer = IntelAnswer(
            verdict: .clean, attributes: [(key: "provider", value: "evil"), (key: "asn", value: "AS1")])
        #expect(
            answer.enrichmentJSON(provider: "p", durationMilliseconds: 1, cached: false)
                == #"{"verdict":"clean","asn":"AS1","provider":"p","duration_ms":1,"cached":false}"#)
    }

    @Test(
        "refuses bodies without a usable verdict",
        arguments: [#"[]"#, #""malicious""#, #"{}"#, #"{"verdict":7}"#, #"{"verdict":"evil"}"#, "null"])
    func refusesBadBodies(text: String) throws {
        #expect(IntelAnswer(responseBody: try JSONValue(parsing: text)) == nil)
    }

    @Test("matches verdicts without regard to case")
    func caseInsensitiveVerdict() throws {
        let answer = IntelAnswer(responseBody: try JSONValue(parsing: #"{"verdict":"Suspicious"}"#))
        #expect(answer == IntelAnswer(verdict: .suspicious))
    }

    @Test("compares attributes in order")
    func equality() {
        let first = IntelAnswer(verdict: .clean, attributes: [(key: "a", value: 1), (key: "b", value: 2)])
        let swapped = IntelAnswer(verdict: .clean, attributes: [(key: "b", value: 2), (key: "a", value: 1)])
        #expect(first == IntelAnswer(verdict: .clean, attributes: [(key: "a", value: 1), (key: "b", value: 2)]))
        #expect(first != swapped)
    }
}
