import Foundation

/// The crime categories of data.police.uk: the slug the API uses and the name the archive uses.
package struct CrimeCategory: Sendable, Hashable {
    package let slug: String
    package let name: String
    /// Only in old months (replaced in 2013).
    package let historic: Bool

    /// Every category, in the order the API lists them; index 0 is never stored (`all-crime`).
    package static let all: [CrimeCategory] = [
        .init(slug: "all-crime", name: "All crime", historic: false),
        .init(slug: "anti-social-behaviour", name: "Anti-social behaviour", historic: false),
        .init(slug: "bicycle-theft", name: "Bicycle theft", historic: false),
        .init(slug: "burglary", name: "Burglary", historic: false),
        .init(slug: "criminal-damage-arson", name: "Criminal damage and arson", historic: false),
        .init(slug: "drugs", name: "Drugs", historic: false),
        .init(slug: "other-theft", name: "Other theft", historic: false),
        .init(slug: "possession-of-weapons", name: "Possession of weapons", historic: false),
        .init(slug: "public-order", name: "Public order", historic: false),
        .init(slug: "robbery", name: "Robbery", historic: false),
        .init(slug: "shoplifting", name: "Shoplifting", historic: false),
        .init(slug: "theft-from-the-person", name: "Theft from the person", historic: false),
        .init(slug: "vehicle-crime", name: "Vehicle crime", historic: false),
        .init(slug: "violent-crime", name: "Violence and sexual offences", historic: false),
        .init(slug: "other-crime", name: "Other crime", historic: false),
        .init(slug: "public-disorder-weapons", name: "Public disorder and weapons", historic: true),
    ]

    /// Each category's slug as UTF-8, by stored code, for writing JSON.
    package static let slugBytes: [[UInt8]] = all.map { Array($0.slug.utf8) }

    /// The code stored for `all-crime`: it matches every row.
    package static let allCrime: UInt8 = 0

    private static let bySlug: [String: UInt8] = Dictionary(
        uniqueKeysWithValues: all.enumerated().map { ($0.element.slug, UInt8($0.offset)) })
    private static let byName: [String: UInt8] = {
        var names = Dictionary(uniqueKeysWithValues: all.enumerated().map { ($0.element.name.lowercased(), UInt8($0.offset)) })
        // Older names for the same categories.
        names["violent crime"] = bySlug["violent-crime"]
        names["all crime and asb"] = 0
        return names
    }()

    /// The stored code for an API slug.
    package static func code(slug: String) -> UInt8? { bySlug[slug] }

    /// The stored code for an archive `Crime type`, old names included.
    package static func code(name: String) -> UInt8? {
        // The archive's own spelling first: one lookup, no lowering.
        if let code = byExactName[name] { return code }
        guard let code = byName[name.trimmedSpaces.lowercased()], code != allCrime else { return nil }
        return code
    }

    private static let byExactName: [String: UInt8] = Dictionary(
        uniqueKeysWithValues: all.enumerated().dropFirst().map { ($0.element.name, UInt8($0.offset)) })

    /// The categories the API offers for a month: historic ones only when the month has them.
    package static func offered(historic: Bool) -> [CrimeCategory] {
        all.filter { !$0.historic || historic }
    }
}

