import AlertQueue
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Secrets stay secret, servers stay on loopback, and a record holds nothing but the alert and its enrichment.
@Suite(.serialized) struct SecurityTests {
    /// What one program run showed of itself: its process list entry while it ran, and its output.
    struct Exposure: Sendable {
        var label: String
        var commandLine: String
        var output: String
        var status: Int32
    }

    @Test(.timeLimit(.minutes(2)))
    func aRedisPasswordNeverShowsInTheProcessListOrInAnyOutput() async throws {
        let password = "pw-\(UInt64.random(in: 0...UInt64.max))-s3cr3t"
        let wrongPassword = "wrong-\(UInt64.random(in: 0...UInt64.max))-s3cr3t"
        let exposures = try await onOwnThread { try Self.expose(password: password, wrongPassword: wrongPassword) }
        for exposure in exposures {
            for secret in [password, wrongPassword] {
                #expect(!exposure.commandLine.contains(secret), "\(exposure.label): in /proc/<pid>/cmdline")
                #expect(!exposure.output.contains(secret), "\(exposure.label): in its output:\n\(exposure.output)")
            }
        }
        let byLabel = Dictionary(exposures.map { ($0.label, $0) }, uniquingKeysWith: { first, _ in first })
        // The runs did what they were meant to, so the absence of the secret means something.
        #expect(byLabel["processor"]?.commandLine.contains("--redis-url") == true)
        #expect(byLabel["processor"]?.commandLine.contains("@127.0.0.1") == true)
        #expect(byLabel["processor, wrong password"]?.status == 1)
        #expect(byLabel["processor, wrong password, json log"]?.status == 1)
        #expect(byLabel["processor, connection refused"]?.status == 1)
        #expect(byLabel["processor, malformed URL"]?.status == 64)
        #expect(byLabel["processor --help"]?.status == 0)
        #expect(byLabel["monitor --once"]?.status == 0)
        print(
            "SECURITY: password checked in \(exposures.count) runs: \(exposures.map(\.label).joined(separator: "; "))")
    }

    @Test(.timeLimit(.minutes(1)))
    func theMockAPIListensOnLoopbackOnly() async throws {
        let (listening, refused) = try await onOwnThread {
            let api = try ThreatAPIProcess()
            defer { api.stop() }
            let listening = ListeningSockets.addresses(of: api.child.pid)
            let outward = ListeningSockets.nonLoopbackIPv4()
            let refused = outward.map { ListeningSockets.canConnect(to: $0, port: api.port) == false }
            return (listening, refused)
        }
        #expect(!listening.isEmpty, "no listening socket found for threat-api")
        #expect(listening.allSatisfy(ListeningSockets.isLoopback), "threat-api listens on \(listening)")
        if let refused {
            #expect(refused, "threat-api answered on a non-loopback address")
        }
        print(
            "SECURITY: threat-api listens on \(listening); non-loopback connect refused: \(refused.map(String.init) ?? "no such address here")"
        )
    }

    @Test(.timeLimit(.minutes(1)))
    func theRedisTheScriptsStartHasNoTCPPortAndComposePublishesOnlyLoopback() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let listening = try await onOwnThread { try ScriptRedis.listeningAddresses(repositoryRoot: root) }
        #expect(listening.isEmpty, "the scripts' redis-server listens on \(listening)")

