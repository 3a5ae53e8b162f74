import RedisClient
import TestSupport

/// Starts a server for one test; the test stops it with `defer { server.stop() }` (its `deinit` would too).
func startedServer(
    tcp: Bool = false, appendOnly: Bool = false, appendFsync: String = "everysec", password: String? = nil,
    extraArguments: [String] = []
) throws -> RedisServer {
    let server = RedisServer(
        tcp: tcp, appendOnly: appendOnly, appendFsync: appendFsync, password: password,
        extraArguments: extraArguments)
    try server.start()
    return server
}

/// Short pauses so the failure tests stay quick: 3 attempts over about 60 ms.
let quickReconnect = ReconnectPolicy(attempts: 3, initialDelay: .milliseconds(20), maxDelay: .milliseconds(40))

func bytes(_ text: String) -> [UInt8] {
    Array(text.utf8)
}

/// Runs `body` and returns how long it took.
func elapsed(_ body: () throws -> Void) rethrows -> Duration {
    let start = ContinuousClock.now
    try body()
    return ContinuousClock.now - start
}
