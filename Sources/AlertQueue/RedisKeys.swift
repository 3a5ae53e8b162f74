/// The Redis keys of one queue. They share one prefix with a hash tag (`{enrich}:` by default) so the
/// whole queue lives in one Redis Cluster slot and a transaction may touch any of them.
public struct RedisKeys: Sendable, Equatable {
    public let prefix: String

    public init(prefix: String = "{enrich}:") {
        self.prefix = prefix
    }

    /// The queue, a list: producers `LPUSH`, consumers take from the right.
    public var pending: String { prefix + "pending" }
    /// Alert id → enriched record.
    public var processed: String { prefix + "processed" }
    /// Alert id → dead letter with its reason.
    public var errors: String { prefix + "errors" }
    /// Alert id → reason category, so the monitor can group dead letters without reading them.
    public var errorCategories: String { prefix + "error-categories" }
    /// Distinct alerts ever enqueued.
    public var generated: String { prefix + "generated" }
    /// The ids ever enqueued, a set: what makes `generated` count each alert once.
    public var ids: String { prefix + "ids" }
    /// The newest result summaries, newest first, capped.
    public var recent: String { prefix + "recent" }
    /// The consumers that have announced themselves.
    public var consumers: String { prefix + "consumers" }

    /// One consumer's in-flight list.
    public func processing(_ consumer: String) -> String { prefix + "processing:" + consumer }

    /// One consumer's heartbeat, a key with a TTL.
    public func heartbeat(_ consumer: String) -> String { prefix + "heartbeat:" + consumer }
}
