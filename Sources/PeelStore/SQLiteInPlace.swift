import CPeelSQLite
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import SQLKit
import SQLiteKit
import SQLiteNIO
import Synchronization
import VaporCSQLite

/// One SQLite connection whose statements run on the calling thread, prepared once and kept.
///
/// sqlite-nio runs every statement on a thread pool and answers through a future: two thread
/// hand-offs and a fresh `sqlite3_prepare` for each statement. Peel's statements are small and its
/// database sits in the page cache, so a statement costs less than the hand-offs around it. Here
/// a statement runs where it is asked for, from a cache of prepared statements keyed by its text.
/// What can wait on something else (`BEGIN IMMEDIATE` behind another process's writer, the
/// `fsync` of `COMMIT`) runs only on the writer's connection, on its ``DedicatedThread``.
///
/// A connection is used by one caller at a time (the reader pool and the writer see to that); the
/// lock makes a mistake there a wait rather than a corruption.
final class SQLiteInPlaceConnection: @unchecked Sendable {
    /// The most prepared statements kept; statements beyond it are prepared for one use.
    static let statementCacheSize = 512
    /// How long a statement waits for another connection's lock before it fails.
    static let busyTimeoutMilliseconds = 10_000

    private let lock = NIOLock()
    private var handle: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]
    private let decoder = SQLiteDataDecoder()

    /// Opens the file at `path` with Peel's settings: write-ahead logging, `synchronous = FULL`,
    /// foreign keys, an 8 MB page cache and a ten-second busy timeout.
    init(path: String) throws {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI
        let opened = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard opened == SQLITE_OK, let handle else {
            let message = handle.flatMap { sqlite_nio_sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "cannot open"
            sqlite_nio_sqlite3_close(handle)
            throw SQLiteStatementError(code: opened, message: "\(message) (\(path))")
        }
        self.handle = handle
        do {
            // Plans never depend on bound values, so a kept statement is never prepared again
            // because its binds changed (a bound LIMIT or a parameter compared within a
            // subquery made SQLite re-prepare some statements on every run).
            try check(peel_sqlite_enable_qpsg(handle), on: handle)
            for pragma in [
                "PRAGMA busy_timeout = \(Self.busyTimeoutMilliseconds)", "PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL",
                "PRAGMA foreign_keys = ON", "PRAGMA cache_size = -8000", "PRAGMA temp_store = MEMORY",
            ] {
                try run(pragma, [], nil)
            }
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    /// Finalises the kept statements and closes the connection. Later statements fail.
    func close() {
        lock.withLock {
            for statement in statements.values { sqlite_nio_sqlite3_finalize(statement) }
            statements = [:]
            if let handle { sqlite_nio_sqlite3_close_v2(handle) }
            handle = nil
        }
    }

    /// Runs `sql` with `binds`, calling `onRow` for each row.
    func run(_ sql: String, _ binds: [any Encodable & Sendable], _ onRow: (@Sendable (any SQLRow) -> Void)?) throws {
        try run(sql, values: try binds.map(Self.data), onRow)
    }

    /// Runs `sql` with `values` bound in order, calling `onRow` for each row.
    func run(_ sql: String, values: [SQLiteData], _ onRow: (@Sendable (any SQLRow) -> Void)?) throws {
        try lock.withLock {
            guard let handle else { throw SQLiteStatementError(code: SQLITE_MISUSE, message: "the connection is closed") }
            let (statement, kept) = try prepare(sql, on: handle)
            guard let statement else { return }  // only whitespace or a comment
            defer {
                if kept {
                    sqlite_nio_sqlite3_reset(statement)
                    sqlite_nio_sqlite3_clear_bindings(statement)
                } else {
                    sqlite_nio_sqlite3_finalize(statement)
                }
            }
            for (offset, value) in values.enumerated() {
                try check(Self.bind(value, at: Int32(offset + 1), to: statement), on: handle)
            }
            var columns: SQLiteInPlaceColumns?
            while true {
                let stepped = sqlite_nio_sqlite3_step(statement)
                if stepped == SQLITE_DONE { return }
                guard stepped == SQLITE_ROW else { throw SQLiteStatementError(handle: handle, code: stepped) }
                guard let onRow else { continue }
                let names = columns ?? SQLiteInPlaceColumns(statement)
                columns = names
                var data: [SQLiteData] = []
                data.reserveCapacity(names.count)
                for index in 0..<Int32(names.count) { data.append(Self.value(at: index, of: statement)) }
                onRow(SQLiteInPlaceRow(columns: names, data: data, decoder: decoder))
            }
        }
    }

    /// How many times SQLite has prepared the kept statement for `sql` again since it was first
    /// prepared (its `SQLITE_STMTSTATUS_REPREPARE`), or nil when no statement is kept for it.
    func timesPreparedAgain(_ sql: String) -> Int32? {
        lock.withLock { statements[sql].map { sqlite_nio_sqlite3_stmt_status($0, SQLITE_STMTSTATUS_REPREPARE, 0) } }
    }

    private func prepare(_ sql: String, on handle: OpaquePointer) throws -> (OpaquePointer?, kept: Bool) {
        if let statement = statements[sql] { return (statement, true) }
        let keep = statements.count < Self.statementCacheSize
        var statement: OpaquePointer?
        let flags = keep ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let prepared = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, flags, &statement, nil)
        guard prepared == SQLITE_OK else { throw SQLiteStatementError(handle: handle, code: prepared) }
        guard let statement else { return (nil, false) }
        if keep { statements[sql] = statement }
        return (statement, keep)
    }

    private func check(_ code: Int32, on handle: OpaquePointer) throws {
        guard code == SQLITE_OK else { throw SQLiteStatementError(handle: handle, code: code) }
    }

    /// A bound value as SQLite data: the kinds Peel binds most (text, integers, their optionals)
    /// directly, anything else through sqlite-kit's encoder, with the same result either way. The
    /// encoder finds out what a value is by a cast to a protocol, then by encoding it, which cost
    /// more than running a short `INSERT`.
    static func data(_ value: any Encodable & Sendable) throws -> SQLiteData {
        switch value {
        case let text as String: .text(text)
        case let number as Int: .integer(number)
        case let number as Int64: .integer(Int(number))
        case let flag as Bool: .integer(flag ? 1 : 0)
        case let text as String?: text.map(SQLiteData.text) ?? .null
        case let number as Int?: number.map(SQLiteData.integer) ?? .null
        case let number as Int64?: number.map { .integer(Int($0)) } ?? .null
        default: try Self.encoder.encode(value)
        }
    }

    private static func bind(_ value: SQLiteData, at index: Int32, to statement: OpaquePointer) -> Int32 {
        switch value {
        case .blob(let buffer):
            buffer.withUnsafeReadableBytes {
                sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), transient)
            }
        case .float(let number): sqlite_nio_sqlite3_bind_double(statement, index, number)
        case .integer(let number): sqlite_nio_sqlite3_bind_int64(statement, index, Int64(number))
        case .null: sqlite_nio_sqlite3_bind_null(statement, index)
        case .text(let text):
            sqlite_nio_sqlite3_bind_text64(statement, index, text, UInt64(text.utf8.count), transient, UInt8(SQLITE_UTF8))
        }
    }

    private static func value(at index: Int32, of statement: OpaquePointer) -> SQLiteData {
        switch sqlite_nio_sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER: return .integer(SQLiteInt64(sqlite_nio_sqlite3_column_int64(statement, index)))
        case SQLITE_FLOAT: return .float(sqlite_nio_sqlite3_column_double(statement, index))
        case SQLITE_TEXT:
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, index))
            guard let text = sqlite_nio_sqlite3_column_text(statement, index) else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, index))
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            if let bytes = sqlite_nio_sqlite3_column_blob(statement, index) {
                buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: count))
            }
            return .blob(buffer)
        default: return .null
        }
    }

    /// sqlite-kit's encoder, for values of the kinds ``data(_:)`` does not take directly; it keeps
    /// no state.
    private static let encoder = SQLiteDataEncoder()

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

