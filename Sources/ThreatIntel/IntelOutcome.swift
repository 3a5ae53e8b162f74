/// What one lookup against the threat-intel API came to.
public enum IntelOutcome: Sendable, Equatable {
    /// A definitive answer (a 404 is one too: verdict `unknown`); may be cached.
    case answer(IntelAnswer)
    /// The API asked us to slow down (429): wait this long and ask again; never a dead letter by itself.
    case rateLimited(retryAfter: Duration)
    /// A failure that may pass (5xx, timeout, refused or reset connection, malformed answer): retry
    /// with backoff, a bounded number of times. The reason is short, e.g. `http 503`.
    case transient(String)
    /// The API refused this request for good (a 4xx such as 400 for an invalid IP): do not retry.
    case rejected(String)
}

extension IntelOutcome {
    /// Classifies a complete HTTP response from `GET /api/v3/ip/{ip}`.
    /// - Parameters:
    ///   - status: the HTTP status code.
    ///   - body: the response body.
    ///   - retryAfter: the `Retry-After` header value, if any.
    ///   - retryAfterLimit: the longest wait a 429 may ask for.
    ///   - now: the current time in seconds since 1970, for a `Retry-After` date.
    static func classify(
        status: Int,
        body: [UInt8],
        retryAfter: String?,
        retryAfterLimit: Duration = RetryAfter.limit,
        now: Int64 = RetryAfter.currentEpochSeconds()
    ) -> IntelOutcome {
        switch status {
        case 200..<300:
            let value: JSONValue
            do {
                value = try JSONValue(parsing: body)
            } catch {
                return .transient("malformed answer: \(error.reason)")
            }
            guard let answer = IntelAnswer(responseBody: value) else {
                return .transient("malformed answer: no valid verdict")
            }
            return .answer(answer)
        case 404:
            return .answer(IntelAnswer(verdict: .unknown))
        case 429:
            return .rateLimited(retryAfter: RetryAfter.delay(fromHeader: retryAfter, now: now, limit: retryAfterLimit))
        case 408:
            // The server gave up waiting for our request: a timeout like any other, not a judgement.
            return .transient("http 408")
        case 400..<500:
            return .rejected("http \(status)")
        default:
            // 5xx, and redirects and oddities too: they say nothing about the IP, so retrying is
            // right, and bounded retries dead-letter the alert if the oddity persists.
            return .transient("http \(status)")
        }
    }
}
