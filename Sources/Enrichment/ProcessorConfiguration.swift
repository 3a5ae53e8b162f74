import ThreatIntel

/// How a processor works: parallelism, retries, cache, circuit breaker and shutdown.
public struct ProcessorConfiguration: Sendable {
    /// The intel API and its timeouts.
    public var intel: IntelClientConfiguration
    /// Alerts enriched in parallel, one worker thread each.
    public var concurrency: Int = 8
    public var retryPolicy = RetryPolicy(maximumAttempts: 4, baseDelay: .milliseconds(200), maximumDelay: .seconds(5))
    /// How long a verdict is reused for the same IP; zero disables the cache.
    public var cacheTTL: Duration = .seconds(300)
    /// Consecutive transient failures after which claiming stops until the API answers a probe.
    public var breakerThreshold = 5
    public var probeInterval: Duration = .seconds(1)
    /// How long one claim waits for an alert before checking for a stop.
    public var claimTimeout: Duration = .seconds(1)
    /// How often this consumer renews its heartbeat and looks for dead consumers' work.
    public var maintenanceInterval: Duration = .seconds(5)
    /// How long in-flight alerts may take to finish after a stop request before they are given back.
    public var gracePeriod: Duration = .seconds(10)

    public init(intel: IntelClientConfiguration) {
        self.intel = intel
    }
}