/// Outcome categories: the API's `{code, name}` pairs (reference section 5).
package enum OutcomeCategory {
    package static let all: [(code: String, name: String)] = [
        ("awaiting-court-result", "Awaiting court outcome"),
        ("court-result-unavailable", "Court result unavailable"),
        ("unable-to-proceed", "Court case unable to proceed"),
        ("local-resolution", "Local resolution"),
        ("no-further-action", "Investigation complete; no suspect identified"),
        ("deprived-of-property", "Offender deprived of property"),
        ("fined", "Offender fined"),
        ("absolute-discharge", "Offender given absolute discharge"),
        ("cautioned", "Offender given a caution"),
        ("drugs-possession-warning", "Offender given a drugs possession warning"),
        ("penalty-notice-issued", "Offender given a penalty notice"),
        ("community-penalty", "Offender given community sentence"),
        ("conditional-discharge", "Offender given conditional discharge"),
        ("suspended-sentence", "Offender given suspended prison sentence"),
        ("imprisoned", "Offender sent to prison"),
        ("other-court-disposal", "Offender otherwise dealt with"),
        ("compensation", "Offender ordered to pay compensation"),
        ("sentenced-in-another-case", "Suspect charged as part of another case"),
        ("charged", "Suspect charged"),
        ("not-guilty", "Defendant found not guilty"),
        ("sent-to-crown-court", "Defendant sent to Crown Court"),
        ("unable-to-prosecute", "Unable to prosecute suspect"),
        ("formal-action-not-in-public-interest", "Formal action is not in the public interest"),
        ("action-taken-by-another-organisation", "Action to be taken by another organisation"),
        ("further-investigation-not-in-public-interest", "Further investigation is not in the public interest"),
        ("further-action-not-in-public-interest", "Further action is not in the public interest"),
        ("under-investigation", "Under investigation"),
        ("status-update-unavailable", "Status update unavailable"),
    ]

    private static let byName: [String: String] = {
        Dictionary(uniqueKeysWithValues: all.map { (Self.key($0.name), $0.code) })
    }()

    /// The code for an outcome name as the archive spells it; the "given a"/"given" variants
    /// ("Offender given penalty notice") are the same outcome.
    package static func code(name: String) -> String? {
        byName[key(name)]
    }

    /// A code made from an unknown name, so an outcome the vocabulary lacks still has one.
    package static func fallbackCode(name: String) -> String {
        let slug = name.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
        return slug.split(separator: "-").joined(separator: "-")
    }

    private static func key(_ name: String) -> String {
        name.lowercased().replacingOccurrences(of: "given a ", with: "given ").trimmingCharacters(in: .whitespaces)
    }
}

/// Stop and search outcome ids (`outcome_object.id`): the `bu-` codes data.police.uk uses.
package enum StopOutcome {
    package static func id(name: String) -> String {
        let key = name.trimmingCharacters(in: .whitespaces).lowercased()
        guard !key.isEmpty else { return "" }
        return known[key] ?? "bu-" + OutcomeCategory.fallbackCode(name: key)
    }

    private static let known: [String: String] = [
        "a no further action disposal": "bu-no-further-action",
        "nothing found - no further action": "bu-no-further-action",
        "arrest": "bu-arrest", "suspect arrested": "bu-arrest", "offender arrested": "bu-arrest",
        "summons / charged by post": "bu-summons", "suspect summonsed to court": "bu-summons",
        "community resolution": "bu-community-resolution", "local resolution": "bu-community-resolution",
        "caution (simple or conditional)": "bu-caution", "offender cautioned": "bu-caution",
        "penalty notice for disorder": "bu-penalty-notice", "offender given penalty notice": "bu-penalty-notice",
        "khat or cannabis warning": "bu-warning", "offender given drugs possession warning": "bu-warning",
    ]
}

/// Months as `YYYY-MM`, stored as a count of months since year 0 so that they sort and subtract.
package struct Month: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    package let ordinal: Int

    package init(ordinal: Int) { self.ordinal = ordinal }

    package init?(year: Int, month: Int) {
        guard (1900...2200).contains(year), (1...12).contains(month) else { return nil }
        ordinal = year * 12 + month - 1
    }

    /// Parses exactly `YYYY-MM`.
    package init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard bytes.count == 7, bytes[4] == UInt8(ascii: "-") else { return nil }
        func digits(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = digits(0..<4), let month = digits(5..<7) else { return nil }
        self.init(year: year, month: month)
    }

    /// Appends `YYYY-MM` without making a string.
    package func append(to bytes: inout [UInt8]) {
        let year = self.year
        bytes.append(UInt8(ascii: "0") + UInt8(year / 1000 % 10))
        bytes.append(UInt8(ascii: "0") + UInt8(year / 100 % 10))
        bytes.append(UInt8(ascii: "0") + UInt8(year / 10 % 10))
        bytes.append(UInt8(ascii: "0") + UInt8(year % 10))
        bytes.append(UInt8(ascii: "-"))
        bytes.append(UInt8(ascii: "0") + UInt8(month / 10))
        bytes.append(UInt8(ascii: "0") + UInt8(month % 10))
    }

    package var year: Int { ordinal / 12 }
    package var month: Int { ordinal % 12 + 1 }

    package var description: String {
        let year = String(self.year)
        return String(repeating: "0", count: max(0, 4 - year.count)) + year + (month < 10 ? "-0" : "-") + String(month)
    }

    package static func < (lhs: Month, rhs: Month) -> Bool { lhs.ordinal < rhs.ordinal }

    package init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let month = Month(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a month: \(text)"))
        }
        self = month
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
