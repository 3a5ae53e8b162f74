import Foundation
import ThreatIntel

/// Builds the stored record: the alert exactly as it came, plus `enrichment` and `processed_at`.
public enum EnrichedRecord {
    /// - Parameters:
    ///   - payload: the alert's original bytes, a JSON object.
    ///   - fieldNames: its top-level keys.
    ///   - enrichment: the `enrichment` object as compact JSON.
    ///   - processedAt: ISO-8601 UTC.
    public static func make(
        payload: [UInt8], fieldNames: Set<String>, enrichment: String, processedAt: String
    ) -> [UInt8] {
        let addition = "\"enrichment\":\(enrichment),\"processed_at\":\"\(processedAt)\""
        // The usual case appends to the original bytes, so every field stays exactly as the producer
        // wrote it. An alert that already has these fields (a record fed back in) is rebuilt instead,
        // so the result never holds a key twice.
        if !fieldNames.contains("enrichment") && !fieldNames.contains("processed_at"),
            let close = payload.lastIndex(of: UInt8(ascii: "}"))
        {
            var record = Array(payload[..<close])
            while let last = record.last, last == 0x20 || last == 0x0A || last == 0x0D || last == 0x09 {
                record.removeLast()
            }
            if record.last != UInt8(ascii: "{") {
                record.append(UInt8(ascii: ","))
            }
            record.append(contentsOf: addition.utf8)
            record.append(UInt8(ascii: "}"))
            return record
        }
        guard var members = (try? JSONValue(parsing: payload))?.objectMembers else {
            return rebuiltLeniently(payload: payload, addition: addition)
        }
        members.removeAll { $0.key == "enrichment" || $0.key == "processed_at" }
        var text = "{"
        for member in members {
            JSONValue.writeQuoted(member.key, to: &text)
            text += ":" + member.value.serialized() + ","
        }
        text += addition + "}"
        return Array(text.utf8)
    }

    /// The rebuild of a payload the strict parser refuses but the alert parser took (a member name repeated,
    /// say): Foundation keeps one value per name, as it did when the alert was read, so no field is dropped.
    private static func rebuiltLeniently(payload: [UInt8], addition: String) -> [UInt8] {
        guard var object = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any] else {
            return Array("{\(addition)}".utf8)
        }
        object["enrichment"] = nil
        object["processed_at"] = nil
        guard let members = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
            return Array("{\(addition)}".utf8)
        }
        var record = Array(members.dropLast())  // its closing brace
        if record.last != UInt8(ascii: "{") {
            record.append(UInt8(ascii: ","))
        }
        record.append(contentsOf: addition.utf8)
        record.append(UInt8(ascii: "}"))
        return record
    }
}
