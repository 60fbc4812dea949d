import Foundation
import Mustache

/// HTML escaping for every template Peel renders: `&`, `<`, `>`, `"` and `'` become entities, the
/// same five swift-mustache escapes, but over the string's UTF-8 bytes rather than character by
/// character, and without copying a string that has nothing to escape.
struct PeelHTMLContentType: MustacheContentType {
    /// The name templates are given in their `CONTENT_TYPE` pragma.
    static let name = "PEEL_HTML"

    func escapeText(_ text: String) -> String {
        HTMLEscaping.escape(text)
    }
}

package enum HTMLEscaping {
    package static func escape(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes -> String in
            guard let first = bytes.firstIndex(where: needsEscaping) else { return String(decoding: bytes, as: UTF8.self) }
            var output: [UInt8] = []
            output.reserveCapacity(bytes.count + 32)
            output.append(contentsOf: bytes[..<first])
            for byte in bytes[first...] {
                switch byte {
                case UInt8(ascii: "&"): output.append(contentsOf: "&amp;".utf8)
                case UInt8(ascii: "<"): output.append(contentsOf: "&lt;".utf8)
                case UInt8(ascii: ">"): output.append(contentsOf: "&gt;".utf8)
                case UInt8(ascii: "\""): output.append(contentsOf: "&quot;".utf8)
                case UInt8(ascii: "'"): output.append(contentsOf: "&#39;".utf8)
                default: output.append(byte)
                }
            }
            return String(decoding: output, as: UTF8.self)
        }
    }

    private static func needsEscaping(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "&") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
            || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
    }
}

extension MustacheLibrary {
    /// The pragma every template begins with, so that it escapes with ``PeelHTMLContentType``.
    static let peelPrefix = "{{% CONTENT_TYPE: \(PeelHTMLContentType.name) }}"

    /// Every `.mustache` file in `directory`, each made to escape with ``PeelHTMLContentType``.
    static func peelTemplates(in directory: URL) throws -> MustacheLibrary {
        MustacheContentTypes.register(PeelHTMLContentType(), named: PeelHTMLContentType.name)
        var library = MustacheLibrary()
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        for file in files where file.pathExtension == "mustache" {
            let text = try String(contentsOf: file, encoding: .utf8)
            try library.register(peelPrefix + text, named: file.deletingPathExtension().lastPathComponent)
        }
        return library
    }
}
