import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import SQLiteKit
import Testing

@testable import PeelStore

@Suite("Statements built as text with their values (BoundSQL)")
struct BoundSQLTests {
    /// A database that only speaks a dialect: what serialising needs.
    struct Dialect: SQLDatabase {
        let dialect: any SQLDialect
        var logger: Logger { Logger(label: "bound-sql-test") }
        var eventLoop: any EventLoop { MultiThreadedEventLoopGroup.singleton.any() }
        func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
            eventLoop.makeFailedFuture(StoreDataError("not a database"))
        }
    }

    static func both(id: String, terms: [String], note: String?) -> (bound: BoundSQL, query: SQLQueryString) {
        var bound: BoundSQL = "INSERT INTO t (id, state, note) VALUES (\(bind: id), 'ready?', \(bind: note))"
        var query: SQLQueryString = "INSERT INTO t (id, state, note) VALUES (\(bind: id), 'ready?', \(bind: note))"
        for term in terms {
            bound.append(", (\(bind: term), 'it''s ? here', \(bind: 7))")
            query.appendInterpolation(", (\(bind: term), 'it''s ? here', \(bind: 7))" as SQLQueryString)
        }
        return (bound, query)
    }

    /// A bound value's description, an optional's being what it holds (or "nil").
    static func plain(_ value: any Encodable & Sendable) -> String {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return "\(value)" }
        return mirror.children.first.map { "\($0.value)" } ?? "nil"
    }

    @Test("on each database it is the same SQL, with the same values in the same order, as SQLKit's query string gives")
    func sameAsQueryString() throws {
        for dialect in [SQLiteDialect() as any SQLDialect, PostgresDialect()] {
            let db = Dialect(dialect: dialect)
            for (terms, note) in [([], nil), (["a"], "n"), (["a", "b", "c"], nil)] as [([String], String?)] {
                let (bound, query) = Self.both(id: "x1", terms: terms, note: note)
                let expected = db.serialize(query)
                let statement = try SerializedStatement.ready(bound, for: db)
                if dialect.name == "sqlite" {
                    // SQLite numbers nothing when run as it is: its `?N` and a bare `?` in order are
                    // the same. Its values are SQLite's already, as its encoder makes them.
                    let ready = try #require(statement as? SQLiteStatement)
                    #expect(ready.sql == expected.sql.replacing(/\?\d+/, with: "?"))
                    #expect(ready.values == (try expected.binds.map { try SQLiteDataEncoder().encode($0) }))
                } else {
                    let ready = try #require(statement as? SerializedStatement)
                    #expect(ready.sql == expected.sql)
                    // A text that was given as an optional is bound as the text it holds.
                    #expect(ready.binds.map(Self.plain) == expected.binds.map(Self.plain))
                }
                let serialised = db.serialize(bound)
                #expect(serialised.sql == expected.sql, "\(dialect.name)")
                #expect(serialised.binds.count == expected.binds.count, "\(dialect.name)")
            }
        }
        // PostgreSQL numbers its placeholders; a `?` inside a quoted literal stays as it is.
        let postgres = try #require(
            try SerializedStatement.ready(Self.both(id: "x", terms: ["a"], note: nil).bound, for: Dialect(dialect: PostgresDialect()))
                as? SerializedStatement)
        #expect(postgres.sql == "INSERT INTO t (id, state, note) VALUES ($1, 'ready?', $2), ($3, 'it''s ? here', $4)")
    }
}
