import Foundation
import PeelCore

/// What an archive file holds.
package enum SegmentKind: String, Codable, Sendable, CaseIterable {
    case street
    case outcomes
    case stops = "stop-and-search"
}

/// One imported archive file: a kind, a month and a force, stored as a column file.
package struct SegmentInfo: Codable, Sendable, Hashable {
    package var kind: SegmentKind
    package var month: Month
    package var force: String
    package var file: String
    package var rows: Int
    /// Rows with a location come first; the rest are "No Location" rows.
    package var located: Int
    /// The API `id` of the file's first row; the others follow in file order.
    package var baseID: Int64
}

/// A segment opened for reading: its columns, read in place from the mapped file.
///
/// Rows with a location are ordered by grid cell (row of cells, then column), then by location,
/// so every row of cells that a search touches is one contiguous run of rows, found through
/// `cellStart`. Rows without a location follow.
package final class Segment: @unchecked Sendable {
    package let info: SegmentInfo
    let file: ColumnFile
    package let latitude: UnsafeBufferPointer<Int32>
    package let longitude: UnsafeBufferPointer<Int32>
    /// Index into the location registry, or `UInt32.max` for none.
    package let location: UnsafeBufferPointer<UInt32>
    package let ordinal: UnsafeBufferPointer<UInt32>
    // Street and outcome rows.
    package let category: UnsafeBufferPointer<UInt8>
    package let outcome: UnsafeBufferPointer<UInt32>
    package let outcomeMonth: UnsafeBufferPointer<Int32>
    package let persistentID: UnsafeBufferPointer<UInt8>
    package let persistentIDText: UnsafeBufferPointer<UInt32>
    package let context: UnsafeBufferPointer<UInt32>
    /// Rows with a persistent id, ordered by it.
    package let idOrder: UnsafeBufferPointer<UInt32>
    /// Stop and search rows: numbers in `text`, and -1/0/1 for the yes-or-no columns.
    package let stopColumns: [StopColumn: UnsafeBufferPointer<UInt32>]
    package let operation: UnsafeBufferPointer<Int8>
    package let linked: UnsafeBufferPointer<Int8>
    package let removal: UnsafeBufferPointer<Int8>
    /// The segment's strings: outcome names, odd persistent ids, contexts, stop and search text.
    package let text: StringTable
    let cellStart: UnsafeBufferPointer<UInt32>
    let gridX0: Int32, gridY0: Int32, gridWidth: Int32, gridHeight: Int32

    /// British Transport Police rows: `location_type` "BTP".
    package let isBTP: Bool
    /// The month as the API writes it, `YYYY-MM`, ready to copy.
    package let monthBytes: [UInt8]

    init(info: SegmentInfo, url: URL) throws {
        self.info = info
        isBTP = info.force == "btp"
        monthBytes = Array(info.month.description.utf8)
        file = try ColumnFile(url: url)
        latitude = file.column("lat")
        longitude = file.column("lng")
        location = file.column("location")
        ordinal = file.column("ordinal")
        category = file.column("category")
        outcome = file.column("outcome")
        outcomeMonth = file.column("outcomeMonth")
        persistentID = file.column("pid")
        persistentIDText = file.column("pidText")
        context = file.column("context")
        idOrder = file.column("idOrder")
        var stops: [StopColumn: UnsafeBufferPointer<UInt32>] = [:]
        for column in StopColumn.allCases { stops[column] = file.column(column.rawValue) }
        stopColumns = stops
        operation = file.column("operation")
        linked = file.column("linked")
        removal = file.column("removal")
        text = file.strings("text")
        cellStart = file.column("cellStart")
        gridX0 = Int32(file.metadata["gridX0"] ?? "") ?? 0
        gridY0 = Int32(file.metadata["gridY0"] ?? "") ?? 0
        gridWidth = Int32(file.metadata["gridWidth"] ?? "") ?? 0
        gridHeight = Int32(file.metadata["gridHeight"] ?? "") ?? 0
        guard latitude.count == info.rows, longitude.count == info.rows, location.count == info.rows,
            ordinal.count == info.rows, cellStart.count == Int(gridWidth) * Int(gridHeight) + 1 || info.located == 0
        else { throw PoliceDataError.storage("\(info.file) does not match the manifest") }
    }

    /// Calls `body` with each run of located rows whose cells overlap the box (in microdegrees).
    @inline(__always)
    package func forEachRun(
        minLatitude: Int32, maxLatitude: Int32, minLongitude: Int32, maxLongitude: Int32, _ body: (Range<Int>) -> Void
    ) {
        guard info.located > 0 else { return }
        let y0 = max(Grid.cell(minLatitude) - gridY0, 0)
        let y1 = min(Grid.cell(maxLatitude) - gridY0, gridHeight - 1)
        let x0 = max(Grid.cell(minLongitude) - gridX0, 0)
        let x1 = min(Grid.cell(maxLongitude) - gridX0, gridWidth - 1)
        guard y0 <= y1, x0 <= x1 else { return }
        for y in y0...y1 {
            let rowBase = Int(y) * Int(gridWidth)
            let start = Int(cellStart[rowBase + Int(x0)])
            let end = Int(cellStart[rowBase + Int(x1) + 1])
            if start < end { body(start..<end) }
        }
    }

    /// The row with this persistent id (64 hex characters), if the segment has one.
    package func rows(persistentID id: [UInt8]) -> [Int] {
        guard id.count == 32 else { return [] }
        var low = 0
        var high = idOrder.count
        while low < high {
            let middle = (low + high) / 2
            if compare(row: Int(idOrder[middle]), id) < 0 { low = middle + 1 } else { high = middle }
        }
        var found: [Int] = []
        while low < idOrder.count, compare(row: Int(idOrder[low]), id) == 0 {
            found.append(Int(idOrder[low]))
            low += 1
        }
        return found
    }

    private func compare(row: Int, _ id: [UInt8]) -> Int {
        for index in 0..<32 {
            let a = persistentID[row * 32 + index]
            if a != id[index] { return a < id[index] ? -1 : 1 }
        }
        return 0
    }

    /// Whether the row has a persistent id, and its bytes are in `persistentID` (else in text).
    package func hasBinaryID(_ row: Int) -> Bool {
        persistentID.count >= (row + 1) * 32 && (0..<32).contains { persistentID[row * 32 + $0] != 0 }
    }

    /// The API `id` of a row.
    package func apiID(_ row: Int) -> Int64 { info.baseID + Int64(ordinal[row]) }
}

