import Testing

@testable import ThreatIntel

@Suite("RetryPolicy")
struct RetryPolicyTests {
    @Test("ceilings double from the base up to the maximum")
    func ceilings() {
        let policy = RetryPolicy(maximumAttempts: 5, baseDelay: .milliseconds(100), maximumDelay: .seconds(1))
        let ceilings = (1...6).map { policy.delayCeiling(forAttempt: $0) }
        let expected: [Duration] = [
            .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1),
        ]
        #expect(ceilings == expected)
    }

    @Test("huge attempt numbers saturate instead of overflowing")
    func saturates() {
        let policy = RetryPolicy(baseDelay: .milliseconds(100), maximumDelay: .seconds(30))
        for attempt in [40, 62, 63, 64, 1_000, Int.max] {
            #expect(policy.delayCeiling(forAttempt: attempt) == .seconds(30))
        }
        #expect(policy.delayCeiling(forAttempt: 0) == .milliseconds(100))
        #expect(RetryPolicy(baseDelay: .zero, maximumDelay: .zero).delay(forAttempt: 9) == .zero)
    }

    @Test("jitter spans zero to the ceiling")
    func fullJitter() {
        let highest = RetryPolicy(baseDelay: .milliseconds(100), maximumDelay: .seconds(1), random: { $0.upperBound })
        let lowest = RetryPolicy(baseDelay: .milliseconds(100), maximumDelay: .seconds(1), random: { $0.lowerBound })
        #expect(highest.delay(forAttempt: 3) == .milliseconds(400))
        #expect(lowest.delay(forAttempt: 3) == .zero)
    }

    @Test("the system generator stays within bounds")
    func systemRandomBounds() {
        let policy = RetryPolicy(baseDelay: .milliseconds(10), maximumDelay: .milliseconds(50))
        for attempt in 1...200 {
            let delay = policy.delay(forAttempt: attempt % 8 + 1)
            #expect(delay >= .zero && delay <= policy.delayCeiling(forAttempt: attempt % 8 + 1))
        }
    }

    @Test("a misbehaving random source is clamped")
    func clampsRandom() {
        let tooHigh = RetryPolicy(baseDelay: .milliseconds(10), maximumDelay: .seconds(1), random: { _ in .max })
        let negative = RetryPolicy(baseDelay: .milliseconds(10), maximumDelay: .seconds(1), random: { _ in -5 })
        #expect(tooHigh.delay(forAttempt: 1) == .milliseconds(10))
        #expect(negative.delay(forAttempt: 1) == .zero)
    }

    @Test("counts attempts, the first included")
    func attempts() {
        let policy = RetryPolicy(maximumAttempts: 3)
        #expect(policy.allowsRetry(afterAttempt: 1))
        #expect(policy.allowsRetry(afterAttempt: 2))
        #expect(!policy.allowsRetry(afterAttempt: 3))
        #expect(!RetryPolicy(maximumAttempts: 1).allowsRetry(afterAttempt: 1))
    }
}
