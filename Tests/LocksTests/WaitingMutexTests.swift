import Foundation
import Locks
import Testing

@Suite struct WaitingMutexTests {
    @Test func threadsThatMeetAtTheLockLoseNoUpdate() {
        let counter = WaitingMutex(0)
        let threads = 8
        let rounds = 20_000
        let group = DispatchGroup()
        for _ in 0..<threads {
            group.enter()
            Thread {
                for _ in 0..<rounds {
                    counter.withLock { $0 += 1 }
                }
                group.leave()
            }.start()
        }
        group.wait()
        #expect(counter.withLock { $0 } == threads * rounds)
    }

    @Test func anErrorThrownInsideLeavesTheLockFree() {
        struct Refused: Error {}
        let value = WaitingMutex("before")
        #expect(throws: Refused.self) {
            try value.withLock { text in
                text = "changed"
                throw Refused()
            }
        }
        #expect(value.withLock { $0 } == "changed")
    }
}
