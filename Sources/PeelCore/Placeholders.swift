/// `{name}` placeholders in catalogue and message text, filled in one pass.
///
/// Every page fills a few dozen strings; replacing each placeholder with Foundation's
/// `replacingOccurrences` scanned the text once per value and built a new string each time. Here
/// the text is read once; a placeholder with no value is left as it was, and a value is never
/// read again for placeholders of its own.
package enum Placeholders {
    package static func fill(_ text: String, _ values: [String: String]) -> String {
        if values.isEmpty { return text }
        let bytes = text.utf8
        guard bytes.contains(UInt8(ascii: "{")) else { return text }
        var result = ""
        result.reserveCapacity(bytes.count + 16)
        var copied = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex {
            guard bytes[index] == UInt8(ascii: "{"), let close = bytes[index...].firstIndex(of: UInt8(ascii: "}")) else {
                index = bytes.index(after: index)
                continue
            }
            let name = Substring(text.utf8[bytes.index(after: index)..<close])
            if let value = values[String(name)] {
                result += Substring(text.utf8[copied..<index])
                result += value
                copied = bytes.index(after: close)
                index = copied
            } else {
                index = bytes.index(after: index)
            }
        }
        result += Substring(text.utf8[copied...])
        return result
    }
}
