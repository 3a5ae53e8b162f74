import Foundation
import RedisClient
import TestSupport
import Testing

@testable import AlertQueue

/// What only the Redis backend has to cope with: lost replies and producers that retry.
@Suite struct RedisBackendTests {
    @Test func anAlertSentTwiceIsCountedOnceAndStoredOnce() throws {
        try BackendFixture.with(.redis) { (fixture) throws in
            let backend = try fixture.backend()
            try backend.enqueue(alertPayload(id: "again"), id: "again")
            try backend.enqueue(alertPayload(id: "again"), id: "again")
            #expect(try backend.counts().generated == 1)
            while let claimed = try backend.claim(timeout: .milliseconds(200)) {
                try backend.complete(claimed, record: record(for: claimed), summary: summary(for: claimed))
            }
            let counts = try backend.counts()
            #expect(counts == QueueCounts(generated: 1, pending: 0, inFlight: 0, processed: 1, errors: 0))
        }
    }

    @Test func anAlertMovedByAClaimWhoseReplyWasLostIsGivenBack() throws {
        try BackendFixture.with(.redis) { (fixture) throws in
            let backend = try #require(try fixture.backend("worker") as? RedisBackend)
            try backend.heartbeat()
            try backend.enqueue(alertPayload(id: "orphan"), id: "orphan")
            // The server moves the alert as BLMOVE would, but no worker ever hears of it.
            let connection = try RedisConnection(url: fixture.redis!.url)
            try connection.command(["LMOVE", backend.keys.pending, backend.keys.processing("worker"), "RIGHT", "LEFT"])
            backend.ledger.markUncertain()

            #expect(try backend.recoverInFlight(includingOwn: false).alerts == 0)
            #expect(try backend.recoverInFlight(includingOwn: false).alerts == 1)
            #expect(!backend.ledger.needsAudit)
            #expect(try backend.counts().pending == 1)
        }
    }

    @Test func anAlertAWorkerHoldsIsNeverTakenByAnAudit() throws {
        try BackendFixture.with(.redis) { (fixture) throws in
            let backend = try #require(try fixture.backend("worker") as? RedisBackend)
            try backend.enqueue(alertPayload(id: "held"), id: "held")
            let claimed = try #require(try backend.claim(timeout: .seconds(1)))
            backend.ledger.markUncertain()
            for _ in 0..<3 {
                #expect(try backend.recoverInFlight(includingOwn: false).alerts == 0)
            }
            try backend.complete(claimed, record: record(for: claimed), summary: summary(for: claimed))
            #expect(try backend.counts().processed == 1)
        }
    }

    @Test func anAlertTakenWithACompletionIsHeldLikeAClaimedOne() throws {
        try BackendFixture.with(.redis) { (fixture) throws in
            let backend = try #require(try fixture.backend("worker") as? RedisBackend)
            for id in ["first", "second"] {
                try backend.enqueue(alertPayload(id: id), id: id)
            }
            let first = try #require(try backend.claim(timeout: .seconds(1)))
            let next = try #require(try backend.sendCompletion(completion(for: first), claimNext: true).finish())
            backend.ledger.markUncertain()
            for _ in 0..<3 {
                #expect(try backend.recoverInFlight(includingOwn: false).alerts == 0)
            }
            try backend.complete(next, record: record(for: next), summary: summary(for: next))
            #expect(try backend.counts() == QueueCounts(generated: 2, pending: 0, inFlight: 0, processed: 2, errors: 0))
        }
    }

    /// A worker reads the reply of a claim sent ahead only after its current API call, which can outlast
    /// two audits: what that claim moved is unheld all that time, and must not be given back.
    @Test func anAlertClaimedAheadIsNotTakenByAuditsBeforeItsReplyIsRead() throws {
        try BackendFixture.with(.redis) { (fixture) throws in
            let backend = try #require(try fixture.backend("worker") as? RedisBackend)
            for id in ["first", "second"] {
                try backend.enqueue(alertPayload(id: id), id: id)
            }
            let first = try #require(try backend.claim(timeout: .seconds(1)))
            let ahead = backend.sendCompletion(nil, claimNext: true)
            backend.ledger.markUncertain()
            for _ in 0..<3 {
                #expect(try backend.recoverInFlight(includingOwn: false).alerts == 0)
            }
            #expect(try backend.counts() == QueueCounts(generated: 2, pending: 0, inFlight: 2, processed: 0, errors: 0))
            let second = try #require(try ahead.finish())
            #expect(second.id == "second")
            for claimed in [first, second] {
                try backend.complete(claimed, record: record(for: claimed), summary: summary(for: claimed))
            }
            #expect(try backend.counts() == QueueCounts(generated: 2, pending: 0, inFlight: 0, processed: 2, errors: 0))
        }
    }

