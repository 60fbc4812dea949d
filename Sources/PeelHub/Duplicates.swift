import Foundation
import PeelCore

/// Finds reports that are likely the same matter reported again: the same reporter (email or
/// phone), the same vehicle, the same place close in time, or a statement that reads the same.
/// Each candidate comes with a score (0 to 1) and the reasons, for a handler to confirm or reject.
package enum DuplicateFinder {
    /// What is compared of a report.
    package struct Features: Sendable, Hashable {
        package var reference: String
        package var receivedAt: Date
        package var emails: Set<String>
        package var phones: Set<String>
        package var registrations: Set<String>
        package var postcodes: Set<String>
        package var shingles: Set<String>

        package init(document: RecordsDocument) {
            reference = document.peelReference
            receivedAt = document.receivedAt
            emails = Set(document.persons.compactMap(\.email).map { SearchTerm.normalise($0) }.filter { !$0.isEmpty })
            phones = Set(document.persons.compactMap(\.phone).map(SearchTerm.phone).filter { $0.count >= 7 })
            registrations = Set(document.objects.compactMap(\.registration).map(SearchTerm.normalise).filter { !$0.isEmpty })
            postcodes = Set(
                document.locations.compactMap { $0.postcode ?? $0.address?["postcode"] }.map(SearchTerm.normalise).filter { !$0.isEmpty })
            shingles = DuplicateFinder.shingles(document.statement)
        }
    }

    package struct Candidate: Sendable, Hashable, Codable {
        package var reference: String
        package var score: Double
        package var reasons: [String]
    }

    /// The least score reported as a candidate.
    package static let threshold = 0.6
    /// Word pairs a statement needs before it is compared.
    package static let minimumShingles = 8
    /// How close in time two reports of one place must be.
    package static let placeWindow: TimeInterval = 48 * 3600

    /// The candidates among `others` for `report`, best first.
    package static func candidates(for report: Features, among others: [Features]) -> [Candidate] {
        others.compactMap { other -> Candidate? in
            guard other.reference != report.reference else { return nil }
            var score = 0.0
            var reasons: [String] = []
            if !report.emails.isDisjoint(with: other.emails) {
                score += 0.5
                reasons.append("same reporter email")
            }
            if !report.phones.isDisjoint(with: other.phones) {
                score += 0.5
                reasons.append("same reporter phone")
            }
            if !report.registrations.isDisjoint(with: other.registrations) {
                score += 0.6
                reasons.append("same vehicle registration")
            }
            if !report.postcodes.isDisjoint(with: other.postcodes),
                abs(report.receivedAt.timeIntervalSince(other.receivedAt)) <= placeWindow
            {
                score += 0.3
                reasons.append("same place within two days")
            }
            // Reports of one kind share many phrases ("was stolen from outside"): only statements
            // that read nearly the same count, and alone only when they are the same.
            // Short statements ("please call me") say too little to compare.
            let similarity =
                min(report.shingles.count, other.shingles.count) >= minimumShingles ? jaccard(report.shingles, other.shingles) : 0
            if similarity >= 0.75 {
                score += similarity * 0.6
                reasons.append(String(format: "statements %.0f%% alike", similarity * 100))
            }
            let capped = min(1, score)
            return capped >= threshold ? Candidate(reference: other.reference, score: capped, reasons: reasons) : nil
        }
        .sorted { $0.score > $1.score || ($0.score == $1.score && $0.reference < $1.reference) }
    }

    /// Word pairs of a text, lower-cased, letters and digits only: "my blue bike" → "my blue", "blue bike".
    package static func shingles(_ text: String) -> Set<String> {
        let words = text.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init)
        guard words.count > 1 else { return Set(words) }
        return Set(zip(words, words.dropFirst()).map { "\($0) \($1)" })
    }

    package static func jaccard(_ a: Set<String>, _ b: Set<String>) -> Double {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        return Double(a.intersection(b).count) / Double(a.union(b).count)
    }
}
