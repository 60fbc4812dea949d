import Foundation
import PeelCore

/// Every public string of Peel's pages, in English and Welsh, read from `Resources/Locales`.
///
/// Loading fails when a key is in one language and not the other, so a page can never show a
/// string in one language only.
package struct Catalogue: Sendable {
    private let strings: [Language: [String: String]]

    package init(strings: [Language: [String: String]]) throws(CatalogueError) {
        let english = Set(strings[.english]?.keys ?? [:].keys)
        for language in Language.allCases {
            let keys = Set(strings[language]?.keys ?? [:].keys)
            let missing = english.subtracting(keys).union(keys.subtracting(english))
            if !missing.isEmpty {
                throw CatalogueError(
                    description: "\(language.rawValue) catalogue does not match en: \(missing.sorted().joined(separator: ", "))")
            }
        }
        self.strings = strings
    }

    /// Loads `en.json` and `cy.json` from `directory`.
    package static func load(from directory: URL) throws -> Catalogue {
        var strings: [Language: [String: String]] = [:]
        for language in Language.allCases {
            let file = directory.appendingPathComponent("\(language.rawValue).json")
            let data = try Data(contentsOf: file)
            strings[language] = try JSONDecoder().decode([String: String].self, from: data)
        }
        return try Catalogue(strings: strings)
    }

    /// All strings for `language`, for templates to read as `t.key`.
    package func table(for language: Language) -> [String: String] {
        strings[language] ?? [:]
    }

    /// The string `key` in `language`, with `{name}` placeholders filled from `values`. An
    /// unknown key is a programming error caught by the catalogue tests; it renders as the key.
    package func text(_ key: String, _ language: Language, _ values: [String: String] = [:]) -> String {
        Placeholders.fill(strings[language]?[key] ?? key, values)
    }
}

package struct CatalogueError: Error, CustomStringConvertible {
    package let description: String
}