/// A failure reported by SQLite, with its result code and message.
struct SQLiteStatementError: Error, CustomStringConvertible {
    let code: Int32
    let message: String

    init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    init(handle: OpaquePointer, code: Int32) {
        self.code = code
        self.message = sqlite_nio_sqlite3_errmsg(handle).map { String(cString: $0) } ?? "error \(code)"
    }

    var description: String { "SQLite error \(code): \(message)" }
}

/// The column names of a statement's result, looked up by name (the first of a repeated name).
final class SQLiteInPlaceColumns: Sendable {
    let names: [String]
    let offsets: [String: Int]
    var count: Int { names.count }

    convenience init(_ statement: OpaquePointer) {
        let count = Int(sqlite_nio_sqlite3_column_count(statement))
        self.init(names: (0..<count).map { sqlite_nio_sqlite3_column_name(statement, Int32($0)).map { String(cString: $0) } ?? "" })
    }

    /// Columns by name, in order; a repeated name finds its first column.
    init(names: [String]) {
        var offsets: [String: Int] = [:]
        for (index, name) in names.enumerated() where offsets[name] == nil { offsets[name] = index }
        self.names = names
        self.offsets = offsets
    }
}

/// A row read by ``SQLiteInPlaceConnection``, decoded as sqlite-kit decodes its rows.
struct SQLiteInPlaceRow: SQLRow {
    let columns: SQLiteInPlaceColumns
    let data: [SQLiteData]
    let decoder: SQLiteDataDecoder

