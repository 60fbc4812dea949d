import Logging
import NIOCore
import NIOPosix
import SQLKit
import Synchronization

/// A database handle that runs a transaction itself rather than through `BEGIN` on a session:
/// the SQLite store (which hands it to the group-commit writer), PostgreSQL's pool (one pooled
/// session between `BEGIN` and `COMMIT`) and a session inside a transaction (which nests it in a
/// savepoint).
protocol TransactionRunner: Sendable {
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T
}

/// SQLite's single writer, shared by every write in this process, with group commit.
///
/// SQLite lets one connection write at a time. When several connections try, the losers sleep in
/// SQLite's busy handler (1, 2, 5, 10 ms and longer) and every commit pays for its own `fsync`.
/// Here each write is queued instead; one connection takes everything queued, runs the
/// transactions one after another inside one `BEGIN IMMEDIATE … COMMIT`, and answers every caller
/// only after that commit is durable. When one transaction throws, the whole batch is rolled
/// back, that transaction fails alone, and the others run again in a new transaction: failures
/// are rare, so no savepoint is paid for in the common case. A commit that fails fails everyone
/// in it, so nobody is told "done" for a write that is not on disk. Queued writes of one
/// durability are answered in the order they were queued, each caller on the event loop it asked
/// from (decision 0042).
///
/// A write queued while ``WriteDurability/current`` is `deferred` (a journey's page saved on its
/// way, a job's own writes before the job is marked done) is answered once it is committed and
/// visible, before its `fsync`: the deferred writes of a batch commit first, together, with
/// `synchronous = NORMAL`, and the durable ones after them with `synchronous = FULL`, whose `fsync`
/// of the log carries the deferred frames before it to the disk too. With no durable write behind
/// it, the checkpointer's next pass (``SQLiteCheckpointer/interval``) `fsync`s the log. Concurrent
/// writes have no order between them, so taking a batch's deferred writes first changes nothing
/// another caller could see (decision 0036).
///
/// A deferred write that finds nobody holding the connection (no batch being committed, no other
/// caller's write) is not queued: its caller commits it on its own thread (unless that is a thread
/// of low priority, ``WriteDurability/onCallersThread``), without the hand-off to the writer's
/// thread and back. It waits for no disk, so it holds the caller's thread only as long as its
/// statements take (a page save: about a tenth of a millisecond). What was queued meanwhile is
/// drained by the writer's thread once the caller lets go. When another process holds SQLite's
/// write lock, the caller does not wait for it: its write goes to the queue, and the writer's
/// thread waits (decision 0037).
final class GroupCommitWriter: Sendable {
    /// The most transactions one commit carries.
    static let maxBatch = 256

    private struct Pending: Sendable {
        let durability: WriteDurability
        /// Runs the transaction on the writer's connection, keeping its result; throws what the
        /// transaction threw.
        let run: @Sendable (_ db: any SQLDatabase) async throws -> Void
        /// Answers the caller: `nil` once the commit is durable, otherwise why it failed.
        let finish: @Sendable ((any Error)?) -> Void
        /// The event loop the caller asked from, where it is answered; nil off the event loops (the
        /// job worker's thread, whose tasks go back to it whoever answers them; the command line).
        let home: (any EventLoop)?
    }

    private struct State: ~Copyable {
        var queue: [Pending] = []
        /// Someone holds the connection: the writer's thread committing a batch, or a caller
        /// committing its own deferred write.
        var busy = false
        /// The writer's thread has been asked to drain the queue and has not yet found it empty.
        var scheduled = false
        var connection: (any SQLDatabase)?
        /// The connection's `synchronous` setting is `NORMAL` (for deferred writes), not `FULL`.
        var deferring = false
        var close: (@Sendable () async throws -> Void)?
    }

    private let state = Mutex(State())
    private let open: @Sendable () async throws -> (any SQLDatabase, @Sendable () async throws -> Void)
    private let logger: Logger
    private let executor: any TaskExecutor

    /// `open` makes the writer's own connection, when it is first needed, and says how to close it.
    /// The writer's work runs on `executor` (a ``DedicatedThread``).
    init(
        logger: Logger, executor: any TaskExecutor,
        open: @escaping @Sendable () async throws -> (any SQLDatabase, @Sendable () async throws -> Void)
    ) {
        self.open = open
        self.logger = logger
        self.executor = executor
    }

