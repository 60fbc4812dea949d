import Foundation
import HTTPTypes
import Hummingbird
import PeelCore

/// A posted form, read once per request (by the CSRF check, which passes it on in the request
/// context): its text fields and, for `multipart/form-data`, its files.
struct PostedForm: Sendable {
    struct File: Sendable {
        let field: String
        let fileName: String
        let contentType: String
        let data: Data
    }

    var fields: [String: [String]] = [:]
    var files: [File] = []

    /// Largest body Peel reads for a form with files, and for one without.
    static let maxBodySize = 60 << 20
    static let maxURLEncodedSize = 1 << 20

    /// Reads the form posted in `request`, whichever its encoding; `nil` when the body is not a form.
    static func read(_ request: inout Request) async throws -> PostedForm? {
        let contentType = request.headers[.contentType]
        if contentType?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true {
            let body = try await request.collectBody(upTo: maxURLEncodedSize)
            return PostedForm(fields: parseURLEncoded(String(buffer: body)))
        }
        if let boundary = boundary(contentType) {
            let body = try await request.collectBody(upTo: maxBodySize)
            return parse(Data(body.readableBytesView), boundary: boundary)
        }
        return nil
    }

    /// `application/x-www-form-urlencoded` text.
    static func parseURLEncoded(_ body: String) -> [String: [String]] {
        var values: [String: [String]] = [:]
        for pair in body.utf8.split(separator: UInt8(ascii: "&")) {
            let equals = pair.firstIndex(of: UInt8(ascii: "="))
            let name = decode(pair[..<(equals ?? pair.endIndex)])
            guard !name.isEmpty, name.count <= 100 else { continue }
            values[name, default: []].append(equals.map { decode(pair[pair.index(after: $0)...]) } ?? "")
        }
        return values
    }

    /// One name or value of a form or query string as browsers send it: `+` is a space, `%XX` a
    /// byte, and the bytes UTF-8. A broken escape or bytes that are not UTF-8 read as empty.
    static func decode(_ encoded: Substring.UTF8View) -> String {
        guard encoded.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else {
            return String(Substring(encoded))
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encoded.count)
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let byte = encoded[index]
            index = encoded.index(after: index)
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard index < encoded.endIndex, let high = Hex.value(encoded[index]) else { return "" }
                index = encoded.index(after: index)
                guard index < encoded.endIndex, let low = Hex.value(encoded[index]) else { return "" }
                index = encoded.index(after: index)
                bytes.append(high << 4 | low)
            default: bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self) ?? ""
    }

    /// The boundary of a `multipart/form-data` content type, if it is one.
    static func boundary(_ contentType: String?) -> String? {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                let value = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                return value.isEmpty || value.count > 200 ? nil : value
            }
        }
        return nil
    }

    /// Parses `body`; a malformed body gives whatever parts could be read (the page then reports
    /// what is missing), never a crash.
    static func parse(_ body: Data, boundary: String) -> PostedForm {
        var form = PostedForm()
        let delimiter = Data("--\(boundary)".utf8)
        let headerEnd = Data("\r\n\r\n".utf8)
        var position = body.startIndex
        guard let first = body.range(of: delimiter, in: position..<body.endIndex) else { return form }
        position = first.upperBound
        while position < body.endIndex {
            // After a delimiter: "--" ends the body, otherwise CRLF and a part.
            if body[position...].starts(with: Data("--".utf8)) { break }
            guard body[position...].starts(with: Data("\r\n".utf8)) else { break }
            let partStart = position + 2
            guard let next = body.range(of: Data("\r\n".utf8) + delimiter, in: partStart..<body.endIndex) else { break }
            let part = body[partStart..<next.lowerBound]
            position = next.upperBound
            guard let split = part.range(of: headerEnd) else { continue }
            let headers = String(decoding: part[part.startIndex..<split.lowerBound], as: UTF8.self)
            let content = Data(part[split.upperBound...])
            var name: String?
            var fileName: String?
            var contentType = "application/octet-stream"
            for line in headers.components(separatedBy: "\r\n") {
                let lower = line.lowercased()
                if lower.hasPrefix("content-disposition:") {
                    name = parameter("name", in: line)
                    fileName = parameter("filename", in: line)
                } else if lower.hasPrefix("content-type:") {
                    contentType = line.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces)
                }
            }
            guard let name, !name.isEmpty, name.count <= 100 else { continue }
            if let fileName {
                if !fileName.isEmpty || !content.isEmpty {
                    form.files.append(File(field: name, fileName: fileName, contentType: contentType, data: content))
                }
            } else {
                form.fields[name, default: []].append(String(decoding: content, as: UTF8.self))
            }
        }
        return form
    }

    private static func parameter(_ key: String, in header: String) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let pair = piece.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0] == key {
                return String(pair[1]).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }
}

/// The kinds of evidence file Peel accepts, told by their first bytes rather than their name.
enum EvidenceFile {
    static let maxSize = 10 << 20
    static let maxPerQuestion = 5

    /// The kind of file `data` is, or `nil` when it is not one Peel accepts.
    static func kind(of data: Data) -> String? {
        let bytes = [UInt8](data.prefix(12))
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return "image/png" }
        if bytes.starts(with: Array("%PDF".utf8)) { return "application/pdf" }
        if bytes.count >= 12, Array(bytes[4..<8]) == Array("ftyp".utf8) {
            let brand = String(decoding: bytes[8..<12], as: UTF8.self)
            if brand.hasPrefix("qt") { return "video/quicktime" }
            if brand.hasPrefix("heic") || brand.hasPrefix("heix") || brand.hasPrefix("mif1") { return "image/heic" }
            return "video/mp4"
        }
        return nil
    }
}
