import Foundation
import SQLKit
import SQLiteKit
import SQLiteNIO
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
            #expect(try SQLiteInPlaceConnection.data(value, encoder: encoder) == encoder.encode(value), "\(value)")
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
