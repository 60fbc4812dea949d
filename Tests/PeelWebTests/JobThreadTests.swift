import Foundation
import HummingbirdTesting
import PeelApp
import PeelCore
import PeelStore
import PeelTestSupport
import Synchronization
import Testing

@Suite("Where a node's jobs run")
struct JobThreadTests {
    /// Where and at which priority the job ran.
    final class Seen: Sendable {
        let value = Mutex<(thread: String, niceness: Int32)?>(nil)
    }

    struct Probe: JobHandler {
        let kind = "test-thread-probe"
        let seen: Seen

        func run(_ job: ClaimedJob) async throws {
            let thread = ((try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "")
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let niceness = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
            seen.value.withLock { $0 = (thread, niceness) }
        }
    }

    @Test("jobs run on the node's job thread, below the priority of the threads serving requests")
    func lowPriorityThread() async throws {
        let seen = Seen()
        let scratch = try await ScratchDatabase.make(.sqlite)
        let configuration = try testConfiguration(scratch)
        let app = try await buildApplication(configuration, logger: testLogger, jobHandlers: [Probe(seen: seen)])
        try await app.test(.router) { _ in
            try await withStore(of: scratch) { store in
                try await store.jobs.enqueue(NewJob(kind: "test-thread-probe", runAt: Date()))
            }
            for _ in 0..<200 where seen.value.withLock({ $0 }) == nil {
                try await Task.sleep(for: .milliseconds(25))
            }
        }
        let ran = try #require(seen.value.withLock { $0 })
        #expect(ran.thread == "peel-jobs")
        #expect(ran.niceness == 10)
        // The test's own threads, like the event loops serving requests, keep the ordinary priority.
        #expect(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) == 0)
        await scratch.remove()
    }
}
