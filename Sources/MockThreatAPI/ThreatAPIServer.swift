import CMicroHTTPD
import Diagnostics
import Dispatch
import Locks

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The mock threat-intel API: an HTTP server on libmicrohttpd with faults that can be injected.
///
/// Start it on port 0 in tests and read `port` or `baseURL` afterwards. Always call
/// `stop()`: a started server keeps itself alive (libmicrohttpd holds a pointer to it)
/// until then. Delayed and hanging answers never occupy a server thread: the connection
/// is suspended and resumed by a timer, so other requests keep being served and
/// `stop()` returns at once.
public final class ThreatAPIServer: Sendable {
    /// The host the server listens on, as given.
    public let host: String
    let requestedPort: Int
    let logger: Logger
    /// Taken several times per request by libmicrohttpd's threads and the delay timers: a lock that sleeps
    /// rather than spins (see `WaitingMutex`). `Mutex` spinning here took 13 % of a 2-core machine's CPU
    /// in a benchmark at 32 concurrent delayed requests.
    let state: WaitingMutex<State>

    /// libmicrohttpd worker threads, each running its own epoll loop. Handlers never
    /// block, so a few threads are enough to keep two cores busy.
    static let threadPoolSize: UInt32 = 4
    /// Idle keep-alive connections are closed after this long.
    static let connectionTimeoutSeconds: UInt32 = 60
    /// Per-connection memory for the request line, headers and buffered body; larger headers get a 4xx.
    static let connectionMemoryLimit = 32 * 1_024
    /// The largest request body accepted (only `POST /admin/faults` reads one); larger gets `413`.
    static let maximumBodyBytes = 8 * 1_024
    /// Oversized bodies up to this size are read and dropped before the `413`, so the client
    /// sees the answer; beyond it the server answers at once and lets the connection close.
    static let maximumDiscardedBodyBytes = 1_024 * 1_024

    struct State {
        enum Phase {
            case idle
            case running
            case stopped
        }

        var phase = Phase.idle
        var daemon: OpaquePointer?
        var boundPort: Int?
        var faults: FaultSettings
        var stats = RequestStats()
        /// The monotonic second the rate-limit window covers, and lookups admitted in it.
        var rateWindowSecond: UInt64 = 0
        var rateWindowCount = 0
        /// Connections suspended for a delayed answer, by suspension number.
        var suspended: [Int: SuspendedConnection] = [:]
        var nextSuspension = 0
    }

    /// A libmicrohttpd connection parked by `MHD_suspend_connection`.
    ///
    /// `@unchecked Sendable` because the pointer crosses from the worker thread to the
    /// timer or to `stop()`: that is safe since libmicrohttpd documents
    /// `MHD_resume_connection` as callable from any thread, and the pointer is only
    /// used under the state lock while the connection is known to be suspended.
    struct SuspendedConnection: @unchecked Sendable {
        var connection: OpaquePointer
        /// Resumes it when the delay is over; kept here so it lives until then.
        var timer: (any DispatchSourceTimer)?
    }

    /// Creates a server; nothing listens until `start()`.
    /// - Parameters:
    ///   - host: An address literal or a name; IPv4 is preferred when a name has both.
    ///   - port: The TCP port, or 0 for any free port (see `port` after `start()`).
    ///   - faults: The faults to inject from the first request on.
    ///   - logger: Receives fault changes at `notice`, start, stop and one line per request at `debug`.
    public init(host: String = "127.0.0.1", port: Int = 0, faults: FaultSettings = .init(), logger: Logger = .disabled)
    {
        self.host = host
        self.requestedPort = port
        self.logger = logger
        self.state = WaitingMutex(State(faults: faults))
    }

    /// The port the server listens on once started (the requested one before that).
    public var port: Int {
        state.withLock { $0.boundPort ?? requestedPort }
    }

    /// `http://host:port`, with IPv6 hosts in brackets; no trailing slash.
    public var baseURL: String {
        let hostText = host.contains(":") ? "[\(host)]" : host
        return "http://\(hostText):\(port)"
    }

    /// True between a successful `start()` and `stop()`.
    public var isRunning: Bool {
        state.withLock { $0.phase == .running }
    }

    /// The faults in force.
    public var faults: FaultSettings {
        state.withLock { $0.faults }
    }

    /// What has been answered so far (admin requests not counted).
    public var stats: RequestStats {
        state.withLock { $0.stats }
    }

