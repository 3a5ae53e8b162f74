/// Why an alert could not be enriched: a category to group and filter by, and the detail.
///
/// Written as `category: detail`, e.g. `malformed: not valid JSON`.
public struct DeadLetterReason: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Category: String, Sendable, CaseIterable {
        /// The entry is not an alert: not JSON, not an object, too large, not a regular file.
        case malformed
        /// The alert has no usable `alert_id`.
        case invalidID = "invalid-id"
        /// The alert has no usable `source_ip`.
        case invalidSourceIP = "invalid-source-ip"
        /// The intel API refused the lookup (a 4xx other than 404 and 429).
        case rejected
        /// Transient failures outlasted the retries.
        case enrichmentFailed = "enrichment-failed"
    }

    public var category: Category
    public var detail: String

    public init(_ category: Category, _ detail: String) {
        self.category = category
        self.detail = detail
    }

    public var description: String {
        "\(category.rawValue): \(detail)"
    }

    /// The category of a stored reason text, for grouping; `other` when it has none we know.
    public static func category(of text: String) -> String {
        guard let colon = text.firstIndex(of: ":") else { return "other" }
        let prefix = String(text[..<colon])
        return Category(rawValue: prefix) == nil ? "other" : prefix
    }
}
