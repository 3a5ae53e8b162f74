import AlertQueue
import Enrichment
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Random mutations of valid alerts: in process against the parser and the record builder (fast, many), and
/// through the real processor on both queues (fewer). Nothing may crash, and whatever parses must make a
/// record that is the alert plus `enrichment` and `processed_at`.
///
/// `HOSTILE_FUZZ_CASES` (default 10,000), `HOSTILE_PROCESSOR_FUZZ_CASES` (default 300) and
/// `HOSTILE_FUZZ_SEED` (default random, printed) size and replay a run.
@Suite(.serialized) struct FuzzTests {
    static let environment = ProcessInfo.processInfo.environment
    static let seed = environment["HOSTILE_FUZZ_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 1...UInt64.max)
    static let inProcessCases = environment["HOSTILE_FUZZ_CASES"].flatMap { Int($0) } ?? 10_000
    static let processorCases = environment["HOSTILE_PROCESSOR_FUZZ_CASES"].flatMap { Int($0) } ?? 300

    static let enrichment =
        #"{"verdict":"malicious","abuse_score":95,"provider":"mock","duration_ms":3,"cached":false}"#
    static let processedAt = "2026-12-03T16:07:41.000000Z"

    @Test(.timeLimit(.minutes(5)))
    func theParserAndTheRecordBuilderSurviveRandomMutations() async throws {
        let cases = Self.inProcessCases
        let seed = Self.seed
        let (problems, accepted, categories) = try await onOwnThread {
            var mutator = AlertMutator(seed: seed)
            var problems: [String] = []
            var accepted = 0
            var categories: [String: Int] = [:]
            var donor = mutator.validAlert(id: "donor")
            for index in 0..<cases {
                let base = mutator.validAlert(id: "fz-\(index)")
                let payload = mutator.mutate(base, donor: donor)
                donor = base
                switch AlertParser.parse(payload) {
                case .success(let alert):
                    accepted += 1
                    problems += Self.check(alert, payload: payload).map { "case \(index): \($0)" }
                case .failure(let reason):
                    categories[reason.category.rawValue, default: 0] += 1
                    if let id = AlertParser.identify(payload), !AlertID.isSafe(id) {
                        problems.append("case \(index): identify gave the unsafe id \(id.debugDescription)")
                    }
                }
                if problems.count > 20 { break }
            }
            return (problems, accepted, categories)
        }
        print(
            "FUZZ in-process: \(cases) mutations (seed \(seed)): \(accepted) parsed as alerts, rejected \(categories)")
        #expect(problems.isEmpty, "seed \(seed): \(problems.prefix(10))")
        #expect(accepted > 0 && accepted < cases, "the mutations should produce both kinds")
    }

    @Test(.timeLimit(.minutes(3)), arguments: QueueConfiguration.Kind.allCases)
    func mutatedAlertsThroughTheRealProcessorAllReconcile(kind: QueueConfiguration.Kind) async throws {
        let cases = Self.processorCases
        let seed = Self.seed &+ (kind == .dir ? 1 : 2)
        let seen = try await onOwnThread {
            try HostileRig.with(kind) { rig in try Self.runThroughProcessor(rig, cases: cases, seed: seed) }
        }
        print(
            "FUZZ \(kind.rawValue) processor: \(cases) mutations (seed \(seed)): \(seen.processed.count) processed, "
                + "\(seen.errors.count) dead-lettered")
        #expect(seen.unexpected.isEmpty, "seed \(seed): \(seen.unexpected.prefix(10))")
        #expect(seen.badRecords.isEmpty, "seed \(seed): \(seen.badRecords.prefix(10))")
        #expect(seen.leftovers.isEmpty, "\(seen.leftovers)")
        #expect(seen.counts.reconciles && seen.counts.pending == 0 && seen.counts.inFlight == 0, "\(seen.counts)")
        #expect(seen.counts.generated == seen.processed.count + seen.errors.count, "\(seen.counts)")
        #expect(seen.monitorStatus == 0, "\(seen.monitorOutput)")
        #expect(seen.processorAlive && seen.stopStatus == 0, "\(seen.errorOutput.suffix(2000))")
        #expect(!seen.errorOutput.contains("Fatal error"))
    }

    // MARK: - In process

    /// What must hold of an accepted alert and the record built from it.
    static func check(_ alert: Alert, payload: [UInt8]) -> [String] {
        var problems: [String] = []
        if !AlertID.isSafe(alert.id) { problems.append("unsafe id \(alert.id.debugDescription) accepted") }
        if !IPAddress.isValid(alert.sourceIP) || alert.sourceIP.utf8.contains(0) {
            problems.append("invalid source_ip \(alert.sourceIP.debugDescription) accepted")
        }
        if AlertParser.identify(payload) != alert.id { problems.append("identify disagrees with parse") }
        let record = EnrichedRecord.make(
            payload: payload, fieldNames: alert.fieldNames, enrichment: enrichment, processedAt: processedAt)
        guard let stored = try? JSONSerialization.jsonObject(with: Data(record)) as? [String: Any],
            let original = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any]
        else {
            return problems + [
                "the record is not a JSON object: \(String(decoding: record.prefix(300), as: UTF8.self))"
            ]
        }
        if Set(stored.keys) != alert.fieldNames.union(["enrichment", "processed_at"]) {
            problems.append("record keys \(stored.keys.sorted()) for fields \(alert.fieldNames.sorted())")
        }
        for (key, value) in original where key != "enrichment" && key != "processed_at" {
            if RecordCheck.canonical(stored[key]) != RecordCheck.canonical(value) {
                problems.append(
                    "field \(key.debugDescription) changed in \(String(decoding: payload.prefix(300), as: UTF8.self))")
            }
        }
        let given = try? JSONSerialization.jsonObject(with: Data(enrichment.utf8))
        if RecordCheck.canonical(stored["enrichment"]) != RecordCheck.canonical(given) {
            problems.append("enrichment not as given")
        }
        if stored["processed_at"] as? String != processedAt { problems.append("processed_at not as given") }
        if stored["alert_id"] as? String != alert.id { problems.append("the record's alert_id differs") }
        return problems
    }