    /// Runs `body` as one transaction and returns once it is committed. `body` may run more than
    /// once (when another transaction of its batch fails), so it must only read and write the
    /// database it is given.
    func transaction<T: Sendable>(
        durability: WriteDurability = .current, _ body: @escaping @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        if durability == .deferred, WriteDurability.onCallersThread, let db = claimIdle() {
            let outcome = await commitInline(on: db) { try await body(TransactionSession(db: db, depth: 1)) }
            release()
            if let outcome { return try outcome.get() }
        }
        let outcome = Mutex<T?>(nil)
        let home = MultiThreadedEventLoopGroup.currentEventLoop
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let pending = Pending(
                durability: durability,
                run: { db in
                    let value = try await body(TransactionSession(db: db, depth: 1))
                    outcome.withLock { $0 = value }
                },
                finish: { failure in
                    if let failure {
                        continuation.resume(throwing: failure)
                    } else if let value = outcome.withLock({ $0 }) {
                        continuation.resume(returning: value)
                    } else {
                        continuation.resume(throwing: StoreDataError("a queued write finished without an outcome"))
                    }
                },
                home: home)
            enqueue(pending)
        }
    }

    /// Closes the writer's connection; called once, on shutdown, after the last write.
    func close() async throws {
        let close = state.withLock { state in
            let close = state.close
            state.connection = nil
            state.close = nil
            return close
        }
        try await close?()
    }

    private func enqueue(_ pending: Pending) {
        let start = state.withLock { state in
            state.queue.append(pending)
            return Self.schedule(&state)
        }
        if start { Task(executorPreference: executor) { await self.drain() } }
    }

    /// Whether the writer's thread is to be started for what is queued (and notes that it is).
    private static func schedule(_ state: inout State) -> Bool {
        if state.scheduled || state.queue.isEmpty { return false }
        state.scheduled = true
        return true
    }

    /// The writer's connection, claimed for the caller, when nobody else holds it.
    private func claimIdle() -> (any SQLDatabase)? {
        state.withLock { state in
            guard !state.busy, let connection = state.connection else { return nil }
            state.busy = true
            return connection
        }
    }

    /// Gives the claimed connection back; the writer's thread drains what was queued meanwhile.
    private func release() {
        let start = state.withLock { state in
            state.busy = false
            return Self.schedule(&state)
        }
        if start { Task(executorPreference: executor) { await self.drain() } }
    }

    /// Commits one deferred transaction on the caller's thread, with the connection claimed: what
    /// `body` returned or threw, or nil when the transaction could not be begun (another process
    /// holds the write lock), so that it is still to be queued.
    private func commitInline<T: Sendable>(on db: any SQLDatabase, _ body: () async throws -> T) async -> Result<T, any Error>? {
        do {
            try await setSynchronous(deferring: true, on: db)
            // The caller's thread serves requests: it never sleeps in SQLite's busy handler.
            try await db.raw("PRAGMA busy_timeout = 0").run()
            let begun = (try? await db.raw("BEGIN IMMEDIATE").run()) != nil
            try await db.raw("PRAGMA busy_timeout = \(literal: SQLiteInPlaceConnection.busyTimeoutMilliseconds)").run()
            guard begun else { return nil }
        } catch {
            try? await db.raw("ROLLBACK").run()
            return nil
        }
        do {
            let value = try await body()
            try await db.raw("COMMIT").run()
            return .success(value)
        } catch {
            try? await db.raw("ROLLBACK").run()
            return .failure(error)
        }
    }

    /// Sets the connection's `synchronous` for deferred (`NORMAL`) or durable (`FULL`) writes,
    /// when it is not already; called only by whoever holds the connection, between transactions.
    private func setSynchronous(deferring: Bool, on db: any SQLDatabase) async throws {
        guard state.withLock({ $0.deferring }) != deferring else { return }
        try await db.raw(deferring ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL").run()
        state.withLock { $0.deferring = deferring }
    }

    private func drain() async {
        while true {
            let batch = state.withLock { state -> [Pending] in
                // A caller committing its own write hands the queue back to this thread when it is
                // done (`release`).
                if state.queue.isEmpty || state.busy {
                    state.scheduled = false
                    return []
                }
                state.busy = true
                let count = min(state.queue.count, Self.maxBatch)
                let batch = Array(state.queue.prefix(count))
                state.queue.removeFirst(count)
                return batch
            }
            if batch.isEmpty { return }
            // The deferred writes are answered once committed, before the durable ones' `fsync`;
            // the batch's last commit is answered only once the connection is let go, so that a
            // caller answered from this thread finds the writer free for its next write.
            let deferred = batch.filter { $0.durability == .deferred }
            var outcome: (pending: [Pending], failure: (any Error)?) = ([], nil)
            if !deferred.isEmpty { outcome = await commit(deferred, deferring: true) }
            if deferred.count < batch.count {
                Self.answer(outcome.pending, outcome.failure)
                outcome = await commit(batch.filter { $0.durability == .durable }, deferring: false)
            }
            state.withLock { $0.busy = false }
            Self.answer(outcome.pending, outcome.failure)
        }
    }

    /// Answers `pending`, each caller on the event loop it asked from, with one hand-off to each
    /// loop for all of its callers.
    ///
    /// A caller's task is resumed wherever its answer is given. From this thread, SwiftNIO (Swift's
    /// global executor in `peel serve`, decision 0033) would queue it on whichever loop is next,
    /// half the time not the one that serves its connection, and the rest of the request would run
    /// there, handing its response across to the connection's loop. Given on its own loop, the
    /// task goes on where it was (decision 0042).
    private static func answer(_ pending: [Pending], _ failure: (any Error)?) {
        var byLoop: [ObjectIdentifier: (loop: any EventLoop, finishes: [@Sendable ((any Error)?) -> Void])] = [:]
        for item in pending {
            guard let home = item.home else {
                item.finish(failure)
                continue
            }
            byLoop[ObjectIdentifier(home), default: (home, [])].finishes.append(item.finish)
        }
        for (_, group) in byLoop {
            let finishes = group.finishes
            group.loop.execute { for finish in finishes { finish(failure) } }
        }
    }

    /// Commits `batch` as one transaction (or more, when one of it throws), with the connection's
    /// `synchronous` setting for deferred or durable writes. A transaction that throws is answered
    /// at once; the rest are returned with how their commit ended, for the caller to answer.
    private func commit(_ batch: [Pending], deferring: Bool) async -> (pending: [Pending], failure: (any Error)?) {
        var remaining = batch
        while !remaining.isEmpty {
            let db: any SQLDatabase
            do {
                db = try await connection()
                try await setSynchronous(deferring: deferring, on: db)
                try await db.raw("BEGIN IMMEDIATE").run()
            } catch {
                return (remaining, error)
            }
            var failed: (index: Int, error: any Error)?
            for (index, pending) in remaining.enumerated() {
                do {
                    try await pending.run(db)
                } catch {
                    failed = (index, error)
                    break
                }
            }
            if let failed {
                // That transaction fails alone; the others run again without it.
                try? await db.raw("ROLLBACK").run()
                Self.answer([remaining.remove(at: failed.index)], failed.error)
                continue
            }
            do {
                try await db.raw("COMMIT").run()
                return (remaining, nil)
            } catch {
                try? await db.raw("ROLLBACK").run()
                if remaining.count > 1 {
                    logger.error(
                        "group commit failed",
                        metadata: ["transactions": "\(remaining.count)", "error": "\(String(describing: error))"])
                }
                return (remaining, error)
            }
        }
        return ([], nil)
    }

    private func connection() async throws -> any SQLDatabase {
        if let connection = state.withLock({ $0.connection }) { return connection }
        let (connection, close) = try await open()
        state.withLock { state in
            state.connection = connection
            state.deferring = false
            state.close = close
        }
        return connection
    }
}

