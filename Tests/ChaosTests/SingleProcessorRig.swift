import AlertQueue
import Foundation
import TestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A queue, the mock API and the processors one test starts against them, one after the other. `stop()`
/// ends them all, on every path.
final class SingleProcessorRig {
    let queue: ChaosQueue
    let api: ThreatAPIProcess
    let admin: AdminClient
    private(set) var processors: [ChildProcess] = []

    init(_ kind: QueueConfiguration.Kind, apiArguments: [String] = []) throws {
        queue = try ChaosQueue(kind)
        do {
            api = try ThreatAPIProcess(apiArguments)
        } catch {
            queue.stop()
            throw error
        }
        admin = AdminClient(port: api.port)
    }

    static func with<Result>(
        _ kind: QueueConfiguration.Kind, apiArguments: [String] = [], _ body: (SingleProcessorRig) throws -> Result
    ) throws -> Result {
        let rig = try SingleProcessorRig(kind, apiArguments: apiArguments)
        defer { rig.stop() }
        return try body(rig)
    }

    func stop() {
        for processor in processors where processor.isRunning {
            processor.signal(SIGKILL)
            processor.wait(timeout: .seconds(5))
        }
        api.stop(timeout: .seconds(5))
        queue.stop()
    }

    /// Starts a processor named `consumer` and waits until it has started claiming.
    @discardableResult
    func startProcessor(_ consumer: String, _ arguments: [String] = []) throws -> ChildProcess {
        let defaults = [
            "--timeout", "5", "--retries", "0", "--grace-period", "1", "--heartbeat-ttl", "2", "--cache-ttl", "0",
        ]
        let processor = try ChildProcess(
            "processor", queue.arguments + ["--api-url", api.baseURL, "--consumer", consumer] + defaults + arguments)
        processors.append(processor)
        guard processor.waitFor("processor started", inErrors: true, timeout: .seconds(20)) else {
            throw AdminError("processor \(consumer) did not start: \(processor.standardError)")
        }
        return processor
    }

    /// Polls `condition` every 50 ms until it holds or `timeout` passes.
    func wait(timeout: Duration = .seconds(30), until condition: () throws -> Bool) rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            pause(.milliseconds(50))
        }
        return try condition()
    }

    /// Every line any processor of this rig printed on standard output.
    var output: String {
        processors.map(\.standardOutput).joined(separator: "\n")
    }
}

/// A valid alert as the collector writes it.
func alertPayload(id: String, ip: String) -> [UInt8] {
    let text =
        #"{"alert_id":"\#(id)","rule_id":"RULE-003","source_ip":"\#(ip)","severity":"HIGH","#
        + #""timestamp":"2026-12-03T16:07:40.707364Z"}"#
    return Array(text.utf8)
}

/// The IPs of the mock API's reference table and their verdicts.
let referenceVerdicts: [(ip: String, verdict: String)] = [
    ("185.220.101.1", "malicious"), ("198.51.100.77", "malicious"), ("8.8.8.8", "clean"), ("1.1.1.1", "clean"),
    ("203.0.113.10", "suspicious"), ("10.0.1.50", "clean"), ("172.16.0.5", "clean"),
    ("192.168.100.200", "malicious"), ("198.18.0.9", "suspicious"),
]

/// The `enrichment.verdict` of a stored record, or nil when it has none.
func storedVerdict(_ record: [UInt8]) -> String? {
    guard let object = try? JSONSerialization.jsonObject(with: Data(record)) as? [String: Any],
        let enrichment = object["enrichment"] as? [String: Any]
    else { return nil }
    return enrichment["verdict"] as? String
}
