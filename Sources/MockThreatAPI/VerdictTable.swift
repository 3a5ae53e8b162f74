/// The mock API's knowledge: a fixed reference table, and a stable made-up answer for every other IP.
public enum VerdictTable {
    /// The reference table from the design brief, keyed by canonical address text.
    public static let reference: [String: ThreatAnswer] = {
        let rows: [(String, ThreatAnswer.Verdict, Int, String, String, Int)] = [
            ("185.220.101.1", .malicious, 95, "AS4444", "RU", 142),
            ("198.51.100.77", .malicious, 87, "AS12345", "CN", 89),
            ("8.8.8.8", .clean, 0, "AS15169 Google", "US", 0),
            ("1.1.1.1", .clean, 0, "AS13335 Cloudflare", "AU", 0),
            ("203.0.113.10", .suspicious, 45, "AS9876", "BR", 12),
            ("10.0.1.50", .clean, 0, "RFC1918", "private", 0),
            ("172.16.0.5", .clean, 0, "RFC1918", "private", 0),
            ("192.168.100.200", .malicious, 99, "AS99999", "XX", 300),
            ("198.18.0.9", .suspicious, 50, "AS55555", "DE", 8),
        ]
        var table: [String: ThreatAnswer] = [:]
        for (ip, verdict, score, asn, country, reports) in rows {
            table[ip] = ThreatAnswer(
                ioc: ip, verdict: verdict, abuseScore: score, asn: asn, country: country, reports: reports)
        }
        return table
    }()

    /// Countries for made-up answers; a short list keeps the output recognisable.
    private static let countries = [
        "US", "DE", "NL", "FR", "GB", "RU", "CN", "BR", "IN", "JP",
        "KR", "SG", "CA", "AU", "UA", "RO", "VN", "ID", "TR", "ZA",
    ]

    /// The answer for `ip`, or `nil` if it is not a valid IPv4 or IPv6 literal.
    ///
    /// The same address always gets the same answer, in every process: table rows
    /// as written, any other address from a stable hash of its canonical text
    /// (so `2001:DB8::1` and `2001:db8::1` agree). `ioc` echoes `ip` as given.
    public static func answer(for ip: String) -> ThreatAnswer? {
        guard let canonical = IPAddressText.canonical(ip) else { return nil }
        if var row = reference[canonical] {
            row.ioc = ip
            return row
        }
        return derivedAnswer(ioc: ip, canonical: canonical)
    }

    /// The verdict a hash gives: 20 % malicious, 50 % clean, 15 % suspicious, 15 % unknown.
    static func verdict(forHash hash: UInt64) -> ThreatAnswer.Verdict {
        switch hash % 100 {
        case 0..<20: .malicious
        case 20..<70: .clean
        case 70..<85: .suspicious
        default: .unknown
        }
    }

    private static func derivedAnswer(ioc: String, canonical: String) -> ThreatAnswer {
        let hash = StableHash.mixed(canonical)
        let verdict = verdict(forHash: hash)

        // Independent slices of the hash, so score, reports and origin do not move together.
        let scoreBits = Int((hash >> 8) & 0xFFFF)
        let reportBits = Int((hash >> 24) & 0xFFFF)
        let asnBits = Int((hash >> 40) & 0xFFFF)
        let countryBits = Int(hash >> 56)

        let abuseScore: Int
        let reports: Int
        switch verdict {
        case .malicious:
            abuseScore = 75 + scoreBits % 26
            reports = 20 + reportBits % 481
        case .suspicious:
            abuseScore = 25 + scoreBits % 50
            reports = 1 + reportBits % 30
        case .clean:
            abuseScore = scoreBits % 10
            reports = reportBits % 3
        case .unknown:
            abuseScore = 0
            reports = 0
        }
        return ThreatAnswer(
            ioc: ioc, verdict: verdict, abuseScore: abuseScore, asn: "AS\(1_000 + asnBits % 64_000)",
            country: countries[countryBits % countries.count], reports: reports)
    }
}
