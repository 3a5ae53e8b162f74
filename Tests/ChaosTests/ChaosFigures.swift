import Foundation

/// What a chaos run did and found, printed at its end and appended to `CHAOS_REPORT` when set.
struct ChaosFigures: Sendable {
    var label = ""
    var seed: UInt64 = 0
    var alerts = 0
    var collected = 0
    var collectorStatus: Int32 = -1
    var collectorErrors = ""
    var processorKills = 0
    var restarts = 0
    var redisKills = 0
    var redisRestarts = 0
    var apiFlaps = 0
    var slowPhases = 0
    var rateLimitPhases = 0
    var failingPhases = 0
    var seconds = 0.0
    var processed = 0
    var deadLetters = 0
    var reasons: [String: Int] = [:]
    var lost = 0
    /// Ids both processed and dead-lettered, or with diverging results.
    var duplicates = 0
    var reprocessed = 0
    var leftoverTemporaryFiles = 0
    /// In-flight alerts of killed processors given back to pending, as the processors logged them.
    var recoveredInFlight = 0
    /// Times a processor's circuit breaker opened on the API.
    var breakerOpenings = 0
    /// Queue or store operations that failed (Redis down) and were retried.
    var queueFailures = 0
    var unexpectedExits: [String] = []

    var summary: String {
        let reasonText = reasons.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")
        return [
            "CHAOS \(label):", "alerts=\(alerts)", "collected=\(collected)", "processor_kills=\(processorKills)",
            "processor_restarts=\(restarts)", "redis_kills=\(redisKills)", "redis_restarts=\(redisRestarts)",
            "api_flaps=\(apiFlaps)", "slow_phases=\(slowPhases)", "rate_limit_phases=\(rateLimitPhases)",
            "failing_phases=\(failingPhases)",
            "time=\(String(format: "%.1f", seconds))s", "processed=\(processed)", "dead_letters=\(deadLetters)",
            "(\(reasonText.isEmpty ? "none" : reasonText))", "lost=\(lost)", "duplicates=\(duplicates)",
            "reprocessed=\(reprocessed)", "recovered_in_flight=\(recoveredInFlight)",
            "breaker_openings=\(breakerOpenings)", "queue_failures=\(queueFailures)",
            "leftover_tmp_files=\(leftoverTemporaryFiles)",
            "unexpected_exits=\(unexpectedExits.count)", "seed=\(seed)",
        ].joined(separator: " ")
    }

    /// Reads what the processors logged on standard error about recoveries and faults.
    mutating func count(processorErrors: [String]) {
        for text in processorErrors {
            for line in text.split(separator: "\n") {
                if line.contains("gave back alerts"), let range = line.range(of: "alerts=") {
                    recoveredInFlight += Int(line[range.upperBound...].prefix { $0.isNumber }) ?? 0
                } else if line.contains("claiming paused") {
                    breakerOpenings += 1
                } else if line.contains("claim failed") || line.contains("store failed")
                    || line.contains("dead letter failed")
                {
                    queueFailures += 1
                }
            }
        }
    }

    /// Prints the summary, and appends it to the report file when one is configured.
    func publish(to reportPath: String?) {
        print(summary)
        guard let reportPath else { return }
        let line = summary + "\n"
        if let handle = FileHandle(forWritingAtPath: reportPath) {
            handle.seekToEndOfFile()
            handle.write(Data(line.utf8))
            handle.closeFile()
        } else {
            _ = FileManager.default.createFile(atPath: reportPath, contents: Data(line.utf8))
        }
    }
}
