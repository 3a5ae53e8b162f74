import Foundation
import TestSupport

/// The size of a chaos run, from the environment so `make chaos` can run a long one and CI a short one.
///
/// | variable | meaning | default |
/// |---|---|---|
/// | `CHAOS_ALERTS` | alerts per run | 2000 |
/// | `CHAOS_RATE` | alerts per second the collector sends | `CHAOS_ALERTS / 12`, 150…1000 |
/// | `CHAOS_PROCESSOR_KILLS` | least number of processor SIGKILLs per run | 20 |
/// | `CHAOS_REDIS_KILLS` | least number of redis-server SIGKILLs per Redis run | 3 |
/// | `CHAOS_SEED` | seed of every random choice, to replay a run | random, printed |
/// | `CHAOS_REPORT` | a file each run appends its figures to | none |
struct ChaosSettings: Sendable {
    var alerts: Int
    var rate: Int
    var processorKills: Int
    var redisKills: Int
    var seed: UInt64
    var reportPath: String?

    static func fromEnvironment() -> ChaosSettings {
        let environment = ProcessInfo.processInfo.environment
        func integer(_ name: String) -> Int? {
            environment[name].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        }
        let alerts = max(integer("CHAOS_ALERTS") ?? 2000, 100)
        let rate = integer("CHAOS_RATE") ?? min(max(alerts / 12, 150), 1000)
        return ChaosSettings(
            alerts: alerts, rate: max(rate, 10), processorKills: max(integer("CHAOS_PROCESSOR_KILLS") ?? 20, 1),
            redisKills: max(integer("CHAOS_REDIS_KILLS") ?? 3, 1),
            seed: environment["CHAOS_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 1...UInt64.max),
            reportPath: environment["CHAOS_REPORT"].flatMap { $0.isEmpty ? nil : $0 })
    }

    /// How long the collector takes to send every alert.
    var collectionTime: Duration {
        .milliseconds(alerts * 1000 / rate)
    }
}

extension SeededRandom {
    /// A duration between `low` and `high` milliseconds.
    mutating func milliseconds(_ range: ClosedRange<Int>) -> Duration {
        .milliseconds(Int.random(in: range, using: &self))
    }
}
