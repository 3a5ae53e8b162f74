import Synchronization
import TestSupport
import Testing

@testable import AlertQueue

/// One behavioural suite, run against both backends: what every `QueueBackend` must do.
@Suite struct QueueBehaviourTests {
    static let kinds = QueueConfiguration.Kind.allCases

    func expectCounts(
        _ backend: any QueueBackend, pending: Int = 0, inFlight: Int = 0, processed: Int = 0, errors: Int = 0,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let counts = try backend.counts()
        let expected = QueueCounts(
            generated: pending + inFlight + processed + errors, pending: pending, inFlight: inFlight,
            processed: processed, errors: errors)
        #expect(counts == expected, sourceLocation: sourceLocation)
        #expect(counts.reconciles, sourceLocation: sourceLocation)
    }

    @Test(arguments: kinds)
    func anAlertGoesFromPendingToProcessed(kind: QueueConfiguration.Kind) throws {
        try BackendFixture.with(kind) { (fixture) throws in
            let backend = try fixture.backend()
            try expectCounts(backend)

            try backend.enqueue(alertPayload(id: "alert-1"), id: "alert-1")
            try expectCounts(backend, pending: 1)

            let claimed = try #require(try backend.claim(timeout: .seconds(2)))
            #expect(claimed.id == "alert-1")
            #expect(claimed.payload == alertPayload(id: "alert-1"))
            #expect((try? claimed.alert.get())?.sourceIP == "185.220.101.1")
            try expectCounts(backend, inFlight: 1)

            try backend.complete(claimed, record: record(for: claimed), summary: summary(for: claimed))
            try expectCounts(backend, processed: 1)
            let recent = try backend.recentResults(limit: 5)
            #expect(recent.map(\.id) == ["alert-1"])
            #expect(recent.first?.verdict == "malicious")
        }
    }

    @Test(arguments: kinds)
    func claimReturnsNothingWhenTheQueueStaysEmpty(kind: QueueConfiguration.Kind) throws {
        try BackendFixture.with(kind) { (fixture) throws in
            let backend = try fixture.backend()
            #expect(try backend.claim(timeout: .milliseconds(200)) == nil)
        }
    }

    @Test(arguments: kinds)
    func aWaitingClaimWakesWhenAnAlertArrives(kind: QueueConfiguration.Kind) throws {
        try BackendFixture.with(kind) { (fixture) throws in
            let consumer = try fixture.backend("consumer-a")
            let producer = try fixture.backend("producer")
            let claimed = Mutex<String?>(nil)
            let thread = TestThread {
                claimed.withLock { $0 = (try? consumer.claim(timeout: .seconds(10)))?.id }
            }
            sleep(for: .milliseconds(100))
            try producer.enqueue(alertPayload(id: "late"), id: "late")
            thread.join()
            #expect(claimed.withLock { $0 } == "late")
        }
    }

    @Test(arguments: kinds)
    func twoConcurrentConsumersNeverClaimTheSameAlert(kind: QueueConfiguration.Kind) throws {
        try BackendFixture.with(kind) { (fixture) throws in
            let producer = try fixture.backend("producer")
            let total = 300
            for index in 0..<total {
                try producer.enqueue(alertPayload(id: "alert-\(index)"), id: "alert-\(index)")
            }
            let seen = Mutex<[String]>([])
            var threads: [TestThread] = []
            for name in ["consumer-a", "consumer-b"] {
                let backend = try fixture.backend(name)
                for _ in 0..<2 {
                    threads.append(
                        TestThread {
                            while let claimed = try? backend.claim(timeout: .milliseconds(300)) {
                                seen.withLock { $0.append(claimed.id) }
                                try? backend.complete(
                                    claimed, record: record(for: claimed), summary: summary(for: claimed))
                            }
                        })
                }
            }
            threads.forEach { $0.join() }
            let ids = seen.withLock { $0 }
            #expect(ids.count == total)
            #expect(Set(ids).count == total)
            try expectCounts(producer, processed: total)
        }
    }

