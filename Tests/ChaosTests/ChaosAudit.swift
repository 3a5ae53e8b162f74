import AlertQueue
import Foundation
import TestSupport

/// The end-of-run check: every collected alert is in the store exactly once, as a record or a dead letter,
/// every record is the alert it claims to be, and the figures reconcile.
struct ChaosAudit: Sendable {
    /// Collected alerts that are neither processed nor dead letters.
    var lost: [String] = []
    /// Ids both processed and dead-lettered.
    var inBoth: [String] = []
    /// Ids in the store that no collector reported.
    var unknown: [String] = []
    /// Ids whose results disagree: printed verdicts that differ, or a record unlike its printed verdict.
    var diverging: [String] = []
    /// Records that are not the alert plus `enrichment` and `processed_at`.
    var badRecords: [String] = []
    /// Ids printed as `[PROCESSED]` more than once (processed again after a crash: allowed, counted).
    var reprocessed = 0
    var processed = 0
    var deadLetters = 0
    /// Dead letters by reason category.
    var reasons: [String: Int] = [:]

    /// The original fields the collector writes.
    static let alertFields: Set<String> = ["alert_id", "rule_id", "source_ip", "severity", "timestamp"]

    init(
        collected: [(id: String, sourceIP: String)], processorOutput: [String],
        processed records: [String: [UInt8]], errors: [String: [UInt8]]
    ) {
        let sourceIPs = Dictionary(collected.map { ($0.id, $0.sourceIP) }, uniquingKeysWith: { first, _ in first })
        processed = records.count
        deadLetters = errors.count
        lost = sourceIPs.keys.filter { records[$0] == nil && errors[$0] == nil }.sorted()
        inBoth = records.keys.filter { errors[$0] != nil }.sorted()
        unknown = Set(records.keys).union(errors.keys).filter { sourceIPs[$0] == nil }.sorted()

        var printed: [String: [String]] = [:]
        for output in processorOutput {
            for line in OutputLines.processed(output) {
                printed[line.id, default: []].append(line.verdict)
            }
        }
        reprocessed = printed.values.filter { $0.count > 1 }.count
        var diverging: Set<String> = []
        for (id, verdicts) in printed where Set(verdicts).count > 1 {
            diverging.insert(id)
        }

        for (id, bytes) in records {
            guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
                badRecords.append("\(id): not a JSON object")
                continue
            }
            let keys = Set(object.keys)
            if keys != Self.alertFields.union(["enrichment", "processed_at"]) {
                badRecords.append("\(id): fields \(keys.sorted())")
            }
            if object["alert_id"] as? String != id {
                badRecords.append("\(id): alert_id \(object["alert_id"] ?? "missing")")
            }
            if let ip = sourceIPs[id], object["source_ip"] as? String != ip {
                badRecords.append("\(id): source_ip \(object["source_ip"] ?? "missing"), collected \(ip)")
            }
            guard let enrichment = object["enrichment"] as? [String: Any],
                let verdict = enrichment["verdict"] as? String
            else {
                badRecords.append("\(id): no enrichment verdict")
                continue
            }
            if let verdicts = printed[id], !verdicts.contains(verdict) {
                diverging.insert(id)
            }
        }
        self.diverging = diverging.sorted()

        for (_, bytes) in errors {
            let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
            // The Redis dead letter holds the reason; the directory one is the alert itself, its reason
            // kept beside it, so it is counted from the processors' [ERROR] lines instead.
            if let reason = object?["reason"] as? String, object?["failed_at"] != nil {
                reasons[DeadLetterReason.category(of: reason), default: 0] += 1
            }
        }
        if reasons.isEmpty && !errors.isEmpty {
            var latest: [String: String] = [:]
            for output in processorOutput {
                for line in OutputLines.deadLettered(output) where errors[line.id] != nil {
                    latest[line.id] = line.reason
                }
            }
            for reason in latest.values {
                reasons[DeadLetterReason.category(of: reason), default: 0] += 1
            }
        }
    }

    /// The problems that fail a run. `lost` is left to the caller: with AOF `everysec` it is reported only.
    var problems: [String] {
        var problems: [String] = []
        func add(_ name: String, _ ids: [String]) {
            if !ids.isEmpty {
                problems.append("\(ids.count) \(name): \(ids.prefix(5).joined(separator: ", "))")
            }
        }
        add("ids both processed and dead-lettered", inBoth)
        add("ids in the store that were never collected", unknown)
        add("ids with diverging results", diverging)
        add("bad records", badRecords)
        return problems
    }
}
