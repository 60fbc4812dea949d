import SQLKit

/// A statement's SQL text, with `?` where each value is bound, and the values in order: what a
/// submission writes, built without SQLKit's query string (a fragment and a boxed value for every
/// bind, then a serialiser's pass over them), since every report's submission builds some sixty.
///
/// On SQLite, whose placeholder is `?`, the text is run as it is, and its text and whole-number
/// values are bound as they are, with no cast to find out what each is; on PostgreSQL it is
/// serialised, each `?` outside a quoted literal becoming that database's placeholder. So its text
/// holds no `?` of its own outside quotes.
package struct BoundSQL: SQLExpression, ExpressibleByStringInterpolation {
    package private(set) var sql: String
    package private(set) var values: [Value]

    /// A bound value: text and whole numbers as themselves (most of what Peel binds), anything
    /// else (a nil, a date) as the `Encodable` it was given as, so that each database encodes it as
    /// it would have.
    package enum Value: Sendable {
        case text(String)
        case integer(Int)
        case other(any Encodable & Sendable)

        /// The value as SQLKit's binds hold it.
        package var encodable: any Encodable & Sendable {
            switch self {
            case .text(let text): text
            case .integer(let number): number
            case .other(let value): value
            }
        }
    }

    /// The values as SQLKit's binds hold them.
    package var binds: [any Encodable & Sendable] { values.map(\.encodable) }

    package init(stringLiteral value: String) {
        sql = value
        values = []
    }

    package init(stringInterpolation: StringInterpolation) {
        sql = stringInterpolation.sql
        values = stringInterpolation.values
    }

    package struct StringInterpolation: StringInterpolationProtocol {
        var sql = ""
        var values: [Value] = []

        package init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity + interpolationCount)
            values.reserveCapacity(interpolationCount)
        }

        package mutating func appendLiteral(_ literal: String) { sql += literal }

        package mutating func appendInterpolation(bind value: String) { bind(.text(value)) }

        package mutating func appendInterpolation(bind value: Int) { bind(.integer(value)) }

        package mutating func appendInterpolation(bind value: Int64) { bind(.integer(Int(value))) }

        /// Text, or a nil that keeps its type (PostgreSQL's placeholder takes it).
        package mutating func appendInterpolation(bind value: String?) { bind(value.map(Value.text) ?? .other(value)) }

        package mutating func appendInterpolation(bind value: some Encodable & Sendable) { bind(.other(value)) }

        /// One placeholder for each of `values`, separated by commas (for `IN (…)`).
        package mutating func appendInterpolation(binds values: [String]) {
            for (index, value) in values.enumerated() {
                sql += index == 0 ? "?" : ", ?"
                self.values.append(.text(value))
            }
        }

        private mutating func bind(_ value: Value) {
            sql += "?"
            values.append(value)
        }
    }

    /// Adds `other`'s text (and its values) to the end of this statement's.
    package mutating func append(_ other: BoundSQL) {
        sql += other.sql
        values += other.values
    }

    package func serialize(to serializer: inout SQLSerializer) {
        var start = sql.startIndex
        var quoted = false
        var next = 0
        for index in sql.utf8.indices {
            switch sql.utf8[index] {
            case UInt8(ascii: "'"): quoted.toggle()
            case UInt8(ascii: "?") where !quoted:
                serializer.write(String(sql[start..<index]))
                serializer.write(bind: values[next].encodable)
                next += 1
                start = sql.utf8.index(after: index)
            default: break
            }
        }
        serializer.write(String(sql[start...]))
    }
}
