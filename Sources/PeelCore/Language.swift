import Foundation

/// The languages every public page of Peel is offered in.
package enum Language: String, Sendable, CaseIterable, Codable {
    case english = "en"
    case welsh = "cy"

    /// The language's own name, as shown on the language toggle.
    package var nativeName: String {
        switch self {
        case .english: "English"
        case .welsh: "Cymraeg"
        }
    }

    /// Picks the preferred supported language from an `Accept-Language` header value, honouring
    /// quality weights; `nil` when the header names neither English nor Welsh.
    package static func preferred(fromAcceptLanguage header: String) -> Language? {
        var best: (language: Language, quality: Double)?
        for part in header.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first?.lowercased(), !tag.isEmpty else { continue }
            let primary = tag.split(separator: "-").first.map(String.init) ?? tag
            guard let language = Language(rawValue: primary) else { continue }
            var quality = 1.0
            for parameter in pieces.dropFirst() where parameter.hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)) ?? 0
            }
            guard quality > 0 else { continue }
            if best == nil || quality > best!.quality { best = (language, quality) }
        }
        return best?.language
    }
}