/// Whether the caller of a write is answered only once it is on disk, or once it is committed.
///
/// A deferred write is on disk within a quarter of a second (the next durable commit or the
/// checkpointer's next pass), and every write committed before a durable one is on disk when that
/// one is. It survives the process being killed (its frames are already the operating system's
/// when it is answered); only a loss of power inside that quarter second loses it, whole, never
/// torn. So it is for what would be done again after such a loss: a journey's page saved on its
/// way (the person gives it again), a job's own writes (the job is marked done, durably, only after
/// them, so it runs again). Never for what a person is told is received. Only SQLite's
/// group-commit writer defers; on PostgreSQL every commit is durable (decision 0036).
package enum WriteDurability: Sendable {
    case durable
    case deferred

    /// The durability of writes made in the current task; `durable` unless set with
    /// ``withDeferredDurability(_:)``.
    @TaskLocal package static var current: WriteDurability = .durable

    /// Whether a deferred write may be committed on the caller's own thread when the writer's
    /// connection is free (decision 0037). Not for a thread of low priority (the job worker's): the
    /// threads serving requests could take the cores from it while it holds the connection, and
    /// every write of the node would wait behind it.
    @TaskLocal package static var onCallersThread = true
}

/// Runs `body` with its writes' durability deferred (``WriteDurability``); `onCallersThread`
/// false leaves their commits to the writer's thread.
package func withDeferredDurability<T: Sendable>(onCallersThread: Bool = true, _ body: () async throws -> T) async rethrows -> T {
    try await WriteDurability.$current.withValue(.deferred) {
        try await WriteDurability.$onCallersThread.withValue(onCallersThread, operation: body)
    }
}

/// A transaction's connection as its body sees it (the group-commit writer's, or a pooled
/// PostgreSQL session's): statements run on it directly, and a transaction begun inside the body
/// becomes a savepoint.
struct TransactionSession: SQLDatabase, TransactionRunner {
    let db: any SQLDatabase
    let depth: Int

    var logger: Logger { db.logger }
    var eventLoop: any EventLoop { db.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { db.version }
    var dialect: any SQLDialect { db.dialect }
    var queryLogLevel: Logger.Level? { db.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        db.execute(sql: query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await db.execute(sql: query, onRow)
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }

    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let name = "peel_nested_\(depth)"
        try await db.raw("SAVEPOINT \(unsafeRaw: name)").run()
        do {
            let value = try await body(TransactionSession(db: db, depth: depth + 1))
            try await db.raw("RELEASE \(unsafeRaw: name)").run()
            return value
        } catch {
            try await db.raw("ROLLBACK TO \(unsafeRaw: name)").run()
            try await db.raw("RELEASE \(unsafeRaw: name)").run()
            throw error
        }
    }
}