    @Test(arguments: kinds)
    func aCrashBetweenStoreAndReleaseLeavesOneRecordAfterRecovery(kind: QueueConfiguration.Kind) throws {
        try BackendFixture.with(kind) { (fixture) throws in
            let producer = try fixture.backend("producer")
            try producer.enqueue(alertPayload(id: "twice"), id: "twice")

            // The Redis backend stores and releases in one transaction, so there is no instant between the
            // two; the directory backend has one, and stopping there must still leave one record.
            let crashed = try fixture.backend("crashed")
            let claimed = try #require(try crashed.claim(timeout: .seconds(2)))
            if let directory = crashed as? DirectoryBackend {
                try directory.store(claimed, record: record(for: claimed))
                directory.abandon()
            } else {
                (crashed as! RedisBackend).abandon()
                sleep(for: .milliseconds(700))
            }

            let survivor = try fixture.backend("survivor")
            let report = try survivor.recoverInFlight(includingOwn: true)
            #expect(report.alerts == 1)
            #expect(report.consumers == ["crashed"])
            let again = try #require(try survivor.claim(timeout: .seconds(2)))
            #expect(again.id == "twice")
            try survivor.complete(again, record: record(for: again), summary: summary(for: again))
            try expectCounts(survivor, processed: 1)
        }
    }

    @Test(arguments: kinds)
    func aLiveConsumerKeepsItsWork(kind: QueueConfiguration.Kind) throws {
        try BackendFixture.with(kind) { (fixture) throws in
            let busy = try fixture.backend("busy")
            try busy.enqueue(alertPayload(id: "held"), id: "held")
            _ = try #require(try busy.claim(timeout: .seconds(2)))
            let other = try fixture.backend("other")
            #expect(try other.recoverInFlight(includingOwn: true).alerts == 0)
            try expectCounts(other, inFlight: 1)
        }
    }

    @Test(arguments: kinds)
    func aRestartedConsumerTakesBackItsOwnWork(kind: QueueConfiguration.Kind) throws {
        try BackendFixture.with(kind) { (fixture) throws in
            let first = try fixture.backend("fixed-name")
            try first.enqueue(alertPayload(id: "mine"), id: "mine")
            _ = try #require(try first.claim(timeout: .seconds(2)))
            (first as? DirectoryBackend)?.abandon()

            let restarted = try fixture.backend("fixed-name")
            #expect(try restarted.recoverInFlight(includingOwn: true).alerts == 1)
            try expectCounts(restarted, pending: 1)
        }
    }

    @Test(arguments: kinds)
    func giveBackReturnsAnAlertUntouched(kind: QueueConfiguration.Kind) throws {
        try BackendFixture.with(kind) { (fixture) throws in
            let backend = try fixture.backend()
            try backend.enqueue(alertPayload(id: "back"), id: "back")
            let claimed = try #require(try backend.claim(timeout: .seconds(2)))
            try backend.giveBack(claimed)
            try expectCounts(backend, pending: 1)
            let again = try #require(try backend.claim(timeout: .seconds(2)))
            #expect(again.payload == claimed.payload)
        }
    }

    @Test(arguments: kinds)
    func deadLettersKeepTheirReasonAndRedrivePutsThemBack(kind: QueueConfiguration.Kind) throws {
        try BackendFixture.with(kind) { (fixture) throws in
            let backend = try fixture.backend()
            let reasons = [
                "enrichment-failed: http 503 after 4 attempts", "enrichment-failed: timeout after 2000ms",
                "malformed: not valid JSON",
            ]
            for (index, reason) in reasons.enumerated() {
                try backend.enqueue(alertPayload(id: "dead-\(index)"), id: "dead-\(index)")
                let claimed = try #require(try backend.claim(timeout: .seconds(2)))
                try backend.deadLetter(claimed, reason: reason)
            }
            try expectCounts(backend, errors: 3)
            #expect(try backend.deadLetterCategories() == ["enrichment-failed": 2, "malformed": 1])

            let preview = try backend.redrive(reason: "enrichment-failed", limit: nil, dryRun: true)
            #expect(preview.count == 2)
            try expectCounts(backend, errors: 3)

            let moved = try backend.redrive(reason: "enrichment-failed", limit: 1, dryRun: false)
            #expect(moved.count == 1)
            #expect(moved.first?.reason.hasPrefix("enrichment-failed") == true)
            try expectCounts(backend, pending: 1, errors: 2)

            let rest = try backend.redrive(reason: nil, limit: nil, dryRun: false)
            #expect(rest.count == 2)
            try expectCounts(backend, pending: 3)
            #expect(try backend.redrive(reason: nil, limit: nil, dryRun: false).isEmpty)

            for _ in 0..<3 {
                let claimed = try #require(try backend.claim(timeout: .seconds(2)))
                #expect(claimed.payload == alertPayload(id: claimed.id))
                try backend.complete(claimed, record: record(for: claimed), summary: summary(for: claimed))
            }
            try expectCounts(backend, processed: 3)
            #expect(try backend.deadLetterCategories().isEmpty)
        }
    }

