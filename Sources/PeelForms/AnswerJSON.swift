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
