import AlertQueue
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The whole pipeline, as real processes: collector, processor, threat-api, monitor.
@Suite struct PipelineRunTests {
    /// Fields a producer other than the collector adds; they must reach the store untouched.
    static let extraFields =
        #","hostname":"web-01","tags":["ssh","brute-force"],"context":{"attempts":17,"user":"root"}"#

    @Test(arguments: QueueConfiguration.Kind.allCases)
    func everyCollectedAlertIsEnrichedAndStoredOnce(kind: QueueConfiguration.Kind) throws {
        try Pipeline.with(kind) { pipeline in
            let api = try pipeline.startAPI()
            let processor = try pipeline.startProcessor(api: api)
            let collected = try pipeline.collect(200)
            var referenceAlerts: [String: String] = [:]
            for ip in ReferenceTable.entries.keys {
                referenceAlerts[try pipeline.enqueue(ip: ip, extra: Self.extraFields)] = ip
            }
            let total = collected.count + referenceAlerts.count

            let finished = try pipeline.waitUntilFinished(total)
            try #require(finished, "not every alert was finished:\n\(pipeline.diagnostics())")
            processor.signal(SIGTERM)
            #expect(processor.wait() == 0, "SIGTERM must end the processor with status 0")

            // The monitor's view of the store.
            let (status, snapshot) = try pipeline.monitorSnapshot()
            #expect(status == 0)
            #expect(snapshot["generated"] as? Int == total)
            #expect(snapshot["processed"] as? Int == total)
            #expect(snapshot["errors"] as? Int == 0)
            #expect(snapshot["pending"] as? Int == 0)
            #expect(snapshot["in_flight"] as? Int == 0)
            #expect(snapshot["reconciled"] as? Bool == true)

            // One [PROCESSED] line per processed id, each exactly in the contract's form.
            let pattern = try Regex(OutputLines.processedPattern)
            let lines = OutputLines.processedLines(processor.standardOutput)
            for line in lines where (try? pattern.wholeMatch(in: String(line))) == nil {
                Issue.record("malformed line: \(line)")
            }
            #expect(OutputLines.errors(processor.standardOutput).isEmpty)
            let processed = OutputLines.processed(processor.standardOutput)
            #expect(processed.count == total)
            #expect(Set(processed.map(\.id)).count == processed.count, "an id was reported twice")

            // The store: one record per alert, with the enrichment and the original fields.
            let records = try pipeline.records()
            let expectedIDs = Set(collected.map(\.id)).union(referenceAlerts.keys)
            #expect(Set(records.keys) == expectedIDs)
            #expect(Set(processed.map(\.id)) == expectedIDs)
            let reported = Dictionary(processed.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            for (id, bytes) in records {
                let record = try StoredRecord(bytes)
                #expect(record.alertId == id)
                #expect(StoredRecord.verdicts.contains(record.enrichment.verdict))
                #expect(record.enrichment.provider == "mock-threat-intel")
                #expect(record.enrichment.durationMs >= 0)
                #expect(StoredRecord.isTimestamp(record.processedAt), "processed_at \(record.processedAt)")
                #expect(reported[id]?.verdict == record.enrichment.verdict)
                #expect(reported[id]?.durationMilliseconds == record.enrichment.durationMs)
            }
            for alert in collected {
                let record = try #require(records[alert.id].map { try StoredRecord($0) })
                #expect(record.sourceIp == alert.sourceIP)
                #expect(record.severity == alert.severity)
                #expect(record.ruleId == alert.rule)
                #expect(record.timestamp.map(StoredRecord.isTimestamp) == true)
                let keys = Set(StoredRecord.object(records[alert.id]!)?.keys.map { $0 } ?? [])
                #expect(
                    keys == ["alert_id", "rule_id", "source_ip", "severity", "timestamp", "enrichment", "processed_at"])
                if let entry = ReferenceTable.entries[alert.sourceIP] {
                    #expect(record.enrichment.verdict == entry.verdict, "verdict of \(alert.sourceIP)")
                }
            }

            // The reference IPs get the table's answers, and other producers' fields are kept untouched.
            for (id, ip) in referenceAlerts {
                let bytes = try #require(records[id])
                let record = try StoredRecord(bytes)
                let entry = try #require(ReferenceTable.entries[ip])
                #expect(record.enrichment.verdict == entry.verdict, "verdict of \(ip)")
                #expect(record.enrichment.abuseScore == entry.abuseScore, "abuse_score of \(ip)")
                #expect(record.enrichment.asn == entry.asn, "asn of \(ip)")
                #expect(record.enrichment.country == entry.country, "country of \(ip)")
                #expect(record.enrichment.reports == entry.reports, "reports of \(ip)")
                let object = try #require(StoredRecord.object(bytes))
                #expect(object["hostname"] as? String == "web-01")
                #expect(object["tags"] as? [String] == ["ssh", "brute-force"])
                let context = object["context"] as? [String: Any]
                #expect(context?["attempts"] as? Int == 17)
                #expect(context?["user"] as? String == "root")
            }
        }
    }
}
