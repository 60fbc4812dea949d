/// The identifier of a force or policing body, equal to its data.police.uk force id where one
/// exists (`metropolitan`, `north-wales`, `btp`).
///
/// A `ForceID` is always well formed: lowercase letters, digits and single hyphens, 2 to 40
/// characters. Constructing one from untrusted text goes through ``init(validating:)``.
package struct ForceID: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    package let rawValue: String

    /// Accepts `text` only when it has the shape of a force id; otherwise `nil`.
    package init?(validating text: String) {
        guard Self.isWellFormed(text) else { return nil }
        self.rawValue = text
    }

    /// For ids written in Peel's own source (the registry, tests): a malformed literal is a
    /// programming error.
    package init(_ literal: StaticString) {
        let text = literal.description
        precondition(Self.isWellFormed(text), "malformed force id literal \(text)")
        self.rawValue = text
    }

    package var description: String { rawValue }

    package static func < (lhs: ForceID, rhs: ForceID) -> Bool { lhs.rawValue < rhs.rawValue }

    package init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = ForceID(validating: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "malformed force id \(text)"))
        }
        self = id
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    static func isWellFormed(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (2...40).contains(bytes.count), bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-")
        else { return false }
        var previousWasHyphen = false
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                previousWasHyphen = false
            case UInt8(ascii: "-"):
                if previousWasHyphen { return false }
                previousWasHyphen = true
            default:
                return false
            }
        }
        return true
    }
}