    @Test(arguments: kinds)
    func processingTheSameAlertTwiceLeavesOneRecord(kind: QueueConfiguration.Kind) throws {
        try BackendFixture.with(kind) { (fixture) throws in
            let backend = try fixture.backend()
            for verdict in ["clean", "malicious"] {
                try backend.enqueue(alertPayload(id: "same"), id: "same")
                let claimed = try #require(try backend.claim(timeout: .seconds(2)))
                try backend.complete(
                    claimed, record: record(for: claimed, verdict: verdict), summary: summary(for: claimed))
            }
            let counts = try backend.counts()
            #expect(counts.processed == 1)
            #expect(counts.pending == 0 && counts.inFlight == 0 && counts.errors == 0)
        }
    }

    @Test(arguments: kinds)
    func aDeadLetterLaterProcessedLeavesOnlyTheRecord(kind: QueueConfiguration.Kind) throws {
        try BackendFixture.with(kind) { (fixture) throws in
            let backend = try fixture.backend()
            try backend.enqueue(alertPayload(id: "flaky"), id: "flaky")
            let first = try #require(try backend.claim(timeout: .seconds(2)))
            try backend.deadLetter(first, reason: "enrichment-failed: http 503")
            _ = try backend.redrive(reason: nil, limit: nil, dryRun: false)
            let second = try #require(try backend.claim(timeout: .seconds(2)))
            try backend.complete(second, record: record(for: second), summary: summary(for: second))
            try expectCounts(backend, processed: 1)
        }
    }

    @Test(arguments: kinds)
    func malformedEntriesAreClaimedWithTheirReason(kind: QueueConfiguration.Kind) throws {
        try BackendFixture.with(kind) { (fixture) throws in
            let backend = try fixture.backend()
            try backend.enqueue(Array("not-json".utf8), id: "poison")
            let claimed = try #require(try backend.claim(timeout: .seconds(5)))
            guard case .failure(let reason) = claimed.alert else {
                Issue.record("not-json was read as an alert")
                return
            }
            #expect(reason.category == .malformed)
            try backend.deadLetter(claimed, reason: reason.description)
            try expectCounts(backend, errors: 1)
            #expect(try backend.deadLetterCategories() == ["malformed": 1])
        }
    }

    @Test(arguments: kinds)
    func aSentCompletionStoresTheAlertAndMayTakeTheNext(kind: QueueConfiguration.Kind) throws {
        try BackendFixture.with(kind) { (fixture) throws in
            let backend = try fixture.backend()
            for id in ["first", "second"] {
                try backend.enqueue(alertPayload(id: id), id: id)
            }
            let first = try #require(try backend.claim(timeout: .seconds(2)))
            let sent = backend.sendCompletion(completion(for: first), claimNext: true)
            #expect(sent.completing?.id == "first")
            let next = try sent.finish()
            if let next {
                // Redis takes the next alert in the completion's round trip; it is in flight like any claim.
                #expect(kind == .redis)
                #expect(next.id == "second" && (try? next.alert.get())?.id == "second")
                try expectCounts(backend, inFlight: 1, processed: 1)
            } else {
                #expect(kind == .dir)
                try expectCounts(backend, pending: 1, processed: 1)
            }
            let second = try #require(try next ?? backend.claim(timeout: .seconds(2)))
            let last = try backend.sendCompletion(completion(for: second), claimNext: true).finish()
            #expect(last == nil, "nothing is left to take")
            try expectCounts(backend, processed: 2)
            #expect(Set(try backend.recentResults(limit: 5).map(\.id)) == ["first", "second"])
            // A claim sent on its own, with nothing to complete, takes nothing from an empty queue.
            let alone = backend.sendCompletion(nil, claimNext: true)
            #expect(alone.completing == nil)
            #expect(try alone.finish() == nil)
            try expectCounts(backend, processed: 2)
        }
    }

    @Test(arguments: kinds)
    func retireGivesBackWhatIsInFlight(kind: QueueConfiguration.Kind) throws {
        try BackendFixture.with(kind) { (fixture) throws in
            let backend = try fixture.backend()
            try backend.enqueue(alertPayload(id: "late"), id: "late")
            _ = try #require(try backend.claim(timeout: .seconds(2)))
            try backend.retire()
            try expectCounts(try fixture.backend("other"), pending: 1)
        }
    }
}
