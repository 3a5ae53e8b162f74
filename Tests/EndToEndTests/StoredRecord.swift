import Foundation

/// An enriched record as the store holds it, decoded strictly: a field of the wrong JSON type fails.
struct StoredRecord: Decodable {
    struct Enrichment: Decodable {
        var verdict: String
        var provider: String
        var durationMs: Int
        var cached: Bool
        var abuseScore: Int?
        var asn: String?
        var country: String?
        var reports: Int?
    }

    var alertId: String
    var sourceIp: String
    var severity: String?
    var ruleId: String?
    var timestamp: String?
    var enrichment: Enrichment
    var processedAt: String

    static let verdicts: Set<String> = ["malicious", "suspicious", "clean", "unknown"]
    static let timestampPattern = #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$"#

    init(_ bytes: [UInt8]) throws {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        self = try decoder.decode(StoredRecord.self, from: Data(bytes))
    }

    /// The record's top-level object, for comparing fields with the original alert.
    static func object(_ bytes: [UInt8]) -> [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
    }

    /// Whether `text` is an ISO-8601 UTC time ending in `Z`.
    static func isTimestamp(_ text: String) -> Bool {
        (try? Regex(timestampPattern).wholeMatch(in: text)) != nil
    }
}

/// The threat-intel reference table of DESIGN.md: what the mock answers for these IPs.
enum ReferenceTable {
    struct Entry {
        var verdict: String
        var abuseScore: Int
        var asn: String
        var country: String
        var reports: Int
    }

    static let entries: [String: Entry] = [
        "185.220.101.1": Entry(verdict: "malicious", abuseScore: 95, asn: "AS4444", country: "RU", reports: 142),
        "198.51.100.77": Entry(verdict: "malicious", abuseScore: 87, asn: "AS12345", country: "CN", reports: 89),
        "8.8.8.8": Entry(verdict: "clean", abuseScore: 0, asn: "AS15169 Google", country: "US", reports: 0),
        "1.1.1.1": Entry(verdict: "clean", abuseScore: 0, asn: "AS13335 Cloudflare", country: "AU", reports: 0),
        "203.0.113.10": Entry(verdict: "suspicious", abuseScore: 45, asn: "AS9876", country: "BR", reports: 12),
        "10.0.1.50": Entry(verdict: "clean", abuseScore: 0, asn: "RFC1918", country: "private", reports: 0),
        "172.16.0.5": Entry(verdict: "clean", abuseScore: 0, asn: "RFC1918", country: "private", reports: 0),
        "192.168.100.200": Entry(verdict: "malicious", abuseScore: 99, asn: "AS99999", country: "XX", reports: 300),
        "198.18.0.9": Entry(verdict: "suspicious", abuseScore: 50, asn: "AS55555", country: "DE", reports: 8),
    ]
}
