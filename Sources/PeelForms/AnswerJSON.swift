import Foundation

/// Journey states and report documents written as JSON directly: every answer a person posts is
/// saved with the journey's whole state, and `JSONEncoder` (through `Codable`'s boxes and key
/// sorting) was a twentieth of a page's cost. The shape is exactly what the synthesised
/// `Codable` conformances read back (`{"text":{"_0":"…"}}` for an answer); object keys are
/// sorted and a set's members too, so the same state is always the same text.
package enum AnswerJSON {
    package static func encode(_ state: JourneyState) -> String {
        var out = Writer()
        out.raw("{\"answers\":")
        out.answers(state.answers)
        out.raw(",\"completed\":")
        out.strings(state.completed.sorted())
        out.raw(",\"declared\":")
        out.raw(state.declared ? "true" : "false")
        out.raw(",\"entries\":")
        out.entries(state.entries)
        out.raw("}")
        return out.text
    }

    package static func encode(_ document: ReportDocument) -> String {
        var out = Writer()
        out.raw("{\"answers\":")
        out.answers(document.answers)
        out.raw(",\"declared\":")
        out.raw(document.declared ? "true" : "false")
        out.raw(",\"entries\":")
        out.entries(document.entries)
        out.raw(",\"service\":")
        out.string(document.service)
        out.raw(",\"version\":")
        out.raw(String(document.version))
        out.raw("}")
        return out.text
    }

    private struct Writer {
        var bytes: [UInt8] = []

        init() { bytes.reserveCapacity(2048) }

        var text: String { String(decoding: bytes, as: UTF8.self) }

        mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

        mutating func string(_ text: String) {
            bytes.append(UInt8(ascii: "\""))
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "\""): raw("\\\"")
                case UInt8(ascii: "\\"): raw("\\\\")
                case 0x0A: raw("\\n")
                case 0x0D: raw("\\r")
                case 0x09: raw("\\t")
                case 0..<0x20:
                    raw("\\u00")
                    bytes.append(Self.hex[Int(byte >> 4)])
                    bytes.append(Self.hex[Int(byte & 0x0F)])
                default: bytes.append(byte)
                }
            }
            bytes.append(UInt8(ascii: "\""))
        }

        mutating func strings(_ values: [String]) {
            bytes.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                string(value)
            }
            bytes.append(UInt8(ascii: "]"))
        }

        mutating func object<Value>(_ values: [String: Value], _ write: (inout Writer, Value) -> Void) {
            bytes.append(UInt8(ascii: "{"))
            for (index, key) in values.keys.sorted().enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                string(key)
                bytes.append(UInt8(ascii: ":"))
                write(&self, values[key]!)
            }
            bytes.append(UInt8(ascii: "}"))
        }

        mutating func answer(_ answer: Answer) {
            switch answer {
            case .text(let text):
                raw("{\"text\":{\"_0\":")
                string(text)
            case .list(let values):
                raw("{\"list\":{\"_0\":")
                strings(values)
            case .fields(let fields):
                raw("{\"fields\":{\"_0\":")
                object(fields) { $0.string($1) }
            }
            raw("}}")
        }

        mutating func answers(_ answers: [String: Answer]) {
            object(answers) { $0.answer($1) }
        }

        mutating func entries(_ entries: [String: [[String: Answer]]]) {
            object(entries) { out, groups in
                out.bytes.append(UInt8(ascii: "["))
                for (index, group) in groups.enumerated() {
                    if index > 0 { out.bytes.append(UInt8(ascii: ",")) }
                    out.answers(group)
                }
                out.bytes.append(UInt8(ascii: "]"))
            }
        }

        private static let hex = Array("0123456789abcdef".utf8)
    }
}

// MARK: Reading

extension AnswerJSON {
    /// A journey state from its stored JSON, or nil when the text is not one.
    ///
    /// Read directly (every page request reads its journey's state, and every delivery and
    /// confirmation email its report's answers; `JSONDecoder` was a quarter of a delivery's
    /// cost). The result is always `JSONDecoder`'s: whatever the direct reading does not expect
    /// (an unknown shape, a duplicate key, a number that is not a plain integer, a lone
    /// surrogate) is handed to `JSONDecoder`, which decides.
    package static func state(from text: String) -> JourneyState? {
        directState(text) ?? (try? JSONDecoder().decode(JourneyState.self, from: Data(text.utf8)))
    }

