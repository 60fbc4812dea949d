import AsyncKit
import Foundation
import Logging
import NIOCore
import NIOPosix
import PeelCore
import PostgresKit
import SQLKit
import SQLiteKit

/// Which database engine a ``Database`` speaks to. Where the two dialects differ, the store writes
/// both statements; it never skips work on one of them.
package enum DatabaseEngine: String, Sendable {
    case sqlite
    case postgres
}

/// Where Peel keeps its data, as read from configuration.
package enum DatabaseLocation: Sendable, Hashable, CustomStringConvertible {
    /// A SQLite file (WAL mode) inside the data folder.
    case sqlite(path: String)
    /// A PostgreSQL server; `searchPath` confines a test run to its own schema.
    case postgres(url: String, searchPath: [String]? = nil)

    /// A description safe for logs: never the password.
    package var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let url, _): "postgres:\(DatabaseURL.redacted(url))"
        }
    }
}

/// A failure to open the database, phrased for the person running Peel.
package struct DatabaseOpenError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}

/// Helpers for `postgres://` URLs.
package enum DatabaseURL {
    /// Checks that `text` is a usable PostgreSQL URL, or says what is wrong with it.
    package static func validatePostgres(_ text: String) throws(DatabaseOpenError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme else {
            throw DatabaseOpenError("PEEL_DATABASE_URL is not a URL; expected postgres://user:password@host:5432/database")
        }
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw DatabaseOpenError(
                "PEEL_DATABASE_URL has scheme '\(scheme)'; expected postgres://user:password@host:5432/database")
        }
        guard let host = components.host, !host.isEmpty else {
            throw DatabaseOpenError("PEEL_DATABASE_URL names no host; expected postgres://user:password@host:5432/database")
        }
        guard let user = components.user, !user.isEmpty else {
            throw DatabaseOpenError("PEEL_DATABASE_URL names no user; expected postgres://user:password@host:5432/database")
        }
        guard components.path.count > 1 else {
            throw DatabaseOpenError("PEEL_DATABASE_URL names no database; expected postgres://user:password@host:5432/database")
        }
    }

    /// The URL with any password replaced by `***`.
    package static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text) else { return "(unparseable URL)" }
        if components.password != nil { components.password = "***" }
        return components.string ?? "(unparseable URL)"
    }
}

