/// An alert this consumer has claimed: it sits in the consumer's in-flight area until it is completed,
/// dead-lettered or given back.
public struct ClaimedAlert: Sendable {
    /// The id its result is stored under: the payload's `alert_id` when usable, else the entry's own
    /// name (directory backend) or a stable fallback derived from the bytes.
    public let id: String
    /// The entry's bytes, exactly as the producer wrote them.
    public let payload: [UInt8]
    /// The payload read as an alert, or why it cannot be one.
    public let alert: Result<Alert, DeadLetterReason>
    /// How the backend finds the in-flight entry again.
    let entry: InFlightEntry

    init(id: String, payload: [UInt8], alert: Result<Alert, DeadLetterReason>, entry: InFlightEntry) {
        self.id = id
        self.payload = payload
        self.alert = alert
        self.entry = entry
    }
}

/// Where a claimed alert waits while it is in flight.
enum InFlightEntry: Sendable {
    /// A file name under `processing/<consumer>/` (directory backend).
    case file(name: String)
    /// The exact list element in `processing:<consumer>` (Redis backend), removed by value.
    case listElement([UInt8])
}