    /// The server runs the completion and the claim sent with it, then drops the connection instead of
    /// replying: the claimed alert is too big for the client output buffer limit set here. The worker gives
    /// its alert back, a no-op since the completion ran, and the audit finds the alert the lost claim moved.
    /// Nothing is lost or doubled.
    @Test func repliesLostAfterTheServerRanTheSentCommandsLoseNothing() throws {
        try BackendFixture.with(.redis) { (fixture) throws in
            let backend = try #require(try fixture.backend("worker") as? RedisBackend)
            let note = String(repeating: "x", count: 32 * 1024)
            try backend.enqueue(alertPayload(id: "first"), id: "first")
            try backend.enqueue(
                Array(#"{"alert_id":"second","source_ip":"10.0.0.1","note":"\#(note)"}"#.utf8), id: "second")
            let first = try #require(try backend.claim(timeout: .seconds(1)))
            let admin = try RedisConnection(url: fixture.redis!.url)
            defer { admin.close() }
            try admin.command(["CONFIG", "SET", "client-output-buffer-limit", "normal 4096 4096 0"])
            #expect(throws: RedisConnectionError.self) {
                try backend.sendCompletion(completion(for: first), claimNext: true).finish()
            }
            try admin.command(["CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0"])
            try backend.giveBack(first)
            #expect(try backend.counts() == QueueCounts(generated: 2, pending: 0, inFlight: 1, processed: 1, errors: 0))
            #expect(try backend.recoverInFlight(includingOwn: false).alerts == 0)
            #expect(try backend.recoverInFlight(includingOwn: false).alerts == 1)
            #expect(try backend.counts() == QueueCounts(generated: 2, pending: 1, inFlight: 0, processed: 1, errors: 0))
        }
    }

    /// Redis out of memory refuses the completion's commands as they are queued (EXECABORT) and the claim
    /// after them: the alert stays in flight, nothing else moves, and it can be given back once there is room.
    @Test func aCompletionRefusedForLackOfMemoryLeavesTheAlertInFlight() throws {
        try BackendFixture.with(.redis) { (fixture) throws in
            let backend = try fixture.backend("worker")
            for id in ["first", "second"] {
                try backend.enqueue(alertPayload(id: id), id: id)
            }
            let first = try #require(try backend.claim(timeout: .seconds(1)))
            let admin = try RedisConnection(url: fixture.redis!.url)
            defer { admin.close() }
            try admin.command(["CONFIG", "SET", "maxmemory", "1"])
            #expect(throws: RedisServerError.self) {
                try backend.sendCompletion(completion(for: first), claimNext: true).finish()
            }
            try admin.command(["CONFIG", "SET", "maxmemory", "0"])
            #expect(try backend.counts() == QueueCounts(generated: 2, pending: 1, inFlight: 1, processed: 0, errors: 0))
            try backend.giveBack(first)
            #expect(try backend.counts().pending == 2)
        }
    }

    @Test(arguments: [
        (Duration.seconds(1), "1.000"), (.milliseconds(250), "0.250"), (.milliseconds(10), "0.010"),
        (.milliseconds(1234), "1.234"), (.zero, "0.000"),
    ])
    func blockTimesAreSecondsWithMilliseconds(slice: Duration, text: String) {
        #expect(RedisBackend.blockSeconds(slice) == text)
    }

    @Test func givingBackAnAlertAlreadyRecoveredDoesNotQueueItTwice() throws {
        try BackendFixture.with(.redis) { (fixture) throws in
            let slow = try fixture.backend("slow")
            try slow.enqueue(alertPayload(id: "once"), id: "once")
            let claimed = try #require(try slow.claim(timeout: .seconds(1)))
            (slow as? RedisBackend)?.abandon()
            sleep(for: .milliseconds(700))
            #expect(try fixture.backend("other").recoverInFlight(includingOwn: false).alerts == 1)
            try slow.giveBack(claimed)
            #expect(try slow.counts().pending == 1)
        }
    }
}