    // MARK: - Through the processor

    struct ProcessorObservation: Sendable {
        var processed: [String: [UInt8]]
        var errors: [String: [UInt8]]
        var unexpected: [String]
        var badRecords: [String]
        var leftovers: [String]
        var counts: QueueCounts
        var monitorStatus: Int32
        var monitorOutput: String
        var processorAlive: Bool
        var stopStatus: Int32
        var errorOutput: String
    }

    static func runThroughProcessor(_ rig: HostileRig, cases: Int, seed: UInt64) throws -> ProcessorObservation {
        var mutator = AlertMutator(seed: seed)
        var expected: [String: Set<Bool>] = [:]  // id → whether its entries parse (both when ids collide)
        // Every payload sent under each id: a mutation that splices in the donor's text can carry the donor's
        // alert_id, and then either of the two may be the one whose record is stored last.
        var payloads: [String: [[UInt8]]] = [:]
        let backend = try rig.backend()
        var donor = mutator.validAlert(id: "donor")
        for index in 0..<cases {
            let stem =
                "fz-\(String(format: "%04d", index))-\(String(UInt32.random(in: 0...UInt32.max, using: &mutator.random), radix: 16))"
            let base = mutator.validAlert(id: stem)
            let payload = mutator.mutate(base, donor: donor)
            donor = base
            let id: String
            let parses: Bool
            switch rig.kind {
            case .dir:
                id = stem
                parses = (try? AlertParser.parse(payload, expectedID: stem).get()) != nil
            case .redis:
                switch AlertParser.parse(payload) {
                case .success(let alert): (id, parses) = (alert.id, true)
                case .failure: (id, parses) = (AlertParser.identify(payload) ?? AlertID.fallback(for: payload), false)
                }
            }
            expected[id, default: []].insert(parses)
            payloads[id, default: []].append(payload)
            try backend.enqueue(payload, id: id)
        }

        let processor = try rig.startProcessor()
        _ = try poll(timeout: .seconds(120)) {
            let counts = try backend.counts()
            return counts.pending == 0 && counts.inFlight == 0 && counts.processed + counts.errors >= expected.count
        }
        let stored = try rig.stored()
        var unexpected: [String] = []
        for (id, outcomes) in expected {
            let isProcessed = stored.processed[id] != nil
            let isDeadLetter = stored.errors[id] != nil
            if isProcessed == isDeadLetter {
                unexpected.append("\(id): processed \(isProcessed), dead letter \(isDeadLetter)")
            } else if !outcomes.contains(isProcessed) {
                unexpected.append("\(id): \(isProcessed ? "processed" : "dead-lettered (\(stored.reasons[id] ?? ""))")")
            }
        }
        let extra = Set(stored.processed.keys).union(stored.errors.keys).subtracting(expected.keys)
        unexpected += extra.map { "unexpected id \($0.debugDescription)" }
        var badRecords: [String] = []
        for (id, record) in stored.processed {
            guard let sent = payloads[id] else { continue }
            let problems = sent.map { RecordCheck.problems(record: record, payload: $0) }
            if !problems.contains(where: \.isEmpty) { badRecords.append("\(id): \(problems)") }
        }
        let monitor = try ChildProcess.run("monitor", rig.queueArguments + ["--once", "--json"], timeout: .seconds(30))
        let alive = processor.isRunning
        processor.signal(SIGTERM)
        let status = processor.wait(timeout: .seconds(20))
        return ProcessorObservation(
            processed: stored.processed, errors: stored.errors, unexpected: unexpected, badRecords: badRecords,
            leftovers: try rig.leftovers(), counts: try backend.counts(), monitorStatus: monitor.status,
            monitorOutput: monitor.output + monitor.errors, processorAlive: alive, stopStatus: status,
            errorOutput: processor.standardError)
    }
}
