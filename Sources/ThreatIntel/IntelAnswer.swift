/// A definitive answer from the threat-intel API about one IP address.
public struct IntelAnswer: Sendable {
    /// Member names of a provider's answer that are not kept as attributes: `ioc` and `type` repeat the
    /// question, and `verdict` has its own property.
    static let redundantFields: Set<String> = ["ioc", "type", "verdict"]

    /// Member names the enrichment object sets itself, so an attribute of the same name is left out
    /// rather than written twice.
    static let enrichmentFields: Set<String> = ["verdict", "provider", "duration_ms", "cached"]

    public let verdict: Verdict
    /// The provider's other fields (such as `abuse_score`, `asn`, `country`, `reports`) in its order.
    public let attributes: [(key: String, value: JSONValue)]

    public init(verdict: Verdict, attributes: [(key: String, value: JSONValue)] = []) {
        self.verdict = verdict
        self.attributes = attributes
    }

    /// Reads a provider's answer: a JSON object with a `verdict` string naming a known verdict.
    ///
    /// The verdict is matched without regard to case, since providers differ in that. Returns `nil`
    /// when the value is not an object or has no usable verdict.
    public init?(responseBody body: JSONValue) {
        guard case let .object(members) = body,
            let text = body["verdict"]?.stringValue,
            let verdict = Verdict(rawValue: text.lowercased())
        else {
            return nil
        }
        self.verdict = verdict
        self.attributes = members.filter { !Self.redundantFields.contains($0.key) }
    }

    /// The `enrichment` object of an enriched record (see DESIGN.md).
    /// - Parameters:
    ///   - provider: the name of the threat-intel provider.
    ///   - durationMilliseconds: the time spent enriching.
    ///   - cached: whether the answer came from the verdict cache.
    /// - Returns: an object with `verdict`, the attributes, `provider`, `duration_ms` and `cached`.
    public func enrichment(provider: String, durationMilliseconds: Int, cached: Bool) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [(key: "verdict", value: .string(verdict.rawValue))]
        members.reserveCapacity(attributes.count + 4)
        members += attributes.filter { !Self.enrichmentFields.contains($0.key) }
        members.append((key: "provider", value: .string(provider)))
        members.append((key: "duration_ms", value: .int(durationMilliseconds)))
        members.append((key: "cached", value: .bool(cached)))
        return .object(members)
    }

    /// The `enrichment` object as compact JSON text, e.g.
    /// `{"verdict":"malicious","abuse_score":95,…,"provider":"mock-threat-intel","duration_ms":3,"cached":false}`.
    public func enrichmentJSON(provider: String, durationMilliseconds: Int, cached: Bool) -> String {
        enrichment(provider: provider, durationMilliseconds: durationMilliseconds, cached: cached).serialized()
    }
}

extension IntelAnswer: Equatable {
    public static func == (lhs: IntelAnswer, rhs: IntelAnswer) -> Bool {
        lhs.verdict == rhs.verdict
            && lhs.attributes.elementsEqual(rhs.attributes) { $0.key == $1.key && $0.value == $1.value }
    }
}