    /// A report's answers from their stored JSON, or nil when the text is not a report's; as
    /// ``state(from:)``.
    package static func document(from text: String) -> ReportDocument? {
        directDocument(text) ?? (try? JSONDecoder().decode(ReportDocument.self, from: Data(text.utf8)))
    }

    /// The direct reading alone: nil where `JSONDecoder` is to decide.
    static func directState(_ text: String) -> JourneyState? {
        guard let members = members(text), let answers = members.answers, let entries = members.entries,
            let completed = members.completed, let declared = members.declared
        else { return nil }
        var state = JourneyState()
        state.answers = answers
        state.entries = entries
        state.completed = Set(completed)
        state.declared = declared
        return state
    }

    static func directDocument(_ text: String) -> ReportDocument? {
        guard let members = members(text), let service = members.service, let version = members.version,
            let answers = members.answers, let entries = members.entries, let declared = members.declared
        else { return nil }
        return ReportDocument(service: service, version: version, answers: answers, entries: entries, declared: declared)
    }

    /// The members either shape may have, each read at most once (a repeated one is left to
    /// `JSONDecoder`); others are skipped, as `JSONDecoder` skips them.
    private struct Members {
        var answers: [String: Answer]?
        var entries: [String: [[String: Answer]]]?
        var completed: [String]?
        var declared: Bool?
        var service: String?
        var version: Int?
    }

    private static func members(_ text: String) -> Members? {
        read(text) { reader in
            var members = Members()
            let whole = reader.object { reader, key in
                switch key {
                case "answers": return once(&members.answers) { $0.answers() }
                case "entries": return once(&members.entries) { $0.entries() }
                case "completed": return once(&members.completed) { $0.strings() }
                case "declared": return once(&members.declared) { $0.bool() }
                case "service": return once(&members.service) { $0.string() }
                case "version": return once(&members.version) { $0.integer() }
                default: return reader.skipValue()
                }
                /// Reads a member not read before.
                func once<Value>(_ member: inout Value?, _ value: (inout Reader) -> Value?) -> Bool {
                    guard member == nil, let read = value(&reader) else { return false }
                    member = read
                    return true
                }
            }
            return whole ? members : nil
        }
    }

    private static func read<T>(_ text: String, _ body: (inout Reader) -> T?) -> T? {
        var text = text
        return text.withUTF8 { bytes in
            var reader = Reader(bytes: bytes)
            guard let value = body(&reader), reader.atEnd else { return nil }
            return value
        }
    }

    /// JSON over UTF-8 bytes, for the shapes above; every method returns nil (or false) at
    /// anything it does not expect.
    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        private static let quote = UInt8(ascii: "\"")
        private static let backslash = UInt8(ascii: "\\")

        var atEnd: Bool {
            mutating get {
                skipSpace()
                return index == bytes.count
            }
        }

        private mutating func skipSpace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        private mutating func take(_ byte: UInt8) -> Bool {
            skipSpace()
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        /// An object: `member` reads each member's value after its key.
        mutating func object(_ member: (inout Reader, String) -> Bool) -> Bool {
            guard take(UInt8(ascii: "{")) else { return false }
            if take(UInt8(ascii: "}")) { return true }
            repeat {
                guard let key = string(), take(UInt8(ascii: ":")), member(&self, key) else { return false }
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "}"))
        }

