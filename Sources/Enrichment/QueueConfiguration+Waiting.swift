import AlertQueue
import Diagnostics

extension QueueConfiguration {
    /// Opens the backend, waiting with backoff while the queue cannot be reached (a processor started before
    /// Redis, or during its restart), until it answers or a stop is requested.
    /// - Throws: any other failure at once; the last connection failure when a stop came first.
    public func openBackend(consumer: String, logger: Logger, waitingUntil stop: StopControl) throws -> any QueueBackend
    {
        var failures = 0
        while true {
            do {
                return try makeBackend(consumer: consumer, logger: logger)
            } catch  where Self.isUnreachable(error) && !stop.isStopping {
                failures += 1
                if failures == 1 || failures.isMultiple(of: 10) {
                    logger.warning("queue unreachable, waiting", ["queue": location, "error": "\(error)"])
                }
                stop.waitUnlessStopping(.milliseconds(min(100 << min(failures, 6), 5000)))
            }
        }
    }
}
