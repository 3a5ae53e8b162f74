import MockThreatAPI

/// Runs `body` against a fresh server on a free port and always stops it, on failure too.
func withServer<Result>(
    faults: FaultSettings = FaultSettings(), _ body: (ThreatAPIServer) throws -> Result
) throws -> Result {
    let server = ThreatAPIServer(port: 0, faults: faults)
    try server.start()
    defer { server.stop() }
    return try body(server)
}