    var allColumns: [String] { columns.names }

    func contains(column: String) -> Bool { columns.offsets[column] != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let offset = columns.offsets[column] else { return true }
        return data[offset] == .null
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let offset = columns.offsets[column] else {
            throw DecodingError.keyNotFound(
                SQLiteInPlaceKey(column), .init(codingPath: [], debugDescription: "no column \(column) in the row"))
        }
        let value = data[offset]
        // The kinds Peel reads most, directly; anything else, and any value that does not match
        // its kind, through sqlite-kit's decoder (whose errors are kept).
        switch value {
        case .text(let text) where D.self == String.self: return text as! D
        case .text(let text) where D.self == String?.self: return String?.some(text) as! D
        case .integer(let number) where D.self == Int.self: return number as! D
        case .integer(let number) where D.self == Int?.self: return Int?.some(number) as! D
        case .integer(let number) where D.self == Int64.self: return Int64(number) as! D
        case .integer(let number) where D.self == Int64?.self: return Int64?.some(Int64(number)) as! D
        case .null where D.self == String?.self: return String?.none as! D
        case .null where D.self == Int?.self: return Int?.none as! D
        case .null where D.self == Int64?.self: return Int64?.none as! D
        default: return try decoder.decode(D.self, from: value)
        }
    }
}

private struct SQLiteInPlaceKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// An `SQLDatabase` over one ``SQLiteInPlaceConnection``: every statement runs on it, in place.
struct SQLiteInPlaceDatabase: SQLDatabase {
    let connection: SQLiteInPlaceConnection
    let logger: Logger
    let eventLoop: any EventLoop

    var dialect: any SQLDialect { SQLiteDialect() }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        do {
            try run(query, onRow)
            return eventLoop.makeSucceededVoidFuture()
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try run(query, onRow)
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }

    private func run(_ query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) throws {
        let (sql, values) = try sqliteText(of: query, serializedBy: self)
        try connection.run(sql, values: values, onRow)
    }
}

