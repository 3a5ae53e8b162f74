import Synchronization

/// What one processor has done since it started, for its closing log line.
public final class ProcessorStatistics: Sendable {
    private let processedCount = Atomic<Int>(0)
    private let deadLetteredCount = Atomic<Int>(0)
    private let givenBackCount = Atomic<Int>(0)
    private let cachedCount = Atomic<Int>(0)

    public init() {}

    func recordProcessed(cached: Bool) {
        processedCount.add(1, ordering: .relaxed)
        if cached {
            cachedCount.add(1, ordering: .relaxed)
        }
    }

    func recordDeadLetter() { deadLetteredCount.add(1, ordering: .relaxed) }
    func recordGiveBack() { givenBackCount.add(1, ordering: .relaxed) }

    public var processed: Int { processedCount.load(ordering: .relaxed) }
    public var deadLettered: Int { deadLetteredCount.load(ordering: .relaxed) }
    public var givenBack: Int { givenBackCount.load(ordering: .relaxed) }
    public var cached: Int { cachedCount.load(ordering: .relaxed) }

    public var metadata: [String: String] {
        [
            "processed": String(processed), "dead_lettered": String(deadLettered),
            "given_back": String(givenBack), "cache_hits": String(cached),
        ]
    }
}
