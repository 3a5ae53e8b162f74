import Foundation

/// Read access to the top-level fields of a small JSON object the pipeline wrote itself (records, notes).
struct JSONFields {
    private let fields: [String: Any]

    init(_ bytes: [UInt8]) throws {
        guard case .success = AlertParser.scan(bytes),
            let fields = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        else { throw QueueError("read record", "not a JSON object") }
        self.fields = fields
    }

    private init(fields: [String: Any]) {
        self.fields = fields
    }

    func string(_ key: String) -> String? {
        fields[key] as? String
    }

    func int(_ key: String) -> Int? {
        (fields[key] as? NSNumber)?.intValue
    }

    func object(_ key: String) -> JSONFields? {
        (fields[key] as? [String: Any]).map(JSONFields.init(fields:))
    }
}

extension ResultSummary {
    /// The summary of a stored enriched record, or nil when it is not one.
    init?(record: [UInt8]) {
        guard let fields = try? JSONFields(record), let id = fields.string("alert_id"),
            let enrichment = fields.object("enrichment"), let verdict = enrichment.string("verdict")
        else { return nil }
        self.init(
            id: id, verdict: verdict, durationMilliseconds: enrichment.int("duration_ms") ?? 0,
            processedAt: fields.string("processed_at") ?? "")
    }
}
