import Testing

@testable import ThreatIntel

@Suite("VerdictCache")
struct VerdictCacheTests {
    let malicious = IntelAnswer(verdict: .malicious, attributes: [(key: "abuse_score", value: 95)])
    let clean = IntelAnswer(verdict: .clean)

    @Test("answers until the time to live has passed")
    func timeToLive() {
        let clock = ManualClock()
        let cache = VerdictCache(timeToLive: .seconds(10), now: { clock.now() })
        cache.store(malicious, for: "185.220.101.1")
        #expect(cache.answer(for: "185.220.101.1") == malicious)
        #expect(cache.answer(for: "8.8.8.8") == nil)
        clock.advance(by: .seconds(9))
        #expect(cache.answer(for: "185.220.101.1") == malicious)
        clock.advance(by: .seconds(1))
        #expect(cache.answer(for: "185.220.101.1") == nil)
        #expect(cache.count == 0)
    }

    @Test("storing again renews and replaces the answer")
    func storeAgain() {
        let clock = ManualClock()
        let cache = VerdictCache(timeToLive: .seconds(10), now: { clock.now() })
        cache.store(malicious, for: "1.1.1.1")
        clock.advance(by: .seconds(8))
        cache.store(clean, for: "1.1.1.1")
        clock.advance(by: .seconds(8))
        #expect(cache.answer(for: "1.1.1.1") == clean)
        #expect(cache.count == 1)
    }

    @Test("a time to live of zero disables the cache")
    func disabled() {
        let cache = VerdictCache(timeToLive: .zero)
        cache.store(malicious, for: "1.1.1.1")
        #expect(!cache.isEnabled)
        #expect(cache.answer(for: "1.1.1.1") == nil)
        #expect(cache.count == 0)
    }

    @Test("evicts the oldest entry when full")
    func capacity() {
        let clock = ManualClock()
        let cache = VerdictCache(timeToLive: .seconds(60), capacity: 3, now: { clock.now() })
        for index in 1...3 {
            cache.store(clean, for: "10.0.0.\(index)")
            clock.advance(by: .seconds(1))
        }
        cache.store(malicious, for: "10.0.0.4")
        #expect(cache.count == 3)
        #expect(cache.answer(for: "10.0.0.1") == nil)
        #expect(cache.answer(for: "10.0.0.2") == clean)
        #expect(cache.answer(for: "10.0.0.4") == malicious)
    }

    @Test("evicts by insertion, not by an older copy of a renewed entry")
    func renewedEntryIsNotOldest() {
        let clock = ManualClock()
        let cache = VerdictCache(timeToLive: .seconds(60), capacity: 2, now: { clock.now() })
        cache.store(clean, for: "a")
        cache.store(clean, for: "b")
        cache.store(malicious, for: "a")
        cache.store(clean, for: "c")
        #expect(cache.answer(for: "a") == malicious)
        #expect(cache.answer(for: "b") == nil)
        #expect(cache.answer(for: "c") == clean)
    }

    @Test("expired entries make room before live ones are evicted")
    func expiredFirst() {
        let clock = ManualClock()
        let cache = VerdictCache(timeToLive: .seconds(10), capacity: 3, now: { clock.now() })
        cache.store(clean, for: "old-1")
        cache.store(clean, for: "old-2")
        clock.advance(by: .seconds(5))
        cache.store(clean, for: "young")
        clock.advance(by: .seconds(6))
        cache.store(malicious, for: "new")
        #expect(cache.count == 2)
        #expect(cache.answer(for: "young") == clean)
        #expect(cache.answer(for: "new") == malicious)
    }

    @Test("stays bounded under churn and repeated stores")
    func churn() {
        let cache = VerdictCache(timeToLive: .seconds(60), capacity: 100)
        for round in 0..<50 {
            for index in 0..<300 {
                cache.store(clean, for: "10.\(round % 3).\(index % 150).1")
            }
        }
        #expect(cache.count == 100)
    }

    @Test("is safe to use from many tasks at once")
    func concurrentUse() async {
        let cache = VerdictCache(timeToLive: .seconds(60), capacity: 500)
        let answer = clean
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for index in 0..<2_000 {
                        let ip = "10.0.\(worker).\(index % 700)"
                        cache.store(answer, for: ip)
                        _ = cache.answer(for: ip)
                    }
                }
            }
        }
        #expect(cache.count <= 500)
    }
}