/// `query`'s text and values for SQLite: as they are for a statement already made for it (an
/// ``SQLiteStatement``), the text as it is for a ``BoundSQL`` (`?` is SQLite's placeholder, and
/// its text and whole numbers need no cast to be bound) or a ``SerializedStatement``, and
/// serialised by `db` otherwise.
func sqliteText(of query: any SQLExpression, serializedBy db: any SQLDatabase) throws -> (sql: String, values: [SQLiteData]) {
    if let statement = query as? SQLiteStatement { return (statement.sql, statement.values) }
    if let statement = query as? BoundSQL {
        return (statement.sql, try statement.values.map { try $0.sqliteData })
    }
    let (sql, binds) = (query as? SerializedStatement).map { ($0.sql, $0.binds) } ?? db.serialize(query)
    return (sql, try binds.map(SQLiteInPlaceConnection.data))
}

extension BoundSQL.Value {
    /// The value as SQLite binds it: text and whole numbers as they are, anything else as
    /// ``SQLiteInPlaceConnection/data(_:)`` makes it.
    var sqliteData: SQLiteData {
        get throws {
            switch self {
            case .text(let text): .text(text)
            case .integer(let number): .integer(number)
            case .other(let value): try SQLiteInPlaceConnection.data(value)
            }
        }
    }
}

/// A statement already made into SQLite's text and values, on the caller's thread, for the
/// writer's thread to run as it is.
struct SQLiteStatement: SQLExpression {
    let sql: String
    let values: [SQLiteData]

    func serialize(to serializer: inout SQLSerializer) {
        serializer.write(sql)
        serializer.binds += values
    }
}

/// The connections that read: taken for one statement (or one session) and given back. A
/// connection is opened when none is free, so a reader never waits for another; up to
/// ``keep`` free ones are kept.
final class SQLiteReaderPool: Sendable {
    let keep: Int
    private let path: String
    private let free = Mutex<(connections: [SQLiteInPlaceConnection], closed: Bool)>(([], false))

    init(path: String, keep: Int) {
        self.path = path
        self.keep = keep
    }

    func withConnection<T>(_ body: (SQLiteInPlaceConnection) throws -> T) throws -> T {
        let connection = try take()
        defer { give(connection) }
        return try body(connection)
    }

    func take() throws -> SQLiteInPlaceConnection {
        let (found, closed) = free.withLock { state in (state.connections.popLast(), state.closed) }
        if closed { throw SQLiteStatementError(code: SQLITE_MISUSE, message: "the database is closed") }
        return try found ?? SQLiteInPlaceConnection(path: path)
    }

    func give(_ connection: SQLiteInPlaceConnection) {
        let kept = free.withLock { state in
            guard !state.closed, state.connections.count < keep else { return false }
            state.connections.append(connection)
            return true
        }
        if !kept { connection.close() }
    }

    func close() {
        let connections = free.withLock { state in
            state.closed = true
            defer { state.connections = [] }
            return state.connections
        }
        for connection in connections { connection.close() }
    }
}

/// An SQLite `SQLDatabase` whose statements are async at heart: the future-returning form runs
/// the async one.
protocol SQLiteAsyncDatabase: SQLDatabase {}

extension SQLiteAsyncDatabase {
    var dialect: any SQLDialect { SQLiteDialect() }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        promise.completeWithTask { try await execute(sql: query, onRow) }
        return promise.futureResult
    }
}

/// The yardstick for submissions: durable single-row inserts, one after another, each its own
/// transaction (`fsync`ed), on one connection with Peel's settings and nothing of Peel's around
/// it. Returns inserts a second.
package enum SQLiteRawInserts {
    package static func measure(path: String, seconds: Double) throws -> Double {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let connection = try SQLiteInPlaceConnection(path: path)
        defer { connection.close() }
        try connection.run("CREATE TABLE raw_inserts (id INTEGER PRIMARY KEY, body TEXT NOT NULL)", [], nil)
        let clock = ContinuousClock()
        let started = clock.now
        let deadline = started + .seconds(seconds)
        var count = 0
        while clock.now < deadline {
            try connection.run("INSERT INTO raw_inserts (body) VALUES (?)", ["row \(count)"], nil)
            count += 1
        }
        let elapsed = clock.now - started
        return Double(count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
