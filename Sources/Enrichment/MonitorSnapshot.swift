import AlertQueue
import Diagnostics

/// How the pipeline is doing at one moment, read from the queue and the store.
public struct MonitorSnapshot: Sendable {
    public var counts: QueueCounts
    /// The newest results, newest first.
    public var recent: [ResultSummary]
    /// Mean enrichment time over `recent`, nil when there is nothing yet.
    public var averageDurationMilliseconds: Double?
    /// Alerts finished (processed or dead-lettered) per second since the previous snapshot.
    public var throughput: Double?
    public var deadLetters: [String: Int]
    public var takenAt: Timestamp
}

/// Takes snapshots and remembers the last few, for throughput and the sparklines.
public final class MonitorSampler {
    /// How many results the average duration is taken over.
    public static let durationWindow = 100
    /// How many snapshots the sparklines show.
    public static let historyLength = 40

    private let backend: any QueueBackend
    private var previous: (finished: Int, at: ContinuousClock.Instant)?
    public private(set) var throughputHistory: [Double] = []
    public private(set) var backlogHistory: [Double] = []

    public init(backend: any QueueBackend) {
        self.backend = backend
    }

    public func sample() throws -> MonitorSnapshot {
        let counts = try backend.counts()
        let now = ContinuousClock.now
        let recent = try backend.recentResults(limit: Self.durationWindow)
        let deadLetters = try backend.deadLetterCategories()

        let finished = counts.processed + counts.errors
        var throughput: Double?
        if let previous {
            let seconds = (now - previous.at).seconds
            if seconds > 0 {
                throughput = max(0, Double(finished - previous.finished) / seconds)
            }
        }
        previous = (finished, now)
        if let throughput {
            throughputHistory = Array((throughputHistory + [throughput]).suffix(Self.historyLength))
        }
        backlogHistory = Array((backlogHistory + [Double(counts.pending)]).suffix(Self.historyLength))

        let average =
            recent.isEmpty
            ? nil : Double(recent.reduce(0) { $0 + $1.durationMilliseconds }) / Double(recent.count)
        return MonitorSnapshot(
            counts: counts, recent: recent, averageDurationMilliseconds: average, throughput: throughput,
            deadLetters: deadLetters, takenAt: Timestamp.now())
    }
}
