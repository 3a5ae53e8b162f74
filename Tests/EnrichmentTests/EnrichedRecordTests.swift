import Testing
import ThreatIntel

@testable import Enrichment

@Suite struct EnrichedRecordTests {
    let enrichment = #"{"verdict":"clean","provider":"p","duration_ms":1,"cached":false}"#

    func make(_ payload: String, fields: Set<String>) -> String {
        let bytes = EnrichedRecord.make(
            payload: Array(payload.utf8), fieldNames: fields, enrichment: enrichment, processedAt: "T")
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func appendsToTheOriginalBytes() throws {
        let original = #"{"alert_id":"a", "score": 1.50, "nested": {"k": [1, 2]}}"#
        let record = make(original, fields: ["alert_id", "score", "nested"])
        #expect(record.hasPrefix(#"{"alert_id":"a", "score": 1.50, "nested": {"k": [1, 2]}"#))
        #expect(record.hasSuffix(#","enrichment":\#(enrichment),"processed_at":"T"}"#))
        let parsed = try JSONValue(parsing: record)
        #expect(parsed["enrichment"]?["verdict"]?.stringValue == "clean")
    }

    @Test func toleratesTrailingWhitespace() throws {
        let record = make("{\"alert_id\":\"a\"}\n  \n", fields: ["alert_id"])
        #expect(throws: Never.self) { try JSONValue(parsing: record) }
    }

    @Test func rebuildsAnAlertThatAlreadyCarriesAnEnrichment() throws {
        let original = #"{"alert_id":"a","enrichment":{"verdict":"old"},"processed_at":"old","x":1}"#
        let record = make(original, fields: ["alert_id", "enrichment", "processed_at", "x"])
        let parsed = try JSONValue(parsing: record)
        #expect(parsed.objectMembers?.map(\.key) == ["alert_id", "x", "enrichment", "processed_at"])
        #expect(parsed["enrichment"]?["verdict"]?.stringValue == "clean")
        #expect(parsed["processed_at"]?.stringValue == "T")
    }
}
