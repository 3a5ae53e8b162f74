import Testing

@testable import ThreatIntel

@Suite("CircuitBreaker")
struct CircuitBreakerTests {
    @Test("opens after the threshold of consecutive failures")
    func opens() {
        let breaker = CircuitBreaker(failureThreshold: 3, probeInterval: .seconds(1))
        breaker.recordFailure()
        breaker.recordFailure()
        #expect(breaker.state == .closed)
        #expect(breaker.allowsClaiming())
        breaker.recordFailure()
        #expect(breaker.state == .open)
        #expect(!breaker.allowsClaiming())
    }

    @Test("a success in between starts the count over")
    func successResets() {
        let breaker = CircuitBreaker(failureThreshold: 3)
        breaker.recordFailure()
        breaker.recordFailure()
        breaker.recordSuccess()
        breaker.recordFailure()
        breaker.recordFailure()
        #expect(breaker.state == .closed)
        #expect(breaker.consecutiveFailures == 2)
    }

    @Test("probes once per interval while open, and a good probe closes it")
    func probes() {
        let clock = ManualClock()
        let breaker = CircuitBreaker(failureThreshold: 1, probeInterval: .seconds(2), now: { clock.now() })
        #expect(!breaker.shouldProbe())
        breaker.recordFailure()
        #expect(!breaker.shouldProbe())
        clock.advance(by: .seconds(2))
        #expect(breaker.shouldProbe())
        #expect(!breaker.shouldProbe())
        breaker.recordProbe(succeeded: false)
        #expect(breaker.state == .open)
        clock.advance(by: .seconds(1))
        #expect(!breaker.shouldProbe())
        clock.advance(by: .seconds(1))
        #expect(breaker.shouldProbe())
        breaker.recordProbe(succeeded: true)
        #expect(breaker.state == .closed)
        #expect(breaker.allowsClaiming())
        #expect(breaker.consecutiveFailures == 0)
        #expect(!breaker.shouldProbe())
    }

    @Test("more failures while open do not postpone the probe")
    func failuresWhileOpen() {
        let clock = ManualClock()
        let breaker = CircuitBreaker(failureThreshold: 2, probeInterval: .seconds(1), now: { clock.now() })
        breaker.recordFailure()
        breaker.recordFailure()
        clock.advance(by: .milliseconds(600))
        breaker.recordFailure()
        clock.advance(by: .milliseconds(400))
        #expect(breaker.shouldProbe())
    }

    @Test("a lookup that succeeds while open closes it too")
    func inFlightSuccess() {
        let breaker = CircuitBreaker(failureThreshold: 1)
        breaker.recordFailure()
        #expect(breaker.state == .open)
        breaker.recordSuccess()
        #expect(breaker.state == .closed)
    }

    @Test("only one of many idle workers gets each probe")
    func oneProbePerInterval() async {
        let clock = ManualClock()
        let breaker = CircuitBreaker(failureThreshold: 1, probeInterval: .seconds(1), now: { clock.now() })
        breaker.recordFailure()
        clock.advance(by: .seconds(1))
        let granted = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<16 {
                group.addTask { breaker.shouldProbe() }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(granted == 1)
    }
}
