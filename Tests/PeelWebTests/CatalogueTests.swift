import Foundation
import PeelCore
import PeelWeb
import Testing

@Suite("String catalogue and templates")
struct CatalogueTests {
    @Test("English and Welsh have the same keys and no empty strings")
    func sameKeys() throws {
        let catalogue = try Catalogue.load(from: WebResources.directory().appendingPathComponent("Locales"))
        let english = catalogue.table(for: .english)
        let welsh = catalogue.table(for: .welsh)
        #expect(Set(english.keys) == Set(welsh.keys))
        #expect(english.values.allSatisfy { !$0.isEmpty })
        #expect(welsh.values.allSatisfy { !$0.isEmpty })
        // Only names and the phase tag read the same in both languages.
        let same = english.keys.filter { english[$0] == welsh[$0] }
        #expect(Set(same) == ["phaseTag"])
    }

    @Test("a catalogue missing a Welsh string is refused")
    func missingWelsh() {
        #expect(throws: CatalogueError.self) {
            try Catalogue(strings: [.english: ["a": "A", "b": "B"], .welsh: ["a": "A"]])
        }
    }

    @Test("placeholders in both languages match")
    func placeholders() throws {
        let catalogue = try Catalogue.load(from: WebResources.directory().appendingPathComponent("Locales"))
        func names(_ text: String) -> Set<String> {
            var found: Set<String> = []
            var rest = text[...]
            while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
                found.insert(String(rest[rest.index(after: open)..<close]))
                rest = rest[rest.index(after: close)...]
            }
            return found
        }
        for (key, english) in catalogue.table(for: .english) {
            #expect(names(english) == names(catalogue.table(for: .welsh)[key] ?? ""), "\(key)")
        }
    }

    @Test("every string a template reads is in the catalogue")
    func templatesUseKnownKeys() throws {
        let directory = try WebResources.directory().appendingPathComponent("Templates")
        let catalogue = try Catalogue.load(from: WebResources.directory().appendingPathComponent("Locales"))
        let keys = Set(catalogue.table(for: .english).keys)
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path) where file.hasSuffix(".mustache") {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            let used = text.split(separator: "layout.t.").dropFirst().compactMap {
                $0.split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "_" }).first.map(String.init)
            }
            for key in used { #expect(keys.contains(key), "\(file) reads unknown string \(key)") }
        }
    }

    @Test("every force's brand colour carries white text at WCAG AA")
    func brandContrast() throws {
        for force in ForceRegistry.all {
            let ratio = try #require(BrandColour.contrastWithWhite(force.brandColour), "\(force.id)")
            #expect(ratio >= 4.5, "\(force.id) \(force.brandColour) gives \(ratio)")
        }
        #expect(BrandColour.contrastWithWhite("#ffffff") == 1)
        #expect(BrandColour.contrastWithWhite("red") == nil)
    }
}
