import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

@Suite("threat-api executable")
struct ThreatAPIExecutableTests {
    static var isBuilt: Bool {
        access(ChildProcess.productsDirectory + "/threat-api", X_OK) == 0
    }

    @Test("serves, goes down on SIGUSR1, up on SIGUSR2, exits 0 on SIGTERM", .enabled(if: isBuilt))
    func signals() throws {
        let program = try ThreatAPIProcess(["--latency-ms", "1"])
        defer { program.stop() }
        #expect(program.baseURL == "http://127.0.0.1:\(program.port)")
        #expect(try fetch(program.port, "/api/v3/ip/8.8.8.8").status == 200)

        program.signal(SIGUSR1)
        #expect(waitForHealth(503, port: program.port))
        program.signal(SIGUSR2)
        #expect(waitForHealth(200, port: program.port))

        #expect(program.stop() == 0)
    }

    @Test("--down starts down; faults come from flags", .enabled(if: isBuilt))
    func flags() throws {
        let arguments = ["--down", "--rate-limit", "7", "--error-rate", "0.5", "--log-format", "json"]
        let program = try ThreatAPIProcess(arguments)
        defer { program.stop() }
        #expect(try fetch(program.port, "/health").status == 503)
        let faults = try fetch(program.port, "/admin/faults").body
        #expect(faults.contains(#""error_rate":0.5,"rate_limit":7"#))
        #expect(faults.contains(#""down":true"#))
        #expect(program.child.standardError.contains(#""message":"listening""#))
        #expect(program.stop() == 0)
    }

    @Test("usage errors exit 64, --help exits 0, a taken port exits 1", .enabled(if: isBuilt))
    func usage() throws {
        let bad = try ChildProcess.run("threat-api", ["--error-rate", "3"], timeout: .seconds(20))
        #expect(bad.status == 64)
        #expect(bad.errors.hasPrefix("Error: "))
        let help = try ChildProcess.run("threat-api", ["--help"], timeout: .seconds(20))
        #expect(help.status == 0)
        #expect(help.output.contains("--hang-rate <rate>"))
        let taken = try ThreatAPIProcess()
        defer { taken.stop() }
        let clash = try ChildProcess.run("threat-api", ["--port", String(taken.port)], timeout: .seconds(20))
        #expect(clash.status == 1)
    }

    private func waitForHealth(_ status: Int, port: Int) -> Bool {
        for _ in 0..<100 {
            if (try? fetch(port, "/health").status) == status { return true }
            usleep(20_000)
        }
        return false
    }
}
