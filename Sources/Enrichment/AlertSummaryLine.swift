import AlertQueue
import Foundation

/// `severity=HIGH rule=RULE-003 source_ip=185.220.101.1` for an alert, for the collector's output.
public enum AlertSummaryLine {
    public static func describe(_ payload: [UInt8]) -> String {
        guard let fields = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any] else {
            return ""
        }
        let keys = [("severity", "severity"), ("rule_id", "rule"), ("source_ip", "source_ip")]
        return keys.compactMap { key, label in (fields[key] as? String).map { "\(label)=\($0)" } }
            .joined(separator: " ")
    }
}
