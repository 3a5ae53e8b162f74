/// Median and spread of repeated measurements, and percentiles of one sample.
struct Summary: Sendable {
    var values: [Double]

    init(_ values: [Double]) {
        self.values = values.sorted()
    }

    var median: Double {
        guard !values.isEmpty else { return .nan }
        let middle = values.count / 2
        return values.count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2
    }

    var minimum: Double { values.first ?? .nan }
    var maximum: Double { values.last ?? .nan }

    /// The spread as a share of the median: what the report calls wide above 20 %.
    var relativeSpread: Double {
        guard values.count > 1, median != 0 else { return 0 }
        return (maximum - minimum) / abs(median)
    }

    /// The nearest-rank percentile `p` (0...100) of the values.
    func percentile(_ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let rank = Int((p / 100 * Double(values.count)).rounded(.up))
        return values[min(max(rank, 1), values.count) - 1]
    }
}

/// Formats a figure for the table: whole numbers from 100 up, one decimal below, two below 1.
func format(_ value: Double) -> String {
    guard value.isFinite else { return "–" }
    if abs(value) >= 100 { return String(Int(value.rounded())) }
    if abs(value) >= 1 { return String((value * 10).rounded() / 10) }
    return String((value * 100).rounded() / 100)
}

/// `median (min–max)`, flagged with `!` when the spread is over 20 % of the median.
func describe(_ summary: Summary) -> String {
    guard summary.values.count > 1 else { return format(summary.median) }
    let flag = summary.relativeSpread > 0.2 ? " !" : ""
    return "\(format(summary.median)) (\(format(summary.minimum))–\(format(summary.maximum)))\(flag)"
}
