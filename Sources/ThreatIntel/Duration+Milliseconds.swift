extension Duration {
    /// The duration in whole nanoseconds, saturating at the bounds of `Int64`.
    var saturatingNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow {
            return seconds < 0 ? .min : .max
        }
        let (total, overflowAgain) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflowAgain {
            return seconds < 0 ? .min : .max
        }
        return total
    }

    /// The duration in whole milliseconds, truncated toward zero, saturating at the bounds of `Int64`.
    var clampedMilliseconds: Int {
        Int(saturatingNanoseconds / 1_000_000)
    }
}
