#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reading the `Retry-After` header of a 429 answer (RFC 9110, section 10.2.3).
public enum RetryAfter {
    /// The wait used when the header is missing or cannot be read.
    public static let fallback: Duration = .seconds(1)

    /// The longest wait honoured: a server asking for an hour is more likely wrong than right, and a
    /// worker that sleeps that long looks dead.
    public static let limit: Duration = .seconds(60)

    /// How long to wait before asking again, from a `Retry-After` header value.
    /// - Parameters:
    ///   - value: the header value: delay-seconds (`"5"`) or an IMF-fixdate
    ///     (`"Sun, 06 Nov 1994 08:49:37 GMT"`); `nil` when the header was absent.
    ///   - now: the current time in seconds since 1970, for dates; the system clock by default.
    ///   - fallback: the answer for a missing or unreadable value.
    ///   - limit: the longest wait returned.
    /// - Returns: a duration between zero (a date in the past) and `limit`.
    public static func delay(
        fromHeader value: String?,
        now: Int64 = currentEpochSeconds(),
        fallback: Duration = RetryAfter.fallback,
        limit: Duration = RetryAfter.limit
    ) -> Duration {
        guard let text = value?.trimmingWhitespace(), !text.isEmpty else {
            return min(fallback, limit)
        }
        if text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            // Too many digits for Int64 is still a (silly) delay: it is capped like any other.
            guard let seconds = Int64(text) else {
                return limit
            }
            return min(.seconds(seconds), limit)
        }
        guard let date = epochSeconds(fromIMFFixdate: text) else {
            return min(fallback, limit)
        }
        return min(.seconds(max(0, date - now)), limit)
    }

    /// The system's wall-clock time in whole seconds since 1970.
    public static func currentEpochSeconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec)
    }

    private static let monthNames = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]

    private static let dayNames: Set<Substring> = ["Mon,", "Tue,", "Wed,", "Thu,", "Fri,", "Sat,", "Sun,"]

    /// Seconds since 1970 for an IMF-fixdate, the only date form servers may send today.
    ///
    /// The obsolete RFC 850 and asctime forms are not read: they fall back like any other garbage.
    static func epochSeconds(fromIMFFixdate text: String) -> Int64? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, dayNames.contains(parts[0]), parts[5] == "GMT",
            parts[1].count == 2, let day = Int64(parts[1]),
            let monthIndex = monthNames.firstIndex(where: { $0 == parts[2] }),
            parts[3].count == 4, let year = Int64(parts[3])
        else {
            return nil
        }
        let clock = parts[4].split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 3, clock.allSatisfy({ $0.count == 2 }),
            let hour = Int64(clock[0]), let minute = Int64(clock[1]), let second = Int64(clock[2]),
            (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else {
            return nil
        }
        let days = daysSinceEpoch(year: year, month: Int64(monthIndex + 1), day: day)
        return days * 86_400 + hour * 3_600 + minute * 60 + second
    }

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (Howard Hinnant's algorithm).
    static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

extension String {
    /// The text without leading and trailing whitespace, line ends included.
    func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace })
        else {
            return ""
        }
        return String(self[first...last])
    }
}
