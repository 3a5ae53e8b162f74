import AlertQueue
import RedisClient
import TestSupport

/// A fresh, empty queue of one kind for one test: a temporary directory, or a redis-server of its own.
/// `stop()` removes everything it made.
final class BackendFixture {
    let kind: QueueConfiguration.Kind
    let directory: TemporaryDirectory
    let redis: RedisServer?

    init(_ kind: QueueConfiguration.Kind) throws {
        self.kind = kind
        directory = try TemporaryDirectory()
        if kind == .redis {
            let server = RedisServer()
            try server.start()
            redis = server
        } else {
            redis = nil
        }
    }

    var configuration: QueueConfiguration {
        var configuration = QueueConfiguration(kind: kind, directory: directory.path + "/queue")
        if let redis {
            configuration.redisURL = redis.url
            configuration.heartbeatTTL = .milliseconds(500)
        }
        return configuration
    }

    func backend(_ consumer: String = "consumer-a") throws -> any QueueBackend {
        try configuration.makeBackend(consumer: consumer)
    }

    func stop() {
        redis?.stop()
        directory.remove()
    }

    /// Runs `body` with a fixture and always stops it.
    static func with(_ kind: QueueConfiguration.Kind, _ body: (BackendFixture) throws -> Void) throws {
        let fixture = try BackendFixture(kind)
        defer { fixture.stop() }
        try body(fixture)
    }
}

/// A minimal valid alert.
func alertPayload(id: String, ip: String = "185.220.101.1") -> [UInt8] {
    Array(#"{"alert_id":"\#(id)","rule_id":"RULE-001","source_ip":"\#(ip)","severity":"HIGH"}"#.utf8)
}

func record(for alert: ClaimedAlert, verdict: String = "malicious") -> [UInt8] {
    Array(#"{"alert_id":"\#(alert.id)","enrichment":{"verdict":"\#(verdict)","duration_ms":3}}"#.utf8)
}

func summary(for alert: ClaimedAlert, verdict: String = "malicious") -> ResultSummary {
    ResultSummary(id: alert.id, verdict: verdict, durationMilliseconds: 3, processedAt: "2026-12-03T00:00:00Z")
}

/// What completing `alert` stores: `record(for:)` and `summary(for:)`.
func completion(for alert: ClaimedAlert) -> Completion {
    Completion(alert: alert, record: record(for: alert), summary: summary(for: alert))
}
