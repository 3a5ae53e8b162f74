import AlertQueue
import Diagnostics

/// Renders monitor snapshots: a full screen for a terminal, one line when piped, or JSON.
public enum MonitorView {
    /// The reconciliation line: `reconciled: generated 120 == pending 3 + in flight 2 + processed 110 + errors 5`.
    public static func reconciliation(_ counts: QueueCounts) -> String {
        let sign = counts.reconciles ? "==" : "!="
        let verdict = counts.reconciles ? "reconciled" : "NOT RECONCILED"
        return "\(verdict): generated \(counts.generated) \(sign) pending \(counts.pending) + in flight "
            + "\(counts.inFlight) + processed \(counts.processed) + errors \(counts.errors)"
    }

    /// One plain line per interval, for logs and pipes.
    public static func line(_ snapshot: MonitorSnapshot) -> String {
        let counts = snapshot.counts
        var parts = [
            snapshot.takenAt.iso8601, "processed=\(counts.processed)", "errors=\(counts.errors)",
            "pending=\(counts.pending)", "in_flight=\(counts.inFlight)", "generated=\(counts.generated)",
            "reconciled=\(counts.reconciles)",
        ]
        if let average = snapshot.averageDurationMilliseconds {
            parts.append("avg_ms=\(format(average))")
        }
        if let throughput = snapshot.throughput {
            parts.append("throughput=\(format(throughput))/s")
        }
        parts.append("last=\(snapshot.recent.prefix(5).map(\.verdict).joined(separator: ","))")
        return parts.joined(separator: " ")
    }

    /// The whole screen for a terminal, with sparklines of throughput and backlog.
    public static func screen(_ snapshot: MonitorSnapshot, throughput: [Double], backlog: [Double]) -> String {
        let counts = snapshot.counts
        let average = snapshot.averageDurationMilliseconds.map { format($0) + " ms" } ?? "-"
        let rate = snapshot.throughput.map { format($0) + " alerts/s" } ?? "-"
        var lines: [String] = []
        lines.append("Alert enrichment monitor                      \(snapshot.takenAt.iso8601)")
        lines.append("")
        lines.append("  processed  \(pad(counts.processed))   errors     \(pad(counts.errors))")
        lines.append(
            "  pending    \(pad(counts.pending))   in flight  \(pad(counts.inFlight))   generated \(counts.generated)")
        lines.append(reconciliation(counts))
        lines.append("")
        lines.append("  avg enrichment  " + average)
        lines.append("  throughput      " + rate + "   " + sparkline(throughput))
        lines.append("  backlog         \(counts.pending)   " + sparkline(backlog))
        lines.append("")
        lines.append("  last verdicts")
        if snapshot.recent.isEmpty {
            lines.append("    (none yet)")
        }
        for result in snapshot.recent.prefix(5) {
            lines.append("    \(result.verdict.padding(10)) \(result.durationMilliseconds) ms  \(result.id)")
        }
        lines.append("")
        lines.append("  dead letters by reason")
        if snapshot.deadLetters.isEmpty {
            lines.append("    (none)")
        }
        for (category, count) in snapshot.deadLetters.sorted(by: { $0.value > $1.value }) {
            lines.append("    \(category.padding(20)) \(count)")
        }
        return lines.joined(separator: "\n")
    }

    /// One JSON object per snapshot.
    public static func json(_ snapshot: MonitorSnapshot) -> String {
        let counts = snapshot.counts
        let recent = snapshot.recent.prefix(5).map { result in
            "{\"alert_id\":\(JSONText.quoted(result.id)),\"verdict\":\(JSONText.quoted(result.verdict)),"
                + "\"duration_ms\":\(result.durationMilliseconds)}"
        }
        let deadLetters = snapshot.deadLetters.sorted { $0.key < $1.key }.map {
            "\(JSONText.quoted($0.key)):\($0.value)"
        }
        return "{\"time\":\"\(snapshot.takenAt.iso8601)\",\"generated\":\(counts.generated),"
            + "\"pending\":\(counts.pending),\"in_flight\":\(counts.inFlight),\"processed\":\(counts.processed),"
            + "\"errors\":\(counts.errors),\"reconciled\":\(counts.reconciles),"
            + "\"average_duration_ms\":\(snapshot.averageDurationMilliseconds.map { format($0) } ?? "null"),"
            + "\"throughput_per_second\":\(snapshot.throughput.map { format($0) } ?? "null"),"
            + "\"last_verdicts\":[\(recent.joined(separator: ","))],"
            + "\"dead_letters\":{\(deadLetters.joined(separator: ","))}}"
    }

    /// `▁▂▄█` for the values, scaled to the largest.
    public static func sparkline(_ values: [Double]) -> String {
        let bars = Array("▁▂▃▄▅▆▇█")
        guard let largest = values.max(), largest > 0 else {
            return String(repeating: "▁", count: values.count)
        }
        return String(values.map { bars[min(bars.count - 1, Int(($0 / largest) * Double(bars.count - 1)))] })
    }

    static func format(_ value: Double) -> String {
        let tenths = (value * 10).rounded() / 10
        return tenths == tenths.rounded() ? String(Int(tenths)) : String(tenths)
    }

    private static func pad(_ value: Int) -> String {
        String(value).padding(8)
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
