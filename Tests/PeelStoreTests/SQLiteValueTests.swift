import Foundation
import SQLKit
import SQLiteKit
import SQLiteNIO
import Synchronization
import Testing

@testable import PeelStore

@Suite("SQLite values bound and read directly")
struct SQLiteValueTests {
    @Test("each bound value becomes the SQLite data sqlite-kit's encoder gives it")
    func binds() throws {
        let encoder = SQLiteDataEncoder()
        let values: [any Encodable & Sendable] = [
            "text", "", "ŵ<b>&", 0, -7, Int.max, Int64(1_700_000_000_000), true, false, String?.none, String?.some("x"),
            Int?.none, Int?.some(3), Int64?.none, Int64?.some(-9), 2.5, Date(timeIntervalSince1970: 86_400.5),
            Data([0, 1, 2]), Bool?.some(true), ["a", "b"],
        ]
        for value in values {
            #expect(try SQLiteInPlaceConnection.data(value) == encoder.encode(value), "\(value)")
        }
    }

    @Test("each column read as text or a number gives what sqlite-kit's decoder gives, and a mismatch fails the same way")
    func reads() throws {
        let columns = SQLiteInPlaceColumns(names: ["text", "number", "nothing", "real", "flag"])
        let data: [SQLiteData] = [.text("ŵy"), .integer(42), .null, .float(1.5), .integer(1)]
        let row = SQLiteInPlaceRow(columns: columns, data: data, decoder: SQLiteDataDecoder())
        let decoder = SQLiteDataDecoder()
        #expect(try row.decode(column: "text", as: String.self) == decoder.decode(String.self, from: data[0]))
        #expect(try row.decode(column: "text", as: String?.self) == "ŵy")
        #expect(try row.decode(column: "number", as: Int.self) == 42)
        #expect(try row.decode(column: "number", as: Int?.self) == 42)
        #expect(try row.decode(column: "number", as: Int64.self) == 42)
        #expect(try row.decode(column: "number", as: Int64?.self) == 42)
        #expect(try row.decode(column: "flag", as: Bool.self) == decoder.decode(Bool.self, from: data[4]))
        #expect(try row.decode(column: "nothing", as: String?.self) == nil)
        #expect(try row.decode(column: "nothing", as: Int?.self) == nil)
        #expect(try row.decode(column: "nothing", as: Int64?.self) == nil)
        #expect(try row.decode(column: "real", as: Double.self) == 1.5)
        #expect(throws: (any Error).self) { try row.decode(column: "nothing", as: String.self) }
        #expect(throws: (any Error).self) { try row.decode(column: "text", as: Int.self) }
        #expect(throws: (any Error).self) { try decoder.decode(Int.self, from: data[0]) }
    }
}

@Suite("SQLite's kept statements")
struct SQLiteKeptStatementTests {
    @Test("a kept statement whose bound values differ on every run is not prepared again (a bound LIMIT, a bound subquery)")
    func notPreparedAgain() throws {
        try withConnection { connection in try preparedOnce(connection) }
    }

    /// Runs `body` with a connection to a new database file, removed afterwards.
    private func withConnection(_ body: (SQLiteInPlaceConnection) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("peel-kept-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let connection = try SQLiteInPlaceConnection(path: folder.appendingPathComponent("kept.sqlite").path)
        defer { connection.close() }
        try body(connection)
    }

    private func preparedOnce(_ connection: SQLiteInPlaceConnection) throws {
        try connection.run("CREATE TABLE events (report TEXT NOT NULL, position INTEGER NOT NULL)", [], nil)
        try connection.run("CREATE UNIQUE INDEX events_report ON events (report, position)", [], nil)
        let insert = """
            INSERT INTO events (report, position)
            VALUES (?1, (SELECT COALESCE(MAX(position), 0) + 1 FROM events WHERE report = ?2))
            """
        let select = "SELECT position FROM events WHERE report = ?1 ORDER BY position LIMIT ?2"
        let found = Mutex<[Int]>([])
        for run in 0..<6 {
            let report = "R\(run % 2)"
            try connection.run(insert, [report, report], nil)
            found.withLock { $0 = [] }
            try connection.run(select, [report, max(1, run / 2)]) { row in
                let position = try? row.decode(column: "position", as: Int.self)
                found.withLock { $0.append(position ?? -1) }
            }
            #expect(found.withLock { $0 } == Array(1...max(1, run / 2)))  // of 1...(run / 2 + 1) kept
        }
        #expect(connection.timesPreparedAgain(insert) == 0)
        #expect(connection.timesPreparedAgain(select) == 0)
    }

    @Test("a connection keeps its temporary files in memory: the statement journal of each savepoint group commit opens is never written to disk")
    func temporaryFilesInMemory() throws {
        try withConnection { connection in
            let store = Mutex<Int?>(nil)
            try connection.run("PRAGMA temp_store", []) { row in
                let value = try? row.decode(column: "temp_store", as: Int.self)
                store.withLock { $0 = value }
            }
            #expect(store.withLock { $0 } == 2)  // MEMORY
        }
    }
}
