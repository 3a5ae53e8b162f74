import Diagnostics

/// The mock API's answer about one IP address, as sent in a `200` body.
public struct ThreatAnswer: Sendable, Equatable {
    /// What the provider thinks of an address. Nested so that it does not clash with
    /// the intel client's own `Verdict` in code that imports both modules.
    public enum Verdict: String, CaseIterable, Sendable {
        case malicious
        case suspicious
        case clean
        case unknown
    }

    /// The indicator exactly as it was asked about.
    public var ioc: String
    public var verdict: Verdict
    /// 0 (no abuse seen) to 100 (certain abuse).
    public var abuseScore: Int
    public var asn: String
    public var country: String
    /// How many abuse reports the provider holds for the address.
    public var reports: Int

    public init(ioc: String, verdict: Verdict, abuseScore: Int, asn: String, country: String, reports: Int) {
        self.ioc = ioc
        self.verdict = verdict
        self.abuseScore = abuseScore
        self.asn = asn
        self.country = country
        self.reports = reports
    }

    /// The response body: `{"ioc": …, "type": "ip", "verdict": …, "abuse_score": …, …}`.
    public var json: String {
        let fields = [
            "\"ioc\":\(JSONText.quoted(ioc))",
            "\"type\":\"ip\"",
            "\"verdict\":\(JSONText.quoted(verdict.rawValue))",
            "\"abuse_score\":\(abuseScore)",
            "\"asn\":\(JSONText.quoted(asn))",
            "\"country\":\(JSONText.quoted(country))",
            "\"reports\":\(reports)",
        ]
        return "{" + fields.joined(separator: ",") + "}"
    }
}