@Suite struct InFlightLedgerTests {
    let a = Array("a".utf8)
    let b = Array("b".utf8)

    @Test func onlyElementsUnheldInTwoAuditsInARowAreGivenBack() {
        let ledger = InFlightLedger()
        ledger.markUncertain()
        ledger.hold(a)
        #expect(ledger.audit(listed: [a, b]).isEmpty)
        #expect(ledger.needsAudit)
        #expect(ledger.audit(listed: [a, b]) == [b])
        #expect(!ledger.needsAudit)
    }

    @Test func anElementThatTurnsOutHeldIsNotGivenBack() {
        let ledger = InFlightLedger()
        ledger.markUncertain()
        #expect(ledger.audit(listed: [a]).isEmpty)
        ledger.hold(a)
        #expect(ledger.audit(listed: [a]).isEmpty)
        #expect(!ledger.needsAudit)
    }

    @Test func duplicatesAreCountedOneByOne() {
        let ledger = InFlightLedger()
        ledger.hold(a)
        #expect(ledger.audit(listed: [a, a]).isEmpty)
        #expect(ledger.audit(listed: [a, a]) == [a])
        ledger.release(a)
        ledger.release(a)
        #expect(ledger.audit(listed: [a]).isEmpty)
    }

    /// A claim sent ahead and still unread holds off every audit after the one that followed its sending;
    /// one sent after the last audit does not, as nothing it moved was listed then.
    @Test func unreadClaimsSentBeforeTheLastAuditHoldOffGivingBack() {
        let ledger = InFlightLedger()
        ledger.markUncertain()
        let early = ledger.claimSent()
        #expect(ledger.audit(listed: [a]).isEmpty)
        #expect(ledger.audit(listed: [a]).isEmpty, "a may be what the unread claim moved")
        #expect(ledger.audit(listed: [a]).isEmpty)
        ledger.claimReplyRead(early)
        #expect(ledger.audit(listed: [a]) == [a], "the reply was read and nobody holds a")

        ledger.markUncertain()
        #expect(ledger.audit(listed: [b]).isEmpty)
        let late = ledger.claimSent()
        #expect(ledger.audit(listed: [b]) == [b], "b was listed before the claim was sent")
        ledger.claimReplyRead(late)
    }
}

/// What `redis-cli MONITOR` sees of one alert's life: one claim, one MULTI/EXEC.
@Suite struct RedisCommandTraceTests {
    @Test func theClaimIsOneBlockingMoveAndTheCompletionOneTransaction() throws {
        try BackendFixture.with(.redis) { (fixture) throws in
            let backend = try fixture.backend("traced")
            try backend.enqueue(alertPayload(id: "traced-1"), id: "traced-1")

            let monitor = Process()
            monitor.executableURL = URL(fileURLWithPath: "/usr/bin/redis-cli")
            monitor.arguments = ["-s", fixture.redis!.socketPath, "MONITOR"]
            let output = Pipe()
            monitor.standardOutput = output
            try monitor.run()
            // redis-cli in MONITOR mode ignores SIGTERM.
            defer {
                kill(monitor.processIdentifier, SIGKILL)
                monitor.waitUntilExit()
            }
            sleep(for: .milliseconds(200))

            let claimed = try #require(try backend.claim(timeout: .seconds(1)))
            try backend.complete(claimed, record: record(for: claimed), summary: summary(for: claimed))
            sleep(for: .milliseconds(200))
            kill(monitor.processIdentifier, SIGKILL)
            let trace = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let commands = trace.split(separator: "\n").compactMap { line -> String? in
                guard let start = line.firstIndex(of: "]") else { return nil }
                return line[line.index(after: start)...].split(separator: " ").first.map {
                    $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
                }
            }
            let life = commands.filter { $0 != "PING" && $0 != "SET" && $0 != "SADD" }
            #expect(life.contains("BLMOVE"))
            let multi = try #require(life.lastIndex(of: "MULTI"))
            #expect(Array(life[multi...]) == ["MULTI", "HSET", "HDEL", "HDEL", "LPUSH", "LTRIM", "LREM", "EXEC"])
        }
    }
}
