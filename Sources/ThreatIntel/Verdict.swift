/// What a threat-intel provider concluded about an IP address.
public enum Verdict: String, Sendable, Equatable, Hashable, CaseIterable {
    case malicious
    case suspicious
    case clean
    /// The provider has no opinion; also what a 404 from the API means.
    case unknown
}
