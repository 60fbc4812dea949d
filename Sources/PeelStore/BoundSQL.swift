import SQLKit

/// A statement's SQL text, with `?` where each value is bound, and the values in order: what a
/// submission writes, built without SQLKit's query string (a fragment and a boxed value for every
/// bind, then a serialiser's pass over them), since every report's submission builds some sixty.
///
/// On SQLite, whose placeholder is `?`, the text is run as it is (``SerializedStatement``); on
/// PostgreSQL it is serialised, each `?` outside a quoted literal becoming that database's
/// placeholder. So its text holds no `?` of its own outside quotes.
package struct BoundSQL: SQLExpression, ExpressibleByStringInterpolation {
    package private(set) var sql: String
    package private(set) var binds: [any Encodable & Sendable]

    package init(stringLiteral value: String) {
        sql = value
        binds = []
    }

    package init(stringInterpolation: StringInterpolation) {
        sql = stringInterpolation.sql
        binds = stringInterpolation.binds
    }

    package struct StringInterpolation: StringInterpolationProtocol {
        var sql = ""
        var binds: [any Encodable & Sendable] = []

        package init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity + interpolationCount)
            binds.reserveCapacity(interpolationCount)
        }

        package mutating func appendLiteral(_ literal: String) { sql += literal }

        package mutating func appendInterpolation(bind value: some Encodable & Sendable) {
            sql += "?"
            binds.append(value)
        }

        /// One placeholder for each of `values`, separated by commas (for `IN (…)`).
        package mutating func appendInterpolation(binds values: [some Encodable & Sendable]) {
            for (index, value) in values.enumerated() {
                sql += index == 0 ? "?" : ", ?"
                binds.append(value)
            }
        }
    }

    /// Adds `other`'s text (and its values) to the end of this statement's.
    package mutating func append(_ other: BoundSQL) {
        sql += other.sql
        binds += other.binds
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
                serializer.write(bind: binds[next])
                next += 1
                start = sql.utf8.index(after: index)
            default: break
            }
        }
        serializer.write(String(sql[start...]))
    }
}
