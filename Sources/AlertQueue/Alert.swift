import Foundation

/// The fields of an alert the pipeline relies on; everything else in the payload is kept untouched.
public struct Alert: Sendable, Equatable {
    public var id: String
    public var sourceIP: String
    /// Top-level keys of the payload, to know whether a record can be built by appending fields.
    public var fieldNames: Set<String>

    public init(id: String, sourceIP: String, fieldNames: Set<String> = []) {
        self.id = id
        self.sourceIP = sourceIP
        self.fieldNames = fieldNames
    }
}

/// Reads alerts from raw bytes, refusing anything that could hurt the pipeline.
public enum AlertParser {
    /// The largest payload accepted; anything bigger is dead-lettered without being parsed.
    public static let maximumSize = 1 << 20
    /// The deepest nesting accepted, checked before any parser recurses into it.
    public static let maximumDepth = 32

    /// Parses `payload` as an alert.
    /// - Parameter expectedID: the identity the queue entry already has (a file name), which the
    ///   payload's `alert_id` must match.
    public static func parse(_ payload: [UInt8], expectedID: String? = nil) -> Result<Alert, DeadLetterReason> {
        if payload.count > maximumSize {
            return .failure(DeadLetterReason(.malformed, "larger than \(maximumSize) bytes (\(payload.count))"))
        }
        if payload.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            return .failure(DeadLetterReason(.malformed, "empty"))
        }
        switch Self.scan(payload) {
        case .failure(let reason): return .failure(reason)
        case .success: break
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(payload), options: [])
        } catch {
            return .failure(DeadLetterReason(.malformed, "not valid JSON"))
        }
        guard let fields = object as? [String: Any] else {
            return .failure(DeadLetterReason(.malformed, "not a JSON object"))
        }
        guard let id = fields["alert_id"] as? String else {
            let detail = fields["alert_id"] == nil ? "missing alert_id" : "alert_id is not a string"
            return .failure(DeadLetterReason(.invalidID, detail))
        }
        if let problem = AlertID.problem(with: id) {
            return .failure(DeadLetterReason(.invalidID, problem))
        }
        if let expectedID, expectedID != id {
            return .failure(DeadLetterReason(.invalidID, "alert_id does not match the file name"))
        }
        guard let sourceIP = fields["source_ip"] as? String else {
            let detail = fields["source_ip"] == nil ? "missing source_ip" : "source_ip is not a string"
            return .failure(DeadLetterReason(.invalidSourceIP, detail))
        }
        guard IPAddress.isValid(sourceIP) else {
            return .failure(DeadLetterReason(.invalidSourceIP, "not an IPv4 or IPv6 address"))
        }
        return .success(Alert(id: id, sourceIP: sourceIP, fieldNames: Set(fields.keys)))
    }

    /// Checks UTF-8 and nesting depth, and refuses an object that names `alert_id` or `source_ip` twice
    /// (parsers silently keep one of them) and a trailing comma (Foundation's parser takes `{"a":1,}`, but it
    /// is not JSON, and a record appended to it would not be either), before the recursive parser sees the
    /// bytes.
    static func scan(_ payload: [UInt8]) -> Result<Void, DeadLetterReason> {
        guard String(validating: payload, as: UTF8.self) != nil else {
            return .failure(DeadLetterReason(.malformed, "not valid UTF-8"))
        }
        var depth = 0
        var inString = false
        var escaped = false
        var stringIsKey = false
        var expectingKey = false
        var stringStart = 0
        var keysSeen: Set<String> = []
        var previous: UInt8 = 0  // the last byte outside strings that is not whitespace
        for (offset, byte) in payload.enumerated() {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                    previous = byte
                    if stringIsKey, let key = Self.shortKey(payload[stringStart..<offset]) {
                        if key == "alert_id" || key == "source_ip" {
                            if keysSeen.contains(key) {
                                return .failure(DeadLetterReason(.invalidID, "\(key) appears more than once"))
                            }
                            keysSeen.insert(key)
                        }
                    }
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
                stringIsKey = depth == 1 && expectingKey
                expectingKey = false
                stringStart = offset + 1
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                expectingKey = depth == 1 && byte == UInt8(ascii: "{")
                if depth > maximumDepth {
                    return .failure(DeadLetterReason(.malformed, "nested deeper than \(maximumDepth) levels"))
                }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if previous == UInt8(ascii: ",") {
                    return .failure(DeadLetterReason(.malformed, "not valid JSON (trailing comma)"))
                }
                depth -= 1
            case UInt8(ascii: ","):
                expectingKey = depth == 1
            default:
                break
            }
            if byte != 0x20 && byte != 0x0A && byte != 0x0D && byte != 0x09 {
                previous = byte
            }
        }
        return .success(())
    }
}

extension AlertParser {
    /// A key's text if it may spell `alert_id` or `source_ip`, escapes decoded: `"alert\u005fid"` is the
    /// same key to every parser and must not slip past the duplicate check.
    static func shortKey(_ raw: ArraySlice<UInt8>) -> String? {
        guard raw.contains(UInt8(ascii: "\\")) else {
            return raw.count <= 9 ? String(decoding: raw, as: UTF8.self) : nil
        }
        // Every escape of a letter or `_` is `\uXXXX`: six bytes for one character.
        guard raw.count <= 9 * 6 else { return nil }
        let quoted = [UInt8(ascii: "\"")] + raw + [UInt8(ascii: "\"")]
        return try? JSONSerialization.jsonObject(with: Data(quoted), options: .fragmentsAllowed) as? String
    }

    /// The payload's `alert_id` when it is usable, even though the alert as a whole is not, so a dead
    /// letter is filed under the producer's id.
    public static func identify(_ payload: [UInt8]) -> String? {
        guard payload.count <= maximumSize, case .success = scan(payload),
            let fields = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any],
            let id = fields["alert_id"] as? String, AlertID.isSafe(id)
        else { return nil }
        return id
    }
}