        let compose = try String(contentsOfFile: root + "/docker-compose.yml", encoding: .utf8)
        let published = ComposePorts.published(in: compose)
        #expect(!published.isEmpty, "docker-compose.yml publishes no port at all (the mock API's is expected)")
        #expect(published.allSatisfy { $0.hasPrefix("127.0.0.1:") }, "published ports: \(published)")
    }

    @Test(.timeLimit(.minutes(2)), arguments: QueueConfiguration.Kind.allCases)
    func aProcessedRecordHoldsOnlyTheAlertAndItsEnrichment(kind: QueueConfiguration.Kind) async throws {
        let apiKey = "key-\(UInt64.random(in: 0...UInt64.max))"
        let payload = Array(
            (#"{"alert_id":"record-1","rule_id":"RULE-003","source_ip":"185.220.101.1","severity":"CRITICAL","#
                + #""timestamp":"2026-12-03T16:07:40.707364Z","host":{"name":"web-1","ips":["10.0.0.1"]},"#
                + #""note":"naïve ✓ \"quoted\"","score":1.50}"#).utf8)
        let (record, collected) = try await onOwnThread {
            try HostileRig.with(kind) { rig in
                let backend = try rig.backend()
                try backend.enqueue(payload, id: "record-1")
                let collector = try ChildProcess.run(
                    "collector", rig.queueArguments + ["--count", "3", "--interval", "0"], timeout: .seconds(30))
                guard collector.status == 0 else { throw TestFailure("collector: \(collector.errors)") }
                try rig.startProcessor(environment: ["THREAT_API_KEY": apiKey])
                _ = try poll(timeout: .seconds(30)) { try backend.counts().processed == 4 }
                let stored = try rig.stored()
                let others = stored.processed.filter { $0.key != "record-1" }.map(\.value)
                return (stored.processed["record-1"] ?? [], others)
            }
        }
        #expect(
            RecordCheck.problems(record: record, payload: payload).isEmpty,
            "\(RecordCheck.problems(record: record, payload: payload))")
        // The alert's bytes are kept exactly: the record is the alert with two fields appended.
        #expect(record.starts(with: payload.dropLast()), "\(String(decoding: record, as: UTF8.self))")
        let text = String(decoding: record, as: UTF8.self)
        #expect(!text.contains(apiKey), "the API key leaked into the record")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(record)) as? [String: Any])
        let enrichment = try #require(object["enrichment"] as? [String: Any])
        #expect(enrichment["verdict"] as? String == "malicious")
        #expect(Set(enrichment.keys).isSuperset(of: ["verdict", "provider", "duration_ms", "cached", "abuse_score"]))
        let processedAt = try #require(object["processed_at"] as? String)
        #expect(processedAt.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/) != nil, "\(processedAt)")

        #expect(collected.count == 3)
        for record in collected {
            let fields = try #require(try JSONSerialization.jsonObject(with: Data(record)) as? [String: Any])
            #expect(
                Set(fields.keys)
                    == ["alert_id", "rule_id", "source_ip", "severity", "timestamp", "enrichment", "processed_at"])
            #expect(!String(decoding: record, as: UTF8.self).contains(apiKey))
        }
    }

    // MARK: - Password exposure

    /// Runs every program that takes `--redis-url` with a password in it, right and wrong, and collects
    /// what each showed.
    static func expose(password: String, wrongPassword: String) throws -> [Exposure] {
        let redis = RedisServer(tcp: true, password: password)
        try redis.start()
        defer { redis.stop() }
        let api = try ThreatAPIProcess()
        defer { api.stop() }
        let port = redis.port!
        let good = "redis://:\(password)@127.0.0.1:\(port)/0"
        let withUser = "redis://default:\(password)@127.0.0.1:\(port)/0"
        let wrong = "redis://:\(wrongPassword)@127.0.0.1:\(port)/0"
        let refused = "redis://:\(password)@127.0.0.1:\(FreePort.next())/0"
        let malformed = "redis://:\(password)@127.0.0.1:notaport/0"
        let processorOptions = ["--api-url", api.baseURL, "--grace-period", "1", "--heartbeat-ttl", "2"]
        var exposures: [Exposure] = []

        // Long-running programs: their process list entry is read while they run.
        let running: [(String, String, [String], String)] = [
            ("processor", "processor", ["--redis-url", good] + processorOptions, "processor started"),
            (
                "processor, --redis-url=", "processor",
                ["--redis-url=\(withUser)", "--consumer", "second"] + processorOptions,
                "processor started"
            ),
            ("collector", "collector", ["--redis-url", withUser, "--interval", "60"], "collector started"),
        ]
        for (label, program, arguments, startedLine) in running {
            let child = try ChildProcess(program, ["--backend", "redis"] + arguments)
            defer {
                if child.isRunning {
                    child.signal(SIGKILL)
                    child.wait()
                }
            }
            guard child.waitFor(startedLine, inErrors: true, timeout: .seconds(20)) else {
                throw TestFailure("\(label) did not start: \(child.standardError)")
            }
            let commandLine = Self.commandLine(of: child.pid)
            child.signal(SIGTERM)
            let status = child.wait(timeout: .seconds(10))
            exposures.append(
                Exposure(
                    label: label, commandLine: commandLine, output: child.standardOutput + child.standardError,
                    status: status))
        }

        // Programs that end by themselves, with the right password, a wrong one, no server, a broken URL.
        let finishing: [(String, String, [String], [String: String])] = [
            ("monitor --once", "monitor", ["--redis-url", good, "--once", "--json"], [:]),
            ("backfill --dry-run", "backfill", ["--redis-url", good, "--dry-run"], [:]),
            ("processor, wrong password", "processor", ["--redis-url", wrong] + processorOptions, [:]),
            (
                "processor, wrong password, json log", "processor",
                ["--redis-url", wrong, "--log-format", "json"] + processorOptions, [:]
            ),
            ("collector, wrong password", "collector", ["--redis-url", wrong, "--count", "1"], [:]),
            ("monitor, wrong password", "monitor", ["--redis-url", wrong, "--once"], [:]),
            ("processor, malformed URL", "processor", ["--redis-url", malformed] + processorOptions, [:]),
            ("processor --help", "processor", ["--redis-url", good, "--help"], [:]),
            ("processor --help, REDIS_URL", "processor", ["--help"], ["REDIS_URL": good]),
            ("processor, REDIS_URL wrong", "processor", processorOptions, ["REDIS_URL": wrong]),
        ]
        for (label, program, arguments, environment) in finishing {
            let result = try ChildProcess.run(
                program, ["--backend", "redis"] + arguments, environment: environment, timeout: .seconds(30))
            exposures.append(
                Exposure(label: label, commandLine: "", output: result.output + result.errors, status: result.status))
        }

        // With nothing listening the processor waits for Redis rather than exit; a stop then ends it with the
        // last connection error.
        let waiting = try ChildProcess("processor", ["--backend", "redis", "--redis-url", refused] + processorOptions)
        let waited = waiting.waitFor("queue unreachable, waiting", inErrors: true, timeout: .seconds(20))
        let waitingCommandLine = Self.commandLine(of: waiting.pid)
        waiting.signal(SIGTERM)
        let status = waiting.wait(timeout: .seconds(20))
        exposures.append(
            Exposure(
                label: "processor, connection refused", commandLine: waitingCommandLine,
                output: waiting.standardOutput + waiting.standardError, status: waited ? status : -1))
        return exposures
    }

    /// `/proc/<pid>/cmdline` with its NUL separators as spaces.
    static func commandLine(of pid: Int32) -> String {
        let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
        return String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
    }
}

