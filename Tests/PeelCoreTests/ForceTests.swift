import Foundation
import PeelCore
import Testing

@Suite("Force ids")
struct ForceIDTests {
    @Test("well-formed ids are accepted", arguments: ["metropolitan", "north-wales", "btp", "avon-and-somerset", "a1"])
    func accepted(text: String) {
        #expect(ForceID(validating: text)?.rawValue == text)
    }

    @Test("malformed ids are refused", arguments: [
        "", "x", "Metropolitan", "north_wales", "-kent", "kent-", "north--wales", "kent/", "../etc", "kent%20",
        String(repeating: "a", count: 41),
    ])
    func refused(text: String) {
        #expect(ForceID(validating: text) == nil)
    }

    @Test("decoding refuses a malformed id")
    func decoding() throws {
        #expect(try JSONDecoder().decode([ForceID].self, from: Data(#"["kent"]"#.utf8)) == [ForceID("kent")])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([ForceID].self, from: Data(#"["Kent!"]"#.utf8)) }
    }
}

@Suite("Force registry")
struct ForceRegistryTests {
    @Test("43 territorial forces, BTP and the auxiliary bodies, each id once")
    func membership() {
        let all = ForceRegistry.all
        #expect(all.count == 46)
        #expect(Set(all.map(\.id)).count == all.count)
        #expect(all.filter { $0.kind == .territorial }.count == 43)
        #expect(all.filter { $0.kind == .national }.map(\.id) == [ForceID("btp")])
        #expect(Set(all.filter { $0.kind == .auxiliary }.map(\.id)) == [ForceID("ministry-of-defence"), ForceID("civil-nuclear")])
    }

    @Test("ids are data.police.uk's force ids", arguments: [
        "metropolitan", "thames-valley", "hampshire", "city-of-london", "north-wales", "btp", "avon-and-somerset",
        "devon-and-cornwall", "greater-manchester", "west-midlands", "dyfed-powys", "gwent", "south-wales",
    ])
    func policeUKIDs(id: String) {
        #expect(ForceRegistry.definition(for: ForceID(validating: id)!) != nil)
    }

    @Test("the Welsh forces and BTP have Welsh names; the others do not")
    func welshNames() {
        let welsh = Dictionary(uniqueKeysWithValues: ForceRegistry.all.compactMap { d in d.welshName.map { (d.id.rawValue, $0) } })
        #expect(welsh == [
            "dyfed-powys": "Heddlu Dyfed-Powys", "gwent": "Heddlu Gwent", "north-wales": "Heddlu Gogledd Cymru",
            "south-wales": "Heddlu De Cymru", "btp": "Heddlu Trafnidiaeth Prydeinig",
        ])
        #expect(ForceRegistry.all.filter { $0.region == .wales }.count == 4)
    }

    @Test("a force's name falls back to English where it has no Welsh name")
    func nameFallback() throws {
        let kent = Force(definition: try #require(ForceRegistry.definition(for: ForceID("kent"))), onboarding: .core)
        #expect(kent.name(in: .welsh) == "Kent Police")
    }

    @Test("every force has a way to be contacted")
    func contact() {
        for force in ForceRegistry.all {
            #expect(force.contact.website.hasPrefix("https://"), "\(force.id)")
            if force.kind == .territorial { #expect(force.contact.phone == "101", "\(force.id)") }
        }
        #expect(ForceRegistry.definition(for: ForceID("btp"))?.contact.textNumber == "61016")
    }
}

@Suite("Language negotiation")
struct LanguageTests {
    @Test("Accept-Language picks the best supported language", arguments: [
        ("cy", Language.welsh), ("cy-GB,en;q=0.8", .welsh), ("en-GB,cy;q=0.9", .english), ("fr, cy;q=0.5", .welsh),
        ("en;q=0.2, cy;q=0.8", .welsh), ("CY", .welsh),
    ])
    func preferred(header: String, expected: Language) {
        #expect(Language.preferred(fromAcceptLanguage: header) == expected)
    }

    @Test("no supported language, or a refused one, gives nothing", arguments: ["", "fr", "de-DE,fr;q=0.8", "cy;q=0", "*"])
    func none(header: String) {
        #expect(Language.preferred(fromAcceptLanguage: header) == nil)
    }
}

@Suite("Retry policy")
struct RetryPolicyTests {
    @Test("delays double per attempt, within the jittered upper half, up to the cap")
    func backoff() {
        let policy = RetryPolicy(base: .seconds(10), cap: .seconds(60))
        #expect(policy.delay(afterAttempt: 1, unit: 1) == .seconds(10))
        #expect(policy.delay(afterAttempt: 1, unit: 0) == .seconds(5))
        #expect(policy.delay(afterAttempt: 2, unit: 1) == .seconds(20))
        #expect(policy.delay(afterAttempt: 3, unit: 1) == .seconds(40))
        #expect(policy.delay(afterAttempt: 4, unit: 1) == .seconds(60))
        #expect(policy.delay(afterAttempt: 50, unit: 0.5) == .seconds(45))
    }
}

@Suite("Service areas")
struct ServiceAreaTests {
    @Test("core is a subset of full, and a force not onboarded offers nothing")
    func models() {
        let core = Set(ServiceArea.offered(under: .core))
        let full = Set(ServiceArea.offered(under: .full))
        #expect(core.isStrictSubset(of: full))
        #expect(core.contains(.reportCrime))
        #expect(!core.contains(.firearms))
        #expect(ServiceArea.offered(under: .notOnboarded).isEmpty)
    }
}

@Suite("Evidence files of a report")
struct JourneyFileTests {
    func file(_ id: String, _ question: String, _ name: String) -> JourneyFile {
        JourneyFile(
            id: id, forceID: ForceID("kent"), journeyID: "j", questionID: question, fileName: name, contentType: "image/png", size: 1,
            content: Data())
    }

    @Test("a report takes the files its answers name, once each and in upload order; a file no answer names stays behind")
    func named() {
        let files = [
            file("1", "photo", "a.png"), file("2", "photo", "left-out.png"), file("3", "receipt", "a.png"), file("4", "photo", "a.png"),
            file("5", "photo", "a.png"),
        ]
        let taken = JourneyFile.named(by: ["photo": ["a.png", "a.png"], "receipt": ["a.png"], "other": ["b.png"]], among: files)
        #expect(taken.map(\.id) == ["1", "3", "4"])
        #expect(JourneyFile.named(by: [:], among: files).isEmpty)
    }
}
