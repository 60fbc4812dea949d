import Foundation

/// A fast reader for the data.police.uk archive CSVs: UTF-8, comma-separated, `"`-quoted only
/// when needed (a quote inside a quoted field is doubled), CRLF or LF line endings, an optional
/// byte-order mark. It works on the file's bytes and hands out each record's fields as strings.
package struct CSVReader {
    private let bytes: [UInt8]
    private var position: Int
    /// The line the next record starts on (1-based; the header is line 1).
    package private(set) var line = 1

    package init(bytes: [UInt8]) {
        self.bytes = bytes
        // A UTF-8 byte-order mark is allowed and ignored.
        position = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    package init(contentsOf url: URL) throws {
        self.init(bytes: Array(try Data(contentsOf: url)))
    }

    /// The next record and the line it started on, or `nil` at the end of the file. A blank line
    /// is skipped. A quoted field left open at the end of the file is a `CSVError`.
    package mutating func next() throws(CSVError) -> (line: Int, fields: [String])? {
        while position < bytes.count, bytes[position] == UInt8(ascii: "\n") || bytes[position] == UInt8(ascii: "\r") {
            if bytes[position] == UInt8(ascii: "\n") { line += 1 }
            position += 1
        }
        guard position < bytes.count else { return nil }
        let start = line
        var fields: [String] = []
        fields.reserveCapacity(16)
        while true {
            var field: String
            if position >= bytes.count {
                // The file ends straight after a comma: one last, empty field.
                fields.append("")
                break
            }
            if bytes[position] == UInt8(ascii: "\"") {
                position += 1
                var value: [UInt8] = []
                var closed = false
                while position < bytes.count {
                    let byte = bytes[position]
                    if byte == UInt8(ascii: "\"") {
                        if position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "\"") {
                            value.append(byte)
                            position += 2
                            continue
                        }
                        position += 1
                        closed = true
                        break
                    }
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    value.append(byte)
                    position += 1
                }
                guard closed else { throw CSVError(line: start, reason: "a quoted field is not closed") }
                field = String(decoding: value, as: UTF8.self)
                // Anything between the closing quote and the next separator is kept, as most readers do.
                let rest = position
                while position < bytes.count, !Self.isSeparator(bytes[position]) { position += 1 }
                if position > rest { field += String(decoding: bytes[rest..<position], as: UTF8.self) }
            } else {
                let fieldStart = position
                while position < bytes.count, !Self.isSeparator(bytes[position]) { position += 1 }
                field = String(decoding: bytes[fieldStart..<position], as: UTF8.self)
            }
            fields.append(field)
            if position >= bytes.count { break }
            let separator = bytes[position]
            position += 1
            if separator == UInt8(ascii: ",") { continue }
            // End of the record: LF, CR or CRLF.
            if separator == UInt8(ascii: "\r"), position < bytes.count, bytes[position] == UInt8(ascii: "\n") { position += 1 }
            line += 1
            break
        }
        return (start, fields)
    }

    private static func isSeparator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }
}

/// A CSV file that cannot be read as CSV at all.
package struct CSVError: Error, CustomStringConvertible {
    package let line: Int
    package let reason: String
    package var description: String { "line \(line): \(reason)" }
}

/// Finds columns by their header names, so files whose columns come in another order still read.
package struct CSVHeader {
    private let positions: [String: Int]

    package init(_ fields: [String]) {
        var positions: [String: Int] = [:]
        for (index, name) in fields.enumerated() {
            let key = Self.normalise(name)
            if positions[key] == nil { positions[key] = index }
        }
        self.positions = positions
    }

    /// The position of the column called `name` (compared without case and surrounding spaces).
    package func index(_ name: String) -> Int? { positions[Self.normalise(name)] }

    /// The positions of all `names`, or the first name that is missing.
    package func require(_ names: [String]) -> Result<[Int], MissingColumn> {
        var found: [Int] = []
        for name in names {
            guard let index = index(name) else { return .failure(MissingColumn(name: name)) }
            found.append(index)
        }
        return .success(found)
    }

    static func normalise(_ name: String) -> String {
        name.trimmingCharacters(in: .whitespaces).lowercased()
    }
}

package struct MissingColumn: Error {
    package let name: String
}

extension String {
    /// The string without leading and trailing spaces and tabs; itself, without copying, when it
    /// has none (nearly every archive field), which Foundation's trimming does not do cheaply.
    package var trimmedSpaces: String {
        let utf8 = self.utf8
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
        guard let first = utf8.first, let last = utf8.last, isSpace(first) || isSpace(last) else { return self }
        return trimmingCharacters(in: .whitespaces)
    }
}
