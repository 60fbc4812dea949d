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

    @Test("on each database it is the same SQL, with the same values in the same order, as SQLKit's query string gives")
    func sameAsQueryString() throws {
        for dialect in [SQLiteDialect() as any SQLDialect, PostgresDialect()] {
            let db = Dialect(dialect: dialect)
            for (terms, note) in [([], nil), (["a"], "n"), (["a", "b", "c"], nil)] as [([String], String?)] {
                let (bound, query) = Self.both(id: "x1", terms: terms, note: note)
                let expected = db.serialize(query)
                let statement = SerializedStatement(bound, for: db)
                // SQLite numbers nothing when run as it is: its `?N` and a bare `?` in order are the same.
                let unnumbered = dialect.name == "sqlite" ? expected.sql.replacing(/\?\d+/, with: "?") : expected.sql
                #expect(statement.sql == unnumbered, "\(dialect.name)")
                #expect(statement.binds.map { "\($0)" } == expected.binds.map { "\($0)" }, "\(dialect.name)")
                let serialised = db.serialize(bound)
                #expect(serialised.sql == expected.sql, "\(dialect.name)")
                #expect(serialised.binds.count == expected.binds.count, "\(dialect.name)")
            }
        }
        // PostgreSQL numbers its placeholders; a `?` inside a quoted literal stays as it is.
        let postgres = SerializedStatement(Self.both(id: "x", terms: ["a"], note: nil).bound, for: Dialect(dialect: PostgresDialect()))
        #expect(postgres.sql == "INSERT INTO t (id, state, note) VALUES ($1, 'ready?', $2), ($3, 'it''s ? here', $4)")
    }
}