    /// Starts listening and serving.
    /// - Throws: `ThreatAPIError` if the host does not resolve, the port is taken, or the
    ///   server was started before.
    public func start() throws(ThreatAPIError) {
        let address = try ListenAddress(host: host, port: requestedPort)
        try state.withLock { (state: inout State) throws(ThreatAPIError) in
            guard state.phase == .idle else { throw .alreadyStarted }
            var flags = MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_EPOLL.rawValue
            flags |= MHD_ALLOW_SUSPEND_RESUME.rawValue
            if address.isIPv6 { flags |= MHD_USE_IPv6.rawValue }

            // libmicrohttpd's threads use this pointer until MHD_stop_daemon returns; the
            // retain keeps the server alive that long and `stop()` gives it back.
            let context = Unmanaged.passRetained(self).toOpaque()
            let daemon = address.withSocketAddress { socketAddress in
                cmhd_start_daemon(
                    flags, socketAddress, Self.threadPoolSize, Self.connectionTimeoutSeconds,
                    Self.connectionMemoryLimit, handleAccess, handleCompletion, handleRequestTarget, context)
            }
            guard let daemon else {
                let reason = String(cString: strerror(errno))
                Unmanaged<ThreatAPIServer>.fromOpaque(context).release()
                throw .startFailed(address: "\(host):\(requestedPort)", reason: reason)
            }
            state.daemon = daemon
            state.phase = .running
            state.boundPort = Self.boundPort(of: daemon)
        }
        logger.debug("threat API listening", ["http.url": baseURL])
    }

    /// Stops serving and waits for libmicrohttpd's threads. Idempotent.
    ///
    /// Delayed and hanging requests are resumed first (libmicrohttpd must not be stopped
    /// with suspended connections); their clients see the connection close.
    public func stop() {
        let daemon: OpaquePointer? = state.withLock { state in
            guard state.phase == .running else {
                state.phase = .stopped
                return nil
            }
            state.phase = .stopped
            for suspended in state.suspended.values {
                suspended.timer?.cancel()
                MHD_resume_connection(suspended.connection)
            }
            state.suspended.removeAll()
            let daemon = state.daemon
            state.daemon = nil
            return daemon
        }
        guard let daemon else { return }

        MHD_stop_daemon(daemon)
        Unmanaged.passUnretained(self).release()
        logger.debug("threat API stopped", ["http.url": baseURL])
    }

    /// Replaces the faults in force (including `down`).
    /// - Throws: `FaultSettingsError` if a value is out of range; the old settings stay then.
    public func setFaults(_ faults: FaultSettings) throws(FaultSettingsError) {
        try faults.validate()
        state.withLock { $0.faults = faults }
        logger.notice("faults changed", ["faults": faults.json])
    }

    /// Takes the API down (lookups and `/health` answer `503`) or brings it back up.
    public func setDown(_ down: Bool) {
        let changed = state.withLock { state in
            defer { state.faults.down = down }
            return state.faults.down != down
        }
        if changed { logger.notice(down ? "threat API down" : "threat API up") }
    }

    /// Forgets the counted requests.
    public func resetStats() {
        state.withLock { $0.stats = RequestStats() }
    }

    /// Suspends `connection` and resumes it after `milliseconds`.
    /// - Returns: false if the server is stopping; the caller answers at once then.
    func suspend(_ connection: OpaquePointer, forMilliseconds milliseconds: Int) -> Bool {
        // Suspending under the lock means `stop()` and the timer both see every suspension
        // and resume each connection exactly once, never one that is not suspended. The timer
        // is strict with no leeway: `asyncAfter` may fire up to a tenth of the delay late (at
        // least 1 ms), which made a 5 ms latency measure 5.6 ms.
        state.withLock { state in
            guard state.phase == .running else { return false }
            let number = state.nextSuspension
            state.nextSuspension += 1
            let timer = DispatchSource.makeTimerSource(flags: .strict, queue: .global())
            timer.schedule(deadline: .now() + .milliseconds(milliseconds), leeway: .nanoseconds(0))
            timer.setEventHandler { [self] in
                self.state.withLock { state in
                    if let suspended = state.suspended.removeValue(forKey: number) {
                        suspended.timer?.cancel()
                        MHD_resume_connection(suspended.connection)
                    }
                }
            }
            state.suspended[number] = SuspendedConnection(connection: connection, timer: timer)
            MHD_suspend_connection(connection)
            timer.resume()
            return true
        }
    }

    func record(status: Int, kind: RequestKind) {
        guard kind != .admin else { return }
        state.withLock { $0.stats.record(status: status, isLookup: kind == .lookup) }
    }

    private static func boundPort(of daemon: OpaquePointer) -> Int? {
        let reported = Int(cmhd_bind_port(daemon))
        if reported != 0 { return reported }

        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getsockname(cmhd_listen_fd(daemon), $0, &length)
            }
        }
        guard status == 0 else { return nil }
        return withUnsafePointer(to: storage) { pointer in
            if Int32(storage.ss_family) == AF_INET6 {
                pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    Int(UInt16(bigEndian: $0.pointee.sin6_port))
                }
            } else {
                pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    Int(UInt16(bigEndian: $0.pointee.sin_port))
                }
            }
        }
    }
}
