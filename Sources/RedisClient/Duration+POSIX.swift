#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension Duration {
    /// The duration as a `timeval` for hiredis; negative durations become zero. A positive duration under a
    /// microsecond becomes one microsecond, because a zero `timeval` means "no timeout" to the socket.
    var asTimeval: timeval {
        let (seconds, attoseconds) = max(self, .zero).components
        var microseconds = attoseconds / 1_000_000_000_000
        if seconds == 0 && microseconds == 0 && attoseconds > 0 {
            microseconds = 1
        }
        return timeval(tv_sec: .init(seconds), tv_usec: .init(microseconds))
    }

    /// Short human text for messages: `300 ms`, `5 s`, `1.5 s`.
    var shortDescription: String {
        let milliseconds = Int(components.seconds) * 1000 + Int(components.attoseconds / 1_000_000_000_000_000)
        if milliseconds < 1000 { return "\(milliseconds) ms" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000) s" }
        return "\(Double(milliseconds) / 1000) s"
    }

    /// Blocks the calling thread; only ever used off the cooperative pool (see `RedisConnection`).
    func sleep() {
        let (seconds, attoseconds) = max(self, .zero).components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) == -1 && errno == EINTR {
            request = remaining
        }
    }
}