/// The text columns of a stop and search row.
package enum StopColumn: String, CaseIterable, Sendable {
    case type = "s.type"
    case datetime = "s.datetime"
    case operationName = "s.operationName"
    case gender = "s.gender"
    case ageRange = "s.ageRange"
    case selfDefinedEthnicity = "s.selfEthnicity"
    case officerDefinedEthnicity = "s.officerEthnicity"
    case legislation = "s.legislation"
    case objectOfSearch = "s.object"
    case outcome = "s.outcome"
}

/// Persistent ids: 64 hex characters kept as 32 bytes.
package enum PersistentID {
    package static func bytes(_ text: some StringProtocol) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count == 64 else { return nil }
        var result = [UInt8](repeating: 0, count: 32)
        for index in 0..<32 {
            guard let high = Hex.value(utf8[index * 2]), let low = Hex.value(utf8[index * 2 + 1]) else { return nil }
            result[index] = high << 4 | low
        }
        return result.contains { $0 != 0 } ? result : nil
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    package static func appendHex(_ bytes: UnsafeBufferPointer<UInt8>, row: Int, to output: inout [UInt8]) {
        for index in row * 32..<(row * 32 + 32) {
            let byte = bytes[index]
            output.append(hexDigits[Int(byte >> 4)])
            output.append(hexDigits[Int(byte & 15)])
        }
    }
}

/// The registry of snap points (the API's `street`): every distinct latitude, longitude and
/// name seen in any import, numbered in the order first seen. `street.id` is the number plus
/// one, so it stays the same across imports and months.
package final class LocationRegistry: @unchecked Sendable {
    let file: ColumnFile?
    package let latitude: UnsafeBufferPointer<Int32>
    package let longitude: UnsafeBufferPointer<Int32>
    package let name: UnsafeBufferPointer<UInt32>
    package let names: StringTable

    init(url: URL?) throws {
        file = try url.map(ColumnFile.init(url:))
        latitude = file?.column("lat") ?? UnsafeBufferPointer(start: nil, count: 0)
        longitude = file?.column("lng") ?? UnsafeBufferPointer(start: nil, count: 0)
        name = file?.column("name") ?? UnsafeBufferPointer(start: nil, count: 0)
        names = file?.strings("names") ?? StringTable(offsets: .init(start: nil, count: 0), bytes: .init(start: nil, count: 0))
    }

    package var count: Int { latitude.count }

    package func streetName(_ index: UInt32) -> UnsafeBufferPointer<UInt8> { names.utf8(name[Int(index)]) }
}