        private mutating func array(_ element: (inout Reader) -> Bool) -> Bool {
            guard take(UInt8(ascii: "[")) else { return false }
            if take(UInt8(ascii: "]")) { return true }
            repeat {
                guard element(&self) else { return false }
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "]"))
        }

        /// An object read as a dictionary; a repeated key is not expected.
        private mutating func dictionary<Value>(_ value: (inout Reader) -> Value?) -> [String: Value]? {
            var result: [String: Value] = [:]
            let whole = object { reader, key in
                guard let read = value(&reader), result.updateValue(read, forKey: key) == nil else { return false }
                return true
            }
            return whole ? result : nil
        }

        mutating func strings() -> [String]? {
            var result: [String] = []
            let whole = array { reader in
                guard let string = reader.string() else { return false }
                result.append(string)
                return true
            }
            return whole ? result : nil
        }

        mutating func answers() -> [String: Answer]? { dictionary { $0.answer() } }

        mutating func entries() -> [String: [[String: Answer]]]? {
            dictionary { reader in
                var groups: [[String: Answer]] = []
                let whole = reader.array { reader in
                    guard let group = reader.answers() else { return false }
                    groups.append(group)
                    return true
                }
                return whole ? groups : nil
            }
        }

        /// `{"text":{"_0":"…"}}`, `{"list":{"_0":[…]}}` or `{"fields":{"_0":{…}}}`.
        private mutating func answer() -> Answer? {
            var answer: Answer?
            let whole = object { reader, kind in
                guard answer == nil else { return false }
                var value: Answer?
                let inner = reader.object { reader, key in
                    guard key == "_0", value == nil else { return false }
                    switch kind {
                    case "text": value = reader.string().map(Answer.text)
                    case "list": value = reader.strings().map(Answer.list)
                    case "fields": value = reader.dictionary { $0.string() }.map(Answer.fields)
                    default: return false
                    }
                    return value != nil
                }
                answer = inner ? value : nil
                return answer != nil
            }
            return whole ? answer : nil
        }

        mutating func bool() -> Bool? {
            skipSpace()
            if matches("true") { return true }
            if matches("false") { return false }
            return nil
        }

        /// A plain integer (`JSONDecoder` decides anything else).
        mutating func integer() -> Int? {
            skipSpace()
            let start = index
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            let digits = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index > digits, index - digits <= 18 else { return nil }
            if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) { return nil }
            return Int(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
        }

        private mutating func matches(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
            index += count
            return true
        }

        mutating func string() -> String? {
            guard take(Self.quote) else { return nil }
            let start = index
            // Most strings hold no escapes: one scan, one copy.
            while index < bytes.count {
                let byte = bytes[index]
                if byte == Self.quote {
                    index += 1
                    return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index - 1]), as: UTF8.self)
                }
                if byte == Self.backslash || byte < 0x20 { break }
                index += 1
            }
            var out = Array(bytes[start..<index])
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case Self.quote:
                    return String(decoding: out, as: UTF8.self)
                case Self.backslash:
                    guard index < bytes.count else { return nil }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case Self.quote, Self.backslash, UInt8(ascii: "/"): out.append(escape)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        guard let scalar = unicodeEscape() else { return nil }
                        out.append(contentsOf: String(Character(scalar)).utf8)
                    default: return nil
                    }
                case 0..<0x20:
                    return nil
                default:
                    out.append(byte)
                }
            }
            return nil
        }

        /// After `\u`: four hex digits, or a surrogate pair's two escapes.
        private mutating func unicodeEscape() -> Unicode.Scalar? {
            guard let high = hex4() else { return nil }
            if (0xDC00...0xDFFF).contains(high) { return nil }
            guard (0xD800...0xDBFF).contains(high) else { return Unicode.Scalar(high) }
            guard index + 2 <= bytes.count, bytes[index] == Self.backslash, bytes[index + 1] == UInt8(ascii: "u") else { return nil }
            index += 2
            guard let low = hex4(), (0xDC00...0xDFFF).contains(low) else { return nil }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        }

        private mutating func hex4() -> UInt32? {
            guard index + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                index += 1
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: return nil
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }

        /// Any value, skipped (a member the shapes above do not read).
        /// Nesting deeper than `depth` allows is left to `JSONDecoder` (and its own limit), so no
        /// text can take the reading's recursion down the stack.
        mutating func skipValue(depth: Int = 32) -> Bool {
            skipSpace()
            guard index < bytes.count, depth > 0 else { return false }
            switch bytes[index] {
            case UInt8(ascii: "{"): return object { reader, _ in reader.skipValue(depth: depth - 1) }
            case UInt8(ascii: "["): return array { $0.skipValue(depth: depth - 1) }
            case Self.quote: return string() != nil
            case UInt8(ascii: "t"), UInt8(ascii: "f"): return bool() != nil
            case UInt8(ascii: "n"): return matches("null")
            default: return false  // a number: rare in an unknown member, left to JSONDecoder
            }
        }
    }
}