extension HostileRig {
    /// Starts the processor with extra environment variables.
    @discardableResult
    func startProcessor(environment: [String: String]) throws -> ChildProcess {
        let child = try ChildProcess(
            "processor",
            queueArguments + ["--api-url", api.baseURL, "--consumer", "secure", "--grace-period", "1"],
            environment: environment)
        guard child.waitFor("processor started", inErrors: true, timeout: .seconds(20)) else {
            child.signal(SIGKILL)
            child.wait()
            throw TestFailure("processor did not start: \(child.standardError)")
        }
        adopt(child)
        return child
    }
}

// MARK: - Listening sockets

/// The TCP addresses a process listens on, read from `/proc`: its socket inodes, matched against the LISTEN
/// rows of `/proc/net/tcp` and `/proc/net/tcp6`.
enum ListeningSockets {
    static func addresses(of pid: Int32) -> [String] {
        var inodes: Set<String> = []
        let fdDirectory = "/proc/\(pid)/fd"
        for fd in (try? FileManager.default.contentsOfDirectory(atPath: fdDirectory)) ?? [] {
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: fdDirectory + "/" + fd),
                target.hasPrefix("socket:[")
            else { continue }
            inodes.insert(String(target.dropFirst("socket:[".count).dropLast()))
        }
        var addresses: [String] = []
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            let text = (try? String(contentsOfFile: table, encoding: .utf8)) ?? ""
            for row in text.split(separator: "\n").dropFirst() {
                let columns = row.split(separator: " ")
                guard columns.count > 9, columns[3] == "0A", inodes.contains(String(columns[9])) else { continue }
                addresses.append(decode(String(columns[1])))
            }
        }
        return addresses
    }

    /// `0100007F:1F90` → `127.0.0.1:8080`; IPv6 rows → `[hex]:port`, with `::1` spelled out.
    static func decode(_ field: String) -> String {
        let parts = field.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1], radix: 16) else { return field }
        let hex = String(parts[0])
        if hex.count == 8, let value = UInt32(hex, radix: 16) {
            let bytes = [value & 0xFF, (value >> 8) & 0xFF, (value >> 16) & 0xFF, value >> 24]
            return bytes.map(String.init).joined(separator: ".") + ":\(port)"
        }
        if hex == "00000000000000000000000001000000" { return "[::1]:\(port)" }
        return "[\(hex)]:\(port)"
    }

    static func isLoopback(_ address: String) -> Bool {
        address.hasPrefix("127.") || address.hasPrefix("[::1]:")
    }

    /// This host's first non-loopback IPv4 address, if it has one.
    static func nonLoopbackIPv4() -> String? {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let list else { return nil }
        defer { freeifaddrs(list) }
        var cursor: UnsafeMutablePointer<ifaddrs>? = list
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET) else {
                continue
            }
            var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            var ipv4 = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            inet_ntop(AF_INET, &ipv4, &text, socklen_t(text.count))
            let string = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if !string.hasPrefix("127.") { return string }
        }
        return nil
    }

    /// Whether a TCP connection to `host:port` succeeds within a second.
    static func canConnect(to host: String, port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr(host)
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

/// The `redis-server` that `scripts/lib.sh`'s `start_redis` starts for `make demo` and `make up`.
enum ScriptRedis {
    /// Starts it through the script, reads the TCP addresses it listens on, and stops it.
    static func listeningAddresses(repositoryRoot root: String) throws -> [String] {
        let directory = try TemporaryDirectory(prefix: "script-redis")
        defer { directory.remove() }
        // The shell keeps the server until this test closes its stdin (also when the test process dies). SIGKILL:
        // the test process may block SIGTERM, and the server would inherit that.
        let script = """
            source "$1/scripts/lib.sh"
            start_redis "$2/data" "$2/redis.sock" "$2/redis.log"
            echo "PID=$REDIS_PID"
            read -r _ || true
            kill -9 "$REDIS_PID" 2>/dev/null
            wait "$REDIS_PID" 2>/dev/null
            """
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/bash")
        shell.arguments = ["-c", script, "bash", root, directory.path]
        let input = Pipe()
        let output = Pipe()
        shell.standardInput = input
        shell.standardOutput = output
        shell.standardError = output
        try shell.run()
        defer {
            try? input.fileHandleForWriting.close()
            shell.waitUntilExit()
        }
        var text = ""
        let deadline = ContinuousClock.now + .seconds(15)
        while !text.contains("PID=") && shell.isRunning && ContinuousClock.now < deadline {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("PID=") }),
            let pid = Int32(line.dropFirst(4))
        else { throw TestFailure("start_redis did not start redis-server: \(text)") }
        defer { kill(pid, SIGKILL) }
        return ListeningSockets.addresses(of: pid)
    }
}

/// The host ports `docker-compose.yml` publishes.
enum ComposePorts {
    static func published(in compose: String) -> [String] {
        var published: [String] = []
        var portsIndent: Int?
        for line in compose.split(separator: "\n", omittingEmptySubsequences: false) {
            let indent = line.prefix { $0 == " " }.count
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("#") || trimmed.isEmpty { continue }
            if let current = portsIndent {
                if indent > current, trimmed.hasPrefix("- ") {
                    published.append(trimmed.dropFirst(2).trimmingCharacters(in: CharacterSet(charactersIn: "\"' ")))
                    continue
                }
                portsIndent = nil
            }
            if trimmed == "ports:" { portsIndent = indent }
        }
        return published
    }
}
