import Diagnostics

/// One request's progress, from the URI log callback (which sees the raw target)
/// to the completion callback, which releases it.
///
/// Only the worker thread that owns the connection touches it; libmicrohttpd never
/// runs two callbacks for one connection at once, so it needs no lock.
final class RequestContext {
    enum Stage {
        case headers
        case receivingBody
        case delayed(Reply)
        case answered
    }

    let rawTarget: [UInt8]
    /// Where libmicrohttpd's copy of the target starts, to spot a NUL byte inside it (see `containsNUL`).
    let rawTargetAddress: UInt
    var method = ""
    var stage = Stage.headers
    var body: [UInt8] = []
    /// Body bytes read past `maximumBodyBytes`; they are discarded, and the answer is `413`.
    var discardedBodyBytes = 0
    let started = MonotonicClock.nanoseconds()

    init(rawTarget: [UInt8], address: UInt) {
        self.rawTarget = rawTarget
        self.rawTargetAddress = address
    }

    /// True if the request line held a NUL byte inside the target.
    ///
    /// C strings end at a NUL, so `GET /a\0/b HTTP/1.1` would otherwise be answered as `GET /a`.
    /// libmicrohttpd parses the target and the version out of the same request-line buffer,
    /// so the version starts one space after the end of the raw target: if it starts later than
    /// the C string says, a NUL cut the string short. Distances that do not fit a request line
    /// (a version given as a constant) prove nothing and are ignored.
    func containsNUL(version: UnsafePointer<CChar>?) -> Bool {
        guard let version, rawTargetAddress != 0 else { return false }
        let span = Int(bitPattern: UInt(bitPattern: version)) - Int(bitPattern: rawTargetAddress) - 1
        guard span > 0, span <= ThreatAPIServer.connectionMemoryLimit else { return false }
        return span > rawTarget.count
    }
}
