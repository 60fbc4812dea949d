import Foundation
import PeelCore
import PeelTestSupport
import SQLKit
import Synchronization
import Testing

@testable import PeelStore

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
                names.withLock { _ = $0.insert(currentThreadName()) }
                seen.withLock { $0.append(value) }
            }.value
        }
        #expect(seen.withLock { $0 } == Array(0..<50))
        #expect(names.withLock { $0 } == ["peel-test-wr"])
    }

    @Test("on SQLite a durable transaction runs on the writer's own thread; a deferred one, with the writer idle, on the caller's")
    func transactionsOnWriterThread() async throws {
        try await withTestStore(.sqlite) { store in
            let durable = try await inTransaction(on: store.database.sql, engine: .sqlite) { db in
                try await db.raw("CREATE TABLE writer_thread_check (id INTEGER PRIMARY KEY)").run()
                return currentThreadName()
            }
            #expect(durable == "peel-db-writer")
            let deferred = try await withDeferredDurability {
                try await inTransaction(on: store.database.sql, engine: .sqlite) { db in
                    try await db.raw("INSERT INTO writer_thread_check (id) VALUES (1)").run()
                    return currentThreadName()
                }
            }
            #expect(deferred != "peel-db-writer")
            #expect(!deferred.isEmpty)
            let ids = try await store.database.sql.raw("SELECT id FROM writer_thread_check").all()
            #expect(ids.count == 1)
        }
    }

    @Test("a deferred write that finds the write lock held by another process waits for it on the writer's thread, and is kept")
    func deferredWriteBehindAnotherWriter() async throws {
        try await withTestStore(.sqlite) { store in
            let db = store.database.sql
            try await db.raw("CREATE TABLE lock_probe (id INTEGER PRIMARY KEY)").run()
            let path = try #require(
                try await db.raw("SELECT file FROM pragma_database_list WHERE name = 'main'").first()?.decode(column: "file", as: String.self))
            // A second handle on the same file writes as another process would: its transaction
            // holds SQLite's write lock until the gate opens.
            let other = try await Database.open(.sqlite(path: path), poolSize: 1, logger: testLogger)
            let locked = Gate()
            let release = Gate()
            let holder = Task {
                try await other.transaction { tx in
                    try await tx.raw("INSERT INTO lock_probe (id) VALUES (1)").run()
                    await locked.open()
                    await release.wait()
                    return 0
                }
            }
            await locked.wait()
            let finished = Mutex(false)
            let writer = Task {
                let name = try await withDeferredDurability {
                    try await inTransaction(on: db, engine: .sqlite) { tx in
                        try await tx.raw("INSERT INTO lock_probe (id) VALUES (2)").run()
                        return currentThreadName()
                    }
                }
                finished.withLock { $0 = true }
                return name
            }
            try await Task.sleep(for: .milliseconds(200))
            #expect(!finished.withLock { $0 })
            await release.open()
            _ = try await holder.value
            #expect(try await writer.value == "peel-db-writer")
            let ids = try await db.raw("SELECT id FROM lock_probe ORDER BY id").all().map { try $0.decode(column: "id", as: Int.self) }
            #expect(ids == [1, 2])
            try await other.close()
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
        #expect(low.runningNiceness == 7)
        #expect(ordinary.runningNiceness == 0)
    }

    @Test("a thread asked to run above the ordinary priority says what it runs at: that, where the system allows it, else 0")
    func raisedWhereAllowed() async {
        let raised = DedicatedThread(name: "peel-test-high", niceness: -5)
        defer { raised.stop() }
        let actual = await Task(executorPreference: raised) { @Sendable in
            getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        }.value
        // Root or CAP_SYS_NICE (as in CI) gets -5; an ordinary user, 0. Either way the thread
        // reports the truth.
        #expect(actual == -5 || actual == 0)
        #expect(raised.runningNiceness == actual)
    }

    @Test("a database says what its writer thread runs at: SQLite's, 0 unless asked; PostgreSQL has no writer thread", arguments: TestEngine.all)
    func writerNicenessByEngine(_ engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            switch engine {
            case .sqlite: #expect(store.database.writerNiceness == 0)
            case .postgres: #expect(store.database.writerNiceness == nil)
            }
        }
    }

    @Test("SQLite's writer thread runs at the niceness the database was opened with, and says so")
    func writerNiceness() async throws {
        let scratch = try await ScratchDatabase.make(.sqlite)
        let database = try await Database.open(scratch.location, writerNiceness: 3, logger: testLogger)
        let name = try await inTransaction(on: database.sql, engine: .sqlite) { _ in
            (currentThreadName(), getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0))
        }
        #expect(name.0 == "peel-db-writer")
        #expect(name.1 == 3)
        #expect(database.writerNiceness == 3)
        try await database.close()
        await scratch.remove()
    }
}
