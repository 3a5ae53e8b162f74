import Testing

@testable import ThreatIntel

@Suite("IntelOutcome classification")
struct IntelOutcomeTests {
    private func classify(_ status: Int, _ body: String = "", retryAfter: String? = nil) -> IntelOutcome {
        IntelOutcome.classify(status: status, body: Array(body.utf8), retryAfter: retryAfter, now: 0)
    }

    @Test("200 with a verdict is an answer")
    func answer() {
        let outcome = classify(200, #"{"ioc":"8.8.8.8","type":"ip","verdict":"clean","abuse_score":0}"#)
        #expect(outcome == .answer(IntelAnswer(verdict: .clean, attributes: [(key: "abuse_score", value: 0)])))
    }

    @Test("200 with an unusable body is transient", arguments: ["", "not json", "[]", #"{"verdict":"bad"}"#])
    func malformed(body: String) {
        guard case let .transient(reason) = classify(200, body) else {
            Issue.record("expected a transient failure")
            return
        }
        #expect(reason.hasPrefix("malformed answer"))
    }

    @Test("404 is verdict unknown")
    func notFound() {
        #expect(classify(404, "not here") == .answer(IntelAnswer(verdict: .unknown)))
    }

    @Test("429 waits as long as Retry-After says, one second by default")
    func rateLimited() {
        #expect(classify(429, retryAfter: "3") == .rateLimited(retryAfter: .seconds(3)))
        #expect(classify(429) == .rateLimited(retryAfter: .seconds(1)))
        #expect(classify(429, retryAfter: "86400") == .rateLimited(retryAfter: .seconds(60)))
    }

    @Test("5xx, 408 and redirects are transient", arguments: [500, 502, 503, 504, 408, 301, 100])
    func transient(status: Int) {
        #expect(classify(status) == .transient("http \(status)"))
    }

    @Test("other 4xx are rejected", arguments: [400, 401, 403, 405, 422])
    func rejected(status: Int) {
        #expect(classify(status) == .rejected("http \(status)"))
    }
}
