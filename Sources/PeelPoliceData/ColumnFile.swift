import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Peel's file of columns: the on-disk form of one imported slice of police data.
///
/// Layout: the magic `PEELCOL1`, the header's length as a little-endian `UInt64`, the header as
/// JSON (column names with their offsets and lengths, and string metadata), then each column's
/// raw little-endian values starting on an 8-byte boundary. A reader maps the file into memory
/// and reads the columns in place, so opening costs nothing however large the file is.
package struct ColumnFileWriter {
    private var columns: [(name: String, bytes: [UInt8])] = []
    package var metadata: [String: String] = [:]

    package init() {}

    package mutating func add<T: FixedWidthInteger>(_ name: String, _ values: [T]) {
        let bytes = values.withUnsafeBufferPointer { Array(UnsafeRawBufferPointer($0)) }
        columns.append((name, bytes))
    }

    package mutating func add(_ name: String, strings table: StringTableBuilder) {
        add(name + ".offsets", table.offsets)
        columns.append((name + ".bytes", table.bytes))
    }

    /// Writes the file to `url` through a temporary file and a rename, so a reader sees either
    /// the old file or the whole new one.
    package func write(to url: URL) throws {
        var header = Header(columns: [:], metadata: metadata)
        var offset = 0
        for column in columns {
            header.columns[column.name] = [offset, column.bytes.count]
            offset += (column.bytes.count + 7) / 8 * 8
        }
        let headerBytes = Array(try JSONEncoder().encode(header))
        let prefix = 16 + headerBytes.count
        let dataStart = (prefix + 7) / 8 * 8
        var output: [UInt8] = []
        output.reserveCapacity(dataStart + offset)
        output += Array("PEELCOL1".utf8)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { output += $0 }
        output += headerBytes
        output += [UInt8](repeating: 0, count: dataStart - prefix)
        for column in columns {
            output += column.bytes
            output += [UInt8](repeating: 0, count: (column.bytes.count + 7) / 8 * 8 - column.bytes.count)
        }
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        try Data(output).write(to: temporary)
        try syncFile(temporary)
        if rename(temporary.path, url.path) != 0 {
            try? FileManager.default.removeItem(at: temporary)
            throw PoliceDataError.storage("cannot replace \(url.lastPathComponent): \(String(cString: strerror(errno)))")
        }
    }

    struct Header: Codable {
        var columns: [String: [Int]]
        var metadata: [String: String]
    }
}

/// Collects strings once each and gives each its number in the table; 0 is the empty string.
package struct StringTableBuilder {
    private var numbers: [String: UInt32] = ["": 0]
    fileprivate(set) var offsets: [UInt32] = [0, 0]
    fileprivate(set) var bytes: [UInt8] = []

    package init() {}

    package mutating func number(_ text: String) -> UInt32 {
        if let known = numbers[text] { return known }
        let number = UInt32(offsets.count - 1)
        bytes += Array(text.utf8)
        offsets.append(UInt32(bytes.count))
        numbers[text] = number
        return number
    }

    package var count: Int { offsets.count - 1 }
}

/// Flushes a file's contents to disk.
func syncFile(_ url: URL) throws {
    let descriptor = open(url.path, O_RDONLY)
    guard descriptor >= 0 else { throw PoliceDataError.storage("cannot open \(url.lastPathComponent) to sync it") }
    defer { close(descriptor) }
    guard fsync(descriptor) == 0 else { throw PoliceDataError.storage("cannot sync \(url.lastPathComponent)") }
}

/// A column file mapped into memory. It stays mapped while any reader holds it, even after an
/// import has replaced or removed the file.
package final class ColumnFile: @unchecked Sendable {
    private let base: UnsafeRawPointer
    private let size: Int
    private let dataStart: Int
    private let columns: [String: [Int]]
    package let metadata: [String: String]

    package init(url: URL) throws {
        let descriptor = open(url.path, O_RDONLY)
        guard descriptor >= 0 else { throw PoliceDataError.storage("cannot open \(url.lastPathComponent)") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_size >= 16 else {
            throw PoliceDataError.storage("\(url.lastPathComponent) is not a Peel column file")
        }
        size = Int(status.st_size)
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), mapped != MAP_FAILED else {
            throw PoliceDataError.storage("cannot map \(url.lastPathComponent)")
        }
        base = UnsafeRawPointer(mapped)
        let magic = String(decoding: UnsafeRawBufferPointer(start: base, count: 8), as: UTF8.self)
        let headerLength = Int(UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        guard magic == "PEELCOL1", headerLength > 0, 16 + headerLength <= size,
            let header = try? JSONDecoder().decode(
                ColumnFileWriter.Header.self, from: Data(UnsafeRawBufferPointer(start: base + 16, count: headerLength)))
        else {
            munmap(UnsafeMutableRawPointer(mutating: base), size)
            throw PoliceDataError.storage("\(url.lastPathComponent) is not a Peel column file")
        }
        dataStart = (16 + headerLength + 7) / 8 * 8
        columns = header.columns
        metadata = header.metadata
        for (name, range) in columns where range.count != 2 || range[0] < 0 || range[1] < 0 || dataStart + range[0] + range[1] > size {
            munmap(UnsafeMutableRawPointer(mutating: base), size)
            throw PoliceDataError.storage("\(url.lastPathComponent): column \(name) lies outside the file")
        }
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: base), size)
    }

    /// The values of column `name`; empty when the file has no such column.
    package func column<T: FixedWidthInteger>(_ name: String, as type: T.Type = T.self) -> UnsafeBufferPointer<T> {
        guard let range = columns[name] else { return UnsafeBufferPointer(start: nil, count: 0) }
        let pointer = (base + dataStart + range[0]).assumingMemoryBound(to: T.self)
        return UnsafeBufferPointer(start: pointer, count: range[1] / MemoryLayout<T>.stride)
    }

    package func strings(_ name: String) -> StringTable {
        StringTable(offsets: column(name + ".offsets"), bytes: column(name + ".bytes"))
    }
}

/// Strings stored once each, read in place.
package struct StringTable: @unchecked Sendable {
    let offsets: UnsafeBufferPointer<UInt32>
    let bytes: UnsafeBufferPointer<UInt8>

    package var count: Int { max(0, offsets.count - 1) }

    package func utf8(_ number: UInt32) -> UnsafeBufferPointer<UInt8> {
        let index = Int(number)
        guard index + 1 < offsets.count else { return UnsafeBufferPointer(start: nil, count: 0) }
        let start = Int(offsets[index])
        return UnsafeBufferPointer(rebasing: bytes[start..<Int(offsets[index + 1])])
    }

    package subscript(_ number: UInt32) -> String {
        String(decoding: utf8(number), as: UTF8.self)
    }
}

/// What can go wrong opening, importing or querying police data.
package enum PoliceDataError: Error, CustomStringConvertible {
    case storage(String)
    case input(String)

    package var description: String {
        switch self {
        case .storage(let text), .input(let text): text
        }
    }
}