/// Peel's handle on its database: a connection pool over SQLite or PostgreSQL that speaks SQLKit.
///
/// `sql` runs each statement on a pooled connection; ``transaction(_:)`` runs a closure on one
/// connection inside `BEGIN IMMEDIATE` (SQLite) or `BEGIN` (PostgreSQL), committing when it
/// returns and rolling back when it throws.
package final class Database: Sendable {
    package let engine: DatabaseEngine
    package let sql: any SQLDatabase
    /// The niceness SQLite's writer thread runs at (``open(_:poolSize:writerNiceness:logger:eventLoopGroup:)``);
    /// nil on PostgreSQL, which has no writer thread.
    package let writerNiceness: Int32?
    private let closePool: @Sendable () async throws -> Void

    private init(
        engine: DatabaseEngine, sql: any SQLDatabase, writerNiceness: Int32? = nil, close: @escaping @Sendable () async throws -> Void
    ) {
        self.engine = engine
        self.sql = sql
        self.writerNiceness = writerNiceness
        self.closePool = close
    }

    /// Opens the database at `location` and checks that it answers. On SQLite, `writerNiceness`
    /// below 0 asks for the writer's thread to run above the threads that serve requests
    /// (decision 0043); where the system refuses, it runs at 0 (``writerNiceness``).
    package static func open(
        _ location: DatabaseLocation, poolSize: Int = 8, writerNiceness: Int32 = 0, logger: Logger,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> Database {
        let database: Database
        switch location {
        case .sqlite(let path):
            // Statements run in place on connections of Peel's own (`SQLiteInPlace.swift`).
            // Every write goes through one connection of its own, with group commit, on a thread
            // of its own (where waiting for the write lock or the disk holds up nobody else); the
            // readers' connections read.
            // First, so that a file that cannot be opened leaves no thread behind.
            let checkpointer: SQLiteCheckpointer
            do {
                checkpointer = try SQLiteCheckpointer(path: path, logger: logger)
            } catch {
                throw DatabaseOpenError("cannot open the database at \(location): \(Self.reason(error)).")
            }
            let thread = DedicatedThread(name: "peel-db-writer", niceness: writerNiceness)
            let readers = SQLiteReaderPool(path: path, keep: max(2, poolSize))
            let loop = eventLoopGroup.any()
            let writer = GroupCommitWriter(logger: logger, executor: thread) {
                let connection = try SQLiteInPlaceConnection(path: path)
                try connection.run("PRAGMA wal_autocheckpoint = \(SQLiteCheckpointer.writerBackstopPages)", [], nil)
                return (SQLiteInPlaceDatabase(connection: connection, logger: logger, eventLoop: loop), { connection.close() })
            }
            let store = SQLiteStoreDatabase(readers: readers, writer: writer, logger: logger, eventLoop: loop)
            database = Database(
                engine: .sqlite, sql: store, writerNiceness: thread.runningNiceness,
                close: {
                    await checkpointer.stop()
                    try await writer.close()
                    readers.close()
                    thread.stop()
                })
        case .postgres(let url, let searchPath):
            try DatabaseURL.validatePostgres(url)
            var configuration: SQLPostgresConfiguration
            do {
                configuration = try SQLPostgresConfiguration(url: url)
            } catch {
                throw DatabaseOpenError("PEEL_DATABASE_URL could not be read: \(String(describing: error))")
            }
            if let searchPath { configuration.searchPath = searchPath }
            let source = PostgresConnectionSource(sqlConfiguration: configuration)
            // Probe with one quiet connection first, so that an unreachable server is reported
            // once, in Peel's words, rather than by the pool's own logging.
            var quiet = logger
            quiet.logLevel = .critical
            do {
                let probe = try await source.makeConnection(logger: quiet, on: eventLoopGroup.any()).get()
                try await probe.close()
            } catch {
                throw DatabaseOpenError(
                    "cannot reach the database at \(location): \(Self.reason(error)). Check that it is running and that the address and credentials are right.")
            }
            let pool = EventLoopGroupConnectionPool(
                source: source,
                maxConnectionsPerEventLoop: connectionsPerLoop(poolSize, loops: eventLoopGroup.makeIterator().reduce(0) { count, _ in count + 1 }),
                requestTimeout: .seconds(10),
                logger: logger, on: eventLoopGroup)
            let pooled = PooledSQLDatabase(pool: pool, dialect: PostgresDialect(), logger: logger) { $0.sql() }
            database = Database(engine: .postgres, sql: pooled, close: { try await pooled.shutdown() })
        }
        do {
            try await database.ping()
        } catch {
            try? await database.close()
            throw DatabaseOpenError(
                "cannot reach the database at \(location): \(Self.reason(error)). Check that it is running and that the address and credentials are right.")
        }
        return database
    }

    /// Runs `body` on one connection in a transaction.
    package func transaction<T: Sendable>(
        _ body: @escaping @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        try await inTransaction(on: sql, engine: engine, body)
    }

    /// Runs `body` on one connection without a transaction (for session-level locks).
    package func withConnection<T: Sendable>(
        _ body: @escaping @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        try await sql.withSession(body)
    }

    /// Keeps the query planner's statistics current: SQLite's `PRAGMA optimize`, which analyses
    /// only the tables whose indexes would gain from it. PostgreSQL's autovacuum does this itself.
    package func optimize() async throws {
        guard engine == .sqlite else { return }
        try await sql.raw("PRAGMA optimize").run()
    }

    package func ping() async throws {
        try await sql.raw("SELECT 1").run()
    }

    /// Closes every pooled connection. Call once, on shutdown.
    package func close() async throws {
        try await closePool()
    }

    private static func reason(_ error: any Error) -> String {
        if let psql = error as? PSQLError, let message = psql.serverInfo?[.message] { return message }
        let text = String(reflecting: error)
        for (needle, reason) in [
            ("Connection refused", "connection refused"), ("timed out", "connection timed out"),
            ("connectTimeout", "connection timed out"), ("resolve", "the host name could not be resolved"),
            ("sslUnsupported", "the server does not offer TLS"),
        ] where text.contains(needle) {
            return reason
        }
        if let psql = error as? PSQLError { return "\(psql.code)" }
        return String(describing: error)
    }
}

/// The pool keeps connections per event loop; `poolSize` is spread over the group's `loops`,
/// rounding up so that every loop has at least one.
private func connectionsPerLoop(_ poolSize: Int, loops: Int) -> Int {
    let loops = max(1, loops)
    return max(1, (poolSize + loops - 1) / loops)
}

/// An `SQLDatabase` that runs each statement on a connection taken from a pool (PostgreSQL), and
/// hands out one connection for a session.
/// `@unchecked Sendable`: AsyncKit's group pool guards its state with a lock and hands each event
/// loop's pool only to that loop, but does not declare itself `Sendable`.
private struct PooledSQLDatabase<Source: ConnectionPoolSource>: SQLDatabase, TransactionRunner, @unchecked Sendable {
    let pool: EventLoopGroupConnectionPool<Source>
    let dialect: any SQLDialect
    let logger: Logger
    let toSQL: @Sendable (Source.Connection) -> any SQLDatabase

    var eventLoop: any EventLoop { pool.eventLoopGroup.any() }

    func shutdown() async throws { try await pool.shutdownAsync() }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        pool.withConnection(logger: logger) { connection in
            toSQL(connection).execute(sql: query, onRow)
        }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await withSession { try await $0.execute(sql: query, onRow) }
    }

    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await withSession { session in try await runTransaction(on: session, begin: "BEGIN", body) }
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let connection = try await pool.requestConnection(logger: logger).get()
        do {
            let result = try await closure(toSQL(connection))
            pool.releaseConnection(connection, logger: logger)
            return result
        } catch {
            pool.releaseConnection(connection, logger: logger)
            throw error
        }
    }
}

