import Foundation
import TestSupport
import Testing

@testable import AlertQueue

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The instants a random kill rarely hits, set up on purpose: a record stored with its input still in flight,
/// an alert delivered again after it was stored, and a processor killed with many alerts in flight.
@Suite(.serialized) struct CrashWindowTests {
    /// What a test saw, handed from its own thread back to the test for judgement.
    struct Observation: Sendable {
        var counts: QueueCounts
        var processed: [String: [UInt8]]
        var errors: [String: [UInt8]]
        var inFlight: [String: [String]]
        var output: String
        var notes: [String: String] = [:]
    }

    /// The directory queue stores a record, then removes the in-flight file: a crash in between leaves both.
    /// The next processor must take the alert back and process it again into the same single record.
    @Test(.timeLimit(.minutes(2)))
    func aRecordStoredButNotReleasedIsProcessedAgainIntoOneRecord() async throws {
        let alerts = referenceVerdicts.enumerated().map { (id: "window-\($0.offset)", ip: $0.element.ip) }
        let seen = try await onOwnThread {
            try SingleProcessorRig.with(.dir) { rig in
                try Self.crashBetweenStoreAndRelease(rig, alerts: alerts)
                let between = try rig.queue.counts()
                try rig.startProcessor("survivor")
                _ = try rig.wait { try rig.queue.inFlight().isEmpty && Self.outcomes(rig.output) >= alerts.count }
                let stored = try rig.queue.storedEntries()
                var observation = Observation(
                    counts: try rig.queue.counts(), processed: stored.processed, errors: stored.errors,
                    inFlight: try rig.queue.inFlight(), output: rig.output)
                observation.notes["between"] = "\(between)"
                return observation
            }
        }
        #expect(
            seen.notes["between"]?.contains("inFlight: \(alerts.count), processed: \(alerts.count)") == true,
            "the crash left: \(seen.notes["between"] ?? "")")
        #expect(seen.inFlight.isEmpty)
        #expect(seen.errors.isEmpty)
        #expect(Set(seen.processed.keys) == Set(alerts.map(\.id)))
        for (index, alert) in alerts.enumerated() {
            #expect(storedVerdict(seen.processed[alert.id] ?? []) == referenceVerdicts[index].verdict, "\(alert.id)")
        }
        #expect(seen.counts.reconciles && seen.counts.generated == alerts.count, "\(seen.counts)")
    }

    /// An alert that already has a record comes back (the crash above, or a producer sending it again) and
    /// this time cannot be enriched: it must end up in one place, not as a record and a dead letter at once.
    @Test(.timeLimit(.minutes(2)), arguments: QueueConfiguration.Kind.allCases)
    func anAlertStoredThenDeadLetteredIsNotInBothPlaces(kind: QueueConfiguration.Kind) async throws {
        let alerts = (0..<6).map { (id: "again-\($0)", ip: referenceVerdicts[$0].ip) }
        let seen = try await onOwnThread {
            try SingleProcessorRig.with(kind) { rig in
                if kind == .dir {
                    try Self.crashBetweenStoreAndRelease(rig, alerts: alerts)
                } else {
                    // Processed once, then sent again by the producer.
                    let first = try rig.startProcessor("first")
                    for alert in alerts {
                        try rig.queue.enqueue(alertPayload(id: alert.id, ip: alert.ip), id: alert.id)
                    }
                    _ = try rig.wait { try rig.queue.counts().processed == alerts.count }
                    first.signal(SIGTERM)
                    first.wait()
                    for alert in alerts {
                        try rig.queue.enqueue(alertPayload(id: alert.id, ip: alert.ip), id: alert.id)
                    }
                }
                try rig.admin.setFaults("error_rate=1")
                let second = try rig.startProcessor("second")
                _ = try rig.wait {
                    try rig.queue.inFlight().isEmpty && rig.queue.counts().pending == 0
                        && OutputLines.deadLettered(second.standardOutput).count >= alerts.count
                }
                let stored = try rig.queue.storedEntries()
                return Observation(
                    counts: try rig.queue.counts(), processed: stored.processed, errors: stored.errors,
                    inFlight: try rig.queue.inFlight(), output: second.standardOutput)
            }
        }
        #expect(OutputLines.deadLettered(seen.output).count >= alerts.count, "\(seen.output)")
        let both = Set(seen.processed.keys).intersection(seen.errors.keys)
        #expect(both.isEmpty, "both processed and dead-lettered: \(both.sorted())")
        #expect(seen.counts.reconciles, "\(seen.counts)")
        #expect(Set(seen.processed.keys).union(seen.errors.keys) == Set(alerts.map(\.id)))
    }

    /// A processor SIGKILLed while the slow API keeps every worker busy leaves its alerts in flight; another
    /// processor gives them back and processes them, each once.
    @Test(.timeLimit(.minutes(2)), arguments: QueueConfiguration.Kind.allCases)
    func aProcessorKilledWithManyAlertsInFlightLosesNone(kind: QueueConfiguration.Kind) async throws {
        let count = 48
        let seen = try await onOwnThread {
            try SingleProcessorRig.with(kind, apiArguments: ["--latency-ms", "3000"]) { rig in
                let victim = try rig.startProcessor("victim", ["--concurrency", "16"])
                for index in 0..<count {
                    let id = "busy-\(index)"
                    try rig.queue.enqueue(alertPayload(id: id, ip: "203.0.\(index / 250).\(index % 250 + 1)"), id: id)
                }
                let busy = try rig.wait(timeout: .seconds(10)) { try rig.queue.counts().inFlight >= 16 }
                victim.signal(SIGKILL)
                victim.wait()
                let left = try rig.queue.counts()
                try rig.admin.setFaults("latency_ms=0")
                let killedAt = ContinuousClock.now
                try rig.startProcessor("rescuer", ["--concurrency", "4"])
                _ = try rig.wait { try rig.queue.counts().processed >= count && rig.queue.inFlight().isEmpty }
                let recovery = ContinuousClock.now - killedAt
                let stored = try rig.queue.storedEntries()
                var observation = Observation(
                    counts: try rig.queue.counts(), processed: stored.processed, errors: stored.errors,
                    inFlight: try rig.queue.inFlight(), output: rig.output)
                observation.notes["busy"] = "\(busy)"
                observation.notes["left"] = "\(left.inFlight)"
                observation.notes["recovery"] = String(format: "%.1f", recovery.inSeconds)
                return observation
            }
        }
        print(
            "CRASH \(kind.rawValue): killed with \(seen.notes["left"] ?? "?") alerts in flight, all back and "
                + "processed \(seen.notes["recovery"] ?? "?") s after the kill")
        #expect(seen.notes["busy"] == "true")
        #expect(Int(seen.notes["left"] ?? "") ?? 0 >= 16, "in flight at the kill: \(seen.notes["left"] ?? "")")
        #expect(Set(seen.processed.keys) == Set((0..<count).map { "busy-\($0)" }))
        #expect(seen.errors.isEmpty && seen.inFlight.isEmpty)
        #expect(seen.counts.reconciles && seen.counts.generated == count, "\(seen.counts)")
    }

    // MARK: - Helpers

    /// Enqueues `alerts`, then, as a consumer named `crashed`, claims each one, stores a stale record for it
    /// and stops short of releasing it; the consumer's lock is then let go as a SIGKILL would.
    static func crashBetweenStoreAndRelease(_ rig: SingleProcessorRig, alerts: [(id: String, ip: String)]) throws {
        for alert in alerts {
            try rig.queue.enqueue(alertPayload(id: alert.id, ip: alert.ip), id: alert.id)
        }
        let crashed = try DirectoryBackend(root: rig.queue.root, consumer: "crashed")
        for _ in alerts {
            guard let claimed = try crashed.claim(timeout: .seconds(2)) else { throw AdminError("nothing to claim") }
            let stale = #"{"alert_id":"\#(claimed.id)","enrichment":{"verdict":"stale"}}"#
            try crashed.store(claimed, record: Array(stale.utf8))
        }
        crashed.abandon()
    }

    /// How many alerts processors reported an outcome for.
    static func outcomes(_ output: String) -> Int {
        OutputLines.processed(output).count + OutputLines.deadLettered(output).count
    }
}
