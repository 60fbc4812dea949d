import Foundation
import Logging
import PeelCore
import PeelStore
import PeelTestSupport
import SQLKit
import Synchronization
import Testing

@Suite("Writes with deferred durability")
struct DeferredDurabilityTests {
    struct Refused: Error {}

    @Test("deferred writes commit without waiting for fsync, durable ones beside them with it, and one that throws fails alone")
    func writerSplitsBatches() async throws {
        try await withTestStore(.sqlite) { store in
            let database = store.database
            try await database.sql.raw("CREATE TABLE probe (id INTEGER PRIMARY KEY, deferred INTEGER NOT NULL)").run()

            // SQLite's `synchronous` as each transaction saw it: 1 is NORMAL (no fsync at commit), 2 FULL.
            let seen = await withTaskGroup(of: (Int, Int?).self) { group in
                for index in 0..<60 {
                    let deferred = index % 2 == 0
                    group.addTask {
                        let body: @Sendable (any SQLDatabase) async throws -> Int = { tx in
                            let level = try await tx.raw("PRAGMA synchronous").first()?.decode(column: "synchronous", as: Int.self) ?? -1
                            try await tx.raw("INSERT INTO probe (id, deferred) VALUES (\(bind: index), \(bind: deferred ? 1 : 0))").run()
                            if index == 30 { throw Refused() }
                            return level
                        }
                        let level = deferred
                            ? try? await withDeferredDurability { try await database.transaction(body) }
                            : try? await database.transaction(body)
                        return (index, level)
                    }
                }
                var seen: [Int: Int?] = [:]
                for await (index, level) in group { seen[index] = level }
                return seen
            }
            for index in 0..<60 where index != 30 {
                #expect(seen[index] == (index % 2 == 0 ? 1 : 2), "transaction \(index)")
            }
            #expect(seen[30] == .some(nil))
            let ids = try await database.sql.raw("SELECT id FROM probe ORDER BY id").all().map { try $0.decode(column: "id", as: Int.self) }
            #expect(ids == Array(0..<60).filter { $0 != 30 })
            // After deferred writes, a durable one alone still commits with fsync.
            #expect(try await Self.synchronousLevel(database) == 2)
        }
    }

    @Test("a deferred write is committed and readable once it returns, and inside a transaction is undone with it", arguments: TestEngine.all)
    func deferredStatement(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let db = store.database.sql
            try await db.raw("CREATE TABLE deferred_probe (id INTEGER PRIMARY KEY)").run()
            try await withDeferredDurability { try await db.raw("INSERT INTO deferred_probe (id) VALUES (1)").run() }
            let failed = try? await withDeferredDurability {
                try await store.database.transaction { tx in
                    try await tx.raw("INSERT INTO deferred_probe (id) VALUES (2)").run()
                    throw Refused()
                }
            }
            #expect(failed == nil)
            await #expect(throws: (any Error).self) {
                try await withDeferredDurability { try await db.raw("INSERT INTO deferred_probe (id) VALUES (1)").run() }
            }
            let ids = try await db.raw("SELECT id FROM deferred_probe ORDER BY id").all().map { try $0.decode(column: "id", as: Int.self) }
            #expect(ids == [1])
            if case .sqlite = engine {
                // Through the store as the rest of Peel writes: deferred inside, durable outside.
                let levels = try await [
                    withDeferredDurability { try await Self.synchronousLevel(store.database) },
                    Self.synchronousLevel(store.database),
                ]
                #expect(levels == [1, 2])
            }
        }
    }

    @Test("a job's own writes are deferred and committed by the writer's thread, and writes outside it are durable")
    func jobWritesDeferred() async throws {
        try await withTestStore(.sqlite) { store in
            let seen = Mutex<Int?>(nil)
            let thread = Mutex<String?>(nil)
            let handler = ProbeHandler(
                record: { _, level in seen.withLock { $0 = level } },
                level: {
                    // The job's writes are committed by the writer's thread, never by the job's
                    // own thread of low priority.
                    let (level, name) = try await store.database.transaction { tx in
                        (try await tx.raw("PRAGMA synchronous").first()?.decode(column: "synchronous", as: Int.self), currentThreadName())
                    }
                    thread.withLock { $0 = name }
                    return level
                })
            let id = try await store.jobs.enqueue(NewJob(kind: handler.kind, runAt: Date()))
            let worker = JobWorker(queue: store.jobs, handlers: [handler], settings: .init(name: "w"), logger: Logger(label: "test"))
            #expect(try await worker.runOnce() == 1)
            #expect(seen.withLock { $0 } == 1)
            #expect(thread.withLock { $0 } == "peel-db-writer")
            #expect(try await store.jobs.find(id)?.state == .done)
            #expect(try await Self.synchronousLevel(store.database) == 2)
        }
    }

    /// Reads SQLite's `synchronous` setting inside a transaction of its own, as a job's write would.
    struct ProbeHandler: JobHandler {
        let kind = "probe-durability"
        let record: @Sendable (ClaimedJob, Int?) -> Void
        let level: @Sendable () async throws -> Int?
        func run(_ job: ClaimedJob) async throws { record(job, try await level()) }
    }

    /// SQLite's `synchronous` setting as a transaction of `database` sees it.
    static func synchronousLevel(_ database: Database) async throws -> Int? {
        try await database.transaction { tx in
            try await tx.raw("PRAGMA synchronous").first()?.decode(column: "synchronous", as: Int.self)
        }
    }
}
