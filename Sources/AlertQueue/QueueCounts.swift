/// How many alerts are where, read from the queue and the store themselves.
public struct QueueCounts: Sendable, Equatable {
    /// Alerts ever enqueued (Redis: the `generated` counter; directory: distinct ids in all areas).
    public var generated: Int
    /// The backlog: alerts waiting to be claimed.
    public var pending: Int
    /// Alerts claimed by a consumer and not yet stored.
    public var inFlight: Int
    public var processed: Int
    public var errors: Int

    public init(generated: Int, pending: Int, inFlight: Int, processed: Int, errors: Int) {
        self.generated = generated
        self.pending = pending
        self.inFlight = inFlight
        self.processed = processed
        self.errors = errors
    }

    /// `generated == pending + in flight + processed + errors`: every alert is somewhere, once.
    public var reconciles: Bool {
        generated == pending + inFlight + processed + errors
    }
}

/// The outcome of one processed alert, as the monitor shows it.
public struct ResultSummary: Sendable, Equatable {
    public var id: String
    public var verdict: String
    public var durationMilliseconds: Int
    /// ISO-8601 UTC.
    public var processedAt: String

    public init(id: String, verdict: String, durationMilliseconds: Int, processedAt: String) {
        self.id = id
        self.verdict = verdict
        self.durationMilliseconds = durationMilliseconds
        self.processedAt = processedAt
    }
}

/// A dead letter put back on the queue, or that would be with `dryRun`.
public struct RedrivenAlert: Sendable, Equatable {
    public var id: String
    public var reason: String
}

/// What a recovery pass gave back to pending.
public struct RecoveryReport: Sendable, Equatable {
    /// Consumers whose in-flight alerts were given back (this one included, at start-up).
    public var consumers: [String] = []
    public var alerts: Int = 0
}
