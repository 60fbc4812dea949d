import Foundation
import PeelCore
import PeelTestSupport
import SQLKit
import Synchronization
import Testing

@testable import PeelStore

/// The name of the thread running the caller, as Linux keeps it.
private func threadName() -> String {
    ((try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "")
        .trimmingCharacters(in: .whitespacesAndNewlines)
}

@Suite("SQLite's writer thread")
struct WriterThreadTests {
    @Test("tasks that prefer the writer thread run on it, one job at a time in the order queued")
    func runsInOrder() async throws {
        let thread = DedicatedThread(name: "peel-test-wr")
        defer { thread.stop() }
        let seen = Mutex<[Int]>([])
        let names = Mutex<Set<String>>([])
        for value in 0..<50 {
            await Task(executorPreference: thread) { @Sendable in
                names.withLock { _ = $0.insert(threadName()) }
                seen.withLock { $0.append(value) }
            }.value
        }
        #expect(seen.withLock { $0 } == Array(0..<50))
        #expect(names.withLock { $0 } == ["peel-test-wr"])
    }

    @Test("on SQLite every transaction runs on the writer's own thread, never on one of the shared threads serving requests")
    func transactionsOnWriterThread() async throws {
        try await withTestStore(.sqlite) { store in
            let name = try await inTransaction(on: store.database.sql, engine: .sqlite) { db in
                try await db.raw("CREATE TABLE writer_thread_check (id INTEGER PRIMARY KEY)").run()
                return threadName()
            }
            #expect(name == "peel-db-writer")
        }
    }
}

@Suite("A dedicated thread's priority")
struct DedicatedThreadPriorityTests {
    @Test("a thread given a niceness runs its jobs at it; one without keeps the ordinary priority")
    func niceness() async {
        func niceness(of thread: DedicatedThread) async -> Int32 {
            await Task(executorPreference: thread) { @Sendable in
                getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
            }.value
        }
        let low = DedicatedThread(name: "peel-test-low", niceness: 7)
        let ordinary = DedicatedThread(name: "peel-test-ord")
        defer {
            low.stop()
            ordinary.stop()
        }
        #expect(await niceness(of: low) == 7)
        #expect(await niceness(of: ordinary) == 0)
    }
}