/// Peel's SQLite database: a statement that begins with `SELECT` runs in place on a reader's
/// connection; any other statement, and every transaction, goes to the group-commit writer. A
/// session holds one reader's connection for its length (migrations take their lock on one).
private struct SQLiteStoreDatabase: SQLiteAsyncDatabase, TransactionRunner {
    let readers: SQLiteReaderPool
    let writer: GroupCommitWriter
    let logger: Logger
    let eventLoop: any EventLoop

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        let (sql, values) = try sqliteText(of: query, serializedBy: self)
        if Self.startsWithSelect(sql) {
            try readers.withConnection { try $0.run(sql, values: values, onRow) }
        } else {
            // The writer runs the text and values made here rather than making them again on its
            // own thread.
            let statement = SQLiteStatement(sql: sql, values: values)
            try await writer.transaction { try await $0.execute(sql: statement, onRow) }
        }
    }

    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await writer.transaction(body)
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let connection = try readers.take()
        defer { readers.give(connection) }
        return try await closure(SQLiteInPlaceDatabase(connection: connection, logger: logger, eventLoop: eventLoop))
    }

    /// Whether `text` only reads: a statement that begins with `SELECT`. Anything else, `WITH`
    /// included, is treated as a write.
    static func startsWithSelect(_ text: String) -> Bool {
        let trimmed = text.utf8.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        guard trimmed.count >= 6 else { return false }
        return zip(trimmed.prefix(6), "select".utf8).allSatisfy { pair in pair.0 | 0x20 == pair.1 }
    }
}

/// A whole statement already turned into SQL text and binds for its database on the caller's
/// thread, so that the session that runs it only sends it. On SQLite, ``ready(_:for:)`` makes an
/// ``SQLiteStatement`` instead, whose values are SQLite's already, for the single writer to run
/// as it is. Only ever a statement on its own, never part of another: its placeholders are
/// numbered from the first.
package struct SerializedStatement: SQLExpression {
    let sql: String
    let binds: [any Encodable & Sendable]

    /// `query` as `db` writes it.
    package init(_ query: any SQLExpression, for db: any SQLDatabase) {
        (sql, binds) = db.serialize(query)
    }

    /// `statement` made ready for `db` on the caller's thread: on SQLite, whose placeholder is
    /// `?`, its text as it is with its values as SQLite's (an ``SQLiteStatement``); elsewhere as
    /// `db` serialises it.
    package static func ready(_ statement: BoundSQL, for db: any SQLDatabase) throws -> any SQLExpression {
        guard db.dialect.name == "sqlite" else { return SerializedStatement(statement, for: db) }
        let (sql, values) = try sqliteText(of: statement, serializedBy: db)
        return SQLiteStatement(sql: sql, values: values)
    }

    package func serialize(to serializer: inout SQLSerializer) {
        serializer.write(sql)
        serializer.binds += binds
    }
}

/// Runs `body` as one transaction of `db`, committing when it returns and rolling back when it
/// throws. On SQLite the group-commit writer runs it (inside a savepoint when `db` is already a
/// transaction's session); elsewhere it runs on one session between `BEGIN` and `COMMIT`.
package func inTransaction<T: Sendable>(
    on db: any SQLDatabase, engine: DatabaseEngine,
    _ body: @escaping @Sendable (any SQLDatabase) async throws -> T
) async throws -> T {
    if let runner = db as? any TransactionRunner { return try await runner.transaction(body) }
    // A bare connection (migrations hold one for their lock): SQLite takes the write lock at the
    // start so that another writer waits through the busy timeout rather than failing on
    // upgrading a read lock.
    let begin = engine == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN"
    return try await db.withSession { session in try await runTransaction(on: session, begin: begin, body) }
}

private func runTransaction<T: Sendable>(
    on session: any SQLDatabase, begin: String, _ body: @escaping @Sendable (any SQLDatabase) async throws -> T
) async throws -> T {
    try await session.raw("\(unsafeRaw: begin)").run()
    do {
        let result = try await body(TransactionSession(db: session, depth: 1))
        try await session.raw("COMMIT").run()
        return result
    } catch {
        try? await session.raw("ROLLBACK").run()
        throw error
    }
}
