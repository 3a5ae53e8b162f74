import AlertQueue
import Diagnostics

extension QueueBackend {
    /// Enqueues, retrying through a queue outage (Redis restarting, a full disk) with backoff until it
    /// succeeds or a stop is requested. Retrying is safe: an alert sent twice is still one alert.
    /// - Throws: the last failure, when a stop came before the alert could be enqueued.
    public func enqueue(_ payload: [UInt8], id: String, retryingUntil stop: StopControl, logger: Logger) throws {
        var failures = 0
        while true {
            do {
                try enqueue(payload, id: id)
                if failures > 0 {
                    logger.notice("enqueue works again", ["alert.id": id, "failures": String(failures)])
                }
                return
            } catch {
                failures += 1
                if stop.isStopping { throw error }
                if failures == 1 || failures.isMultiple(of: 10) {
                    logger.warning("enqueue failed, retrying", ["alert.id": id, "error": "\(error)"])
                }
                stop.waitUnlessStopping(.milliseconds(min(50 << min(failures, 7), 5000)))
            }
        }
    }
}
