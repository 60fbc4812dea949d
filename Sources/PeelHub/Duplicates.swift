import Foundation
import Synchronization
import PeelCore
import PeelForms

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
        /// Places given on a map, as latitude and longitude.
        package var points: [Point]
        /// The statement's word pairs, each as its FNV-1a hash.
        package var shingles: Set<UInt64>

        package init(document: RecordsDocument) {
            reference = document.peelReference
            receivedAt = document.receivedAt
            emails = Set(document.persons.compactMap(\.email).map { SearchTerm.normalise($0) }.filter { !$0.isEmpty })
            phones = Set(document.persons.compactMap(\.phone).map(SearchTerm.phone).filter { $0.count >= 7 })
            registrations = Set(document.objects.compactMap(\.registration).map(SearchTerm.normalise).filter { !$0.isEmpty })
            postcodes = Set(
                document.locations.compactMap { $0.postcode ?? $0.address?["postcode"] }.map(SearchTerm.normalise).filter { !$0.isEmpty })
            points = document.locations.compactMap { location in
                guard let latitude = location.latitude.flatMap(Double.init), let longitude = location.longitude.flatMap(Double.init),
                    (-90...90).contains(latitude), (-180...180).contains(longitude)
                else { return nil }
                return Point(latitude: latitude, longitude: longitude)
            }
            shingles = Set(DuplicateFinder.shingles(document.statement).map { DuplicateFinder.fnv1a(Array($0.utf8)) })
        }

        /// What is stored of a report for later comparisons, one line per value: compact, and
        /// read back without decoding the report's answers.
        package var stored: String {
            var lines = emails.sorted().map { "e " + $0 } + phones.sorted().map { "p " + $0 }
            lines += registrations.sorted().map { "v " + $0 } + postcodes.sorted().map { "pc " + $0 }
            lines += points.map { "g \($0.latitude) \($0.longitude)" }
            lines += shingles.sorted().map { "s " + String($0, radix: 36) }
            return lines.joined(separator: "\n")
        }

        /// Reads what ``stored`` wrote; an unreadable line is skipped.
        package init(stored: String, reference: String, receivedAt: Date) {
            self.reference = reference
            self.receivedAt = receivedAt
            emails = []
            phones = []
            registrations = []
            postcodes = []
            points = []
            shingles = []
            // Read as bytes: this runs for every report compared, on every delivery.
            for line in stored.utf8.split(separator: UInt8(ascii: "\n")) {
                let parts = line.split(separator: UInt8(ascii: " "))
                guard parts.count >= 2, let kind = String(parts[0]), let value = String(parts[1]) else { continue }
                switch kind {
                case "s": if let hash = UInt64(value, radix: 36) { shingles.insert(hash) }
                case "e": emails.insert(value)
                case "p": phones.insert(value)
                case "v": registrations.insert(value)
                case "pc": postcodes.insert(value)
                case "g":
                    if parts.count == 3, let latitude = Double(value), let longitude = String(parts[2]).flatMap(Double.init) {
                        points.append(Point(latitude: latitude, longitude: longitude))
                    }
                default: continue
                }
            }
        }
    }

    package struct Point: Sendable, Hashable {
        package var latitude: Double
        package var longitude: Double

        package init(latitude: Double, longitude: Double) {
            self.latitude = latitude
            self.longitude = longitude
        }

        /// Metres between two points (haversine).
        package func distance(to other: Point) -> Double {
            let radians = Double.pi / 180
            let dLat = (other.latitude - latitude) * radians
            let dLon = (other.longitude - longitude) * radians
            let a = sin(dLat / 2) * sin(dLat / 2) + cos(latitude * radians) * cos(other.latitude * radians) * sin(dLon / 2) * sin(dLon / 2)
            return 6_371_000 * 2 * atan2(a.squareRoot(), (1 - a).squareRoot())
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
    /// How close two places on a map must be to count as one.
    package static let placeDistance: Double = 250

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
            } else if abs(report.receivedAt.timeIntervalSince(other.receivedAt)) <= placeWindow,
                report.points.contains(where: { point in other.points.contains { point.distance(to: $0) <= placeDistance } })
            {
                score += 0.3
                reasons.append("within \(Int(placeDistance)) m within two days")
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

    // MARK: Finding the reports to compare

    /// Files a new report for later comparisons: its match keys and compact features, written
    /// with it.
    package static func file(_ report: inout Report, definition: ServiceDefinition?) {
        file(&report, answers: AnswerJSON.document(from: report.answers), definition: definition)
    }

    /// As ``file(_:definition:)``, for a report whose answers are already decoded as `document`.
    package static func file(_ report: inout Report, answers document: ReportDocument?, definition: ServiceDefinition?) {
        // The delivery reads the same features from its whole document (``Features/init(document:)``);
        // the labelled list of every answer, which they do not use, is not made here.
        let features = Features(
            document: RecordsDocument.make(report: report, answers: document, definition: definition, labelledAnswers: false))
        report.matchKeys = matchKeys(features)
        report.matchFeatures = features.stored
    }

    /// The keys a report is filed under so that later reports find it without reading every
    /// recent report: its reporter's email and phone, vehicles, postcodes, the map cell of each
    /// place, and bands of its statement's MinHash signature (two statements as alike as the
    /// threshold share a band with a probability above 0.99).
    package static func matchKeys(_ features: Features) -> [String] {
        keys(features, neighbouringCells: false)
    }

    /// The keys to look a report's possible duplicates up by: its own, with the cells around
    /// each place, so that two places either side of a cell's edge still meet.
    package static func lookupKeys(_ features: Features) -> [String] {
        keys(features, neighbouringCells: true)
    }

    private static func keys(_ features: Features, neighbouringCells: Bool) -> [String] {
        var keys = features.emails.sorted().map { "e:" + $0 }
        keys += features.phones.sorted().map { "p:" + $0 }
        keys += features.registrations.sorted().map { "v:" + $0 }
        keys += features.postcodes.sorted().map { "pc:" + $0 }
        var cells = Set<String>()
        for point in features.points {
            let row = Int((point.latitude / cellDegrees.latitude).rounded(.down))
            let column = Int((point.longitude / cellDegrees.longitude).rounded(.down))
            let around = neighbouringCells ? [-1, 0, 1] : [0]
            for dr in around { for dc in around { cells.insert("g:\(row + dr):\(column + dc)") } }
        }
        keys += cells.sorted()
        if features.shingles.count >= minimumShingles {
            keys += statementBands(features.shingles)
        }
        return keys.map { String($0.prefix(SearchTerm.maximumLength)) }
    }

    /// A map cell: about 550 m by 550 m in Britain, wider than ``placeDistance``, so that two
    /// places close enough to match are in the same or neighbouring cells.
    static let cellDegrees = (latitude: 0.005, longitude: 0.008)
    package static let bands = 12
    static let rowsPerBand = 4

    /// The statement's MinHash signature, cut into bands, each band one key.
    static func statementBands(_ shingles: Set<UInt64>) -> [String] {
        let count = bands * rowsPerBand
        var minimums = [UInt64](repeating: .max, count: count)
        for base in shingles {
            for index in 0..<count {
                let value = mix(base &+ UInt64(index + 1) &* 0x9E37_79B9_7F4A_7C15)
                if value < minimums[index] { minimums[index] = value }
            }
        }
        return (0..<bands).map { band in
            var bytes: [UInt8] = []
            for value in minimums[(band * rowsPerBand)..<((band + 1) * rowsPerBand)] {
                withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
            }
            return "t\(band):" + String(fnv1a(bytes), radix: 16)
        }
    }

    /// The lookup keys split for reading: `each` read key by key (a reporter, vehicle or place
    /// may be shared by many reports), `pooled` the statement's bands, seldom shared by chance,
    /// read in one range.
    package static func lookup(_ features: Features) -> (each: [String], pooled: [String]) {
        let keys = lookupKeys(features)
        let isBand = { (key: String) in key.hasPrefix("t") }
        return (keys.filter { !isBand($0) }, keys.filter(isBand))
    }

    /// FNV-1a, 64 bits: the same in every process (Swift's own hashing is seeded per process).
    package static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// SplitMix64's finaliser: spreads a value's bits over the whole word.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Word pairs of a text, lower-cased, letters and digits only: "my blue bike" → "my blue", "blue bike".
    package static func shingles(_ text: String) -> Set<String> {
        let words = text.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init)
        guard words.count > 1 else { return Set(words) }
        return Set(zip(words, words.dropFirst()).map { "\($0) \($1)" })
    }

    package static func jaccard<Element: Hashable>(_ a: Set<Element>, _ b: Set<Element>) -> Double {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        return Double(a.intersection(b).count) / Double(a.union(b).count)
    }
}

extension DuplicateFinder {
    /// Features read from the store, kept by report: a report's features never change, and the
    /// same recent reports are compared with many new ones. Holds at most `capacity`, forgetting
    /// the earliest kept first.
    package final class FeatureCache: Sendable {
        private struct State {
            var features: [String: Features] = [:]
            var order: [String] = []
            var start = 0
        }

        private let state = Mutex(State())
        private let capacity: Int

        package init(capacity: Int = 20_000) { self.capacity = max(1, capacity) }

        package func features(for report: MatchedReport) -> Features {
            if let known = state.withLock({ $0.features[report.id] }) { return known }
            let features = Features(stored: report.features, reference: report.reference, receivedAt: report.createdAt)
            state.withLock { state in
                guard state.features.updateValue(features, forKey: report.id) == nil else { return }
                state.order.append(report.id)
                if state.features.count > capacity {
                    state.features[state.order[state.start]] = nil
                    state.start += 1
                    // The forgotten front of the list is dropped now and then, not on every add.
                    if state.start > capacity {
                        state.order.removeFirst(state.start)
                        state.start = 0
                    }
                }
            }
            return features
        }

        package var count: Int { state.withLock { $0.features.count } }
    }
}
