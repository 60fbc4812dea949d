import Foundation

/// A report's human-friendly reference: the force's prefix, six characters from an alphabet
/// without look-alikes (no 0/O, 1/I/L, U/V), and a check character, e.g. `NW-7K3M9Q-X`.
package enum ReportReference {
    package static let alphabet = Array("23456789ABCDEFGHJKMNPQRSTWXYZ")

    /// The prefix for a force: the initials of its id's words, ignoring "and" and "of".
    package static func prefix(for force: ForceID) -> String {
        let words = force.rawValue.split(separator: "-").filter { $0 != "and" && $0 != "of" }
        if words.count == 1 { return String(words[0].prefix(3)).uppercased() }
        return String(words.compactMap(\.first)).uppercased()
    }

    package static func make(force: ForceID, using generator: inout some RandomNumberGenerator) -> String {
        let body = characters(6, using: &generator)
        return "\(prefix(for: force))-\(body)-\(check(body))"
    }

    /// `count` characters of the alphabet (at most 13), each as likely as any other, from one draw
    /// (a number below 29^count, read as base-29 digits) rather than one draw each: the system's
    /// generator makes a system call for every draw.
    package static func characters(_ count: Int, using generator: inout some RandomNumberGenerator) -> String {
        precondition((0...13).contains(count), "29^\(count) does not fit one 64-bit draw")
        let base = UInt64(alphabet.count)
        var value = generator.next(upperBound: (0..<count).reduce(UInt64(1)) { product, _ in product * base })
        var text = ""
        for _ in 0..<count {
            text.append(alphabet[Int(value % base)])
            value /= base
        }
        return text
    }

    /// Whether `text` is a well-formed reference whose check character matches (a mistyped
    /// character is caught before any lookup).
    package static func isValid(_ text: String) -> Bool {
        let parts = text.uppercased().split(separator: "-")
        guard parts.count == 3, parts[1].count == 6, parts[2].count == 1,
            parts[1].allSatisfy({ alphabet.contains($0) })
        else { return false }
        return String(parts[2]) == String(check(String(parts[1])))
    }

    static func check(_ body: String) -> Character {
        let values = body.compactMap { alphabet.firstIndex(of: $0) }
        let sum = values.enumerated().reduce(0) { $0 + ($1.offset + 1) * $1.element }
        return alphabet[sum % alphabet.count]
    }
}

/// A finished report as the force receives it.
package struct Report: Sendable, Hashable {
    package var id: String
    package var forceID: ForceID
    package var reference: String
    package var serviceID: String
    package var serviceVersion: Int
    /// The answers as JSON, with the definition's ids.
    package var answers: String
    package var contactName: String?
    package var contactEmail: String?
    package var contactPhone: String?
    package var language: Language
    package var createdAt: Date
    /// What staff can find the report by (reference, names, email, phone, postcodes, vehicle
    /// registrations), normalised by ``SearchTerm``. Written with the report; not read back.
    package var searchTerms: [String]
    /// The keys later reports find this one by when they look for duplicates (reporter,
    /// vehicle, place, statement). Written with the report; not read back.
    package var matchKeys: [String]
    /// What later reports compare with when they look for duplicates, in the duplicate
    /// finder's own compact form. Written with the report.
    package var matchFeatures: String?
    /// The evidence files of its journey that its answers name (``JourneyFile/id``): they become
    /// the report's when it is submitted, and are kept while it is. Written with the report.
    package var fileIDs: [String] = []

    package init(
        id: String, forceID: ForceID, reference: String, serviceID: String, serviceVersion: Int, answers: String,
        contactName: String?, contactEmail: String?, contactPhone: String?, language: Language, createdAt: Date,
        searchTerms: [String] = [], matchKeys: [String] = []
    ) {
        self.searchTerms = searchTerms
        self.matchKeys = matchKeys
        self.id = id
        self.forceID = forceID
        self.reference = reference
        self.serviceID = serviceID
        self.serviceVersion = serviceVersion
        self.answers = answers
        self.contactName = contactName
        self.contactEmail = contactEmail
        self.contactPhone = contactPhone
        self.language = language
        self.createdAt = createdAt
    }
}

/// A journey in progress, kept server-side so that it survives a restart and needs no
/// JavaScript. Force-owned.
package struct StoredJourney: Sendable, Hashable {
    package var id: String
    package var forceID: ForceID
    package var serviceID: String
    package var serviceVersion: Int
    /// The engine's state as JSON.
    package var state: String
    package var reportID: String?
    package var expiresAt: Date

    package init(id: String, forceID: ForceID, serviceID: String, serviceVersion: Int, state: String, reportID: String?, expiresAt: Date) {
        self.id = id
        self.forceID = forceID
        self.serviceID = serviceID
        self.serviceVersion = serviceVersion
        self.state = state
        self.reportID = reportID
        self.expiresAt = expiresAt
    }
}

/// An email or text message Peel sent (or, in demo mode, put in the local mailbox).
package struct OutboundMessage: Sendable, Hashable {
    package var id: String
    package var forceID: ForceID?
    package var channel: NotificationChannel
    package var to: String
    /// Empty for a text message.
    package var subject: String
    package var body: String
    package var createdAt: Date

    package init(
        id: String, forceID: ForceID?, channel: NotificationChannel = .email, to: String, subject: String, body: String,
        createdAt: Date
    ) {
        self.id = id
        self.forceID = forceID
        self.channel = channel
        self.to = to
        self.subject = subject
        self.body = body
        self.createdAt = createdAt
    }
}

/// Journeys, by force.
package protocol JourneyRepository: Sendable {
    func create(_ journey: StoredJourney) async throws
    func find(_ id: String, force: ForceID) async throws -> StoredJourney?
    /// Saves the journey's state; `expiresAt`, when given, is its new expiry (nil leaves it).
    func saveState(_ id: String, force: ForceID, state: String, expiresAt: Date?) async throws
    /// Gives the journey a return code (kept only as a hash) and keeps it until `expiresAt`.
    func setReturnCode(_ code: String, for id: String, force: ForceID, expiresAt: Date) async throws
    /// The unsent journey of `service` with this return code, on this force's site.
    func find(returnCode: String, service: String, force: ForceID) async throws -> StoredJourney?
    /// Deletes journeys past their expiry, and their files that no report took, across all
    /// forces (retention); returns how many journeys.
    func purgeExpired(before date: Date) async throws -> Int
    /// Keeps an uploaded file with the journey; returns its id.
    func addFile(_ file: JourneyFile) async throws
    /// The files uploaded in a journey, without their bytes.
    func files(journey: String, force: ForceID) async throws -> [JourneyFile]
}

/// A file a person uploaded as evidence during a journey; once the journey is submitted, a file
/// its answers name belongs to the report.
package struct JourneyFile: Sendable, Hashable {
    package var id: String
    package var forceID: ForceID
    package var journeyID: String
    package var questionID: String
    package var fileName: String
    /// As told from the file's first bytes at upload, never from its name.
    package var contentType: String
    package var size: Int
    /// Empty when listed without content.
    package var content: Data
    /// Lower-case hex SHA-256 of the bytes: computed by the store when the file is added, read
    /// with a report's files; empty otherwise.
    package var sha256: String
    /// The report that took the file when its journey was submitted.
    package var reportID: String?

    package init(
        id: String, forceID: ForceID, journeyID: String, questionID: String, fileName: String, contentType: String,
        size: Int, content: Data, sha256: String = "", reportID: String? = nil
    ) {
        self.id = id
        self.forceID = forceID
        self.journeyID = journeyID
        self.questionID = questionID
        self.fileName = fileName
        self.contentType = contentType
        self.size = size
        self.content = content
        self.sha256 = sha256
        self.reportID = reportID
    }

    /// The files of `files` that `answers` name (question id to the file names its answer lists),
    /// in the order of `files`; each name takes one file, so two uploads of one name are two files.
    package static func named(by answers: [String: [String]], among files: [JourneyFile]) -> [JourneyFile] {
        var wanted = answers.mapValues { names in names.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 } }
        return files.filter { file in
            guard let count = wanted[file.questionID]?[file.fileName], count > 0 else { return false }
            wanted[file.questionID]?[file.fileName] = count - 1
            return true
        }
    }
}

/// Codes that let a person return to a saved journey on another device: ten characters from the
/// reference alphabet, shown as two groups of five.
package enum ReturnCode {
    package static func make(using generator: inout some RandomNumberGenerator) -> String {
        let characters = ReportReference.characters(10, using: &generator)
        return String(characters.prefix(5)) + "-" + String(characters.suffix(5))
    }

    /// The code as typed, normalised: upper case, no spaces, the hyphen in place; `nil` when it
    /// cannot be a code.
    package static func normalise(_ text: String) -> String? {
        let compact = text.uppercased().filter { !" -".contains($0) }
        guard compact.count == 10, compact.allSatisfy({ ReportReference.alphabet.contains($0) }) else { return nil }
        return String(compact.prefix(5)) + "-" + String(compact.suffix(5))
    }
}

/// What submitting a journey produced.
package enum SubmissionOutcome: Sendable, Hashable {
    /// A new report, with its outbox jobs committed with it.
    case created(Report)
    /// The journey was already submitted (a double submit): the same report.
    case alreadySubmitted(Report)
}

/// Reports, by force.
package protocol ReportRepository: Sendable {
    func find(_ id: String, force: ForceID) async throws -> Report?
    func find(reference: String, force: ForceID) async throws -> Report?
    /// Stores the report for `journeyID`, marks the journey submitted and enqueues `jobs`, in
    /// one transaction. Submitting a journey twice returns the first report.
    func submit(_ report: Report, journeyID: String, jobs: [NewJob]) async throws -> SubmissionOutcome
    /// The report's evidence files (``Report/fileIDs``), without their bytes, with their SHA-256.
    func files(report: String, force: ForceID) async throws -> [JourneyFile]
    /// One evidence file of a submitted report of the force, with its bytes; nil for a file of
    /// another force, of a journey not submitted, or unknown.
    func file(_ id: String, force: ForceID) async throws -> JourneyFile?
    /// Records that the force's records system has the report.
    func markDelivered(_ id: String, force: ForceID, at date: Date) async throws
    /// The force's reports made between `from` and `to` filed under any of `keys` or `pooled`
    /// (see ``Report/matchKeys``), other than `excluding`: for each of `keys` the most recent
    /// `perKey`, and for `pooled` (keys that are seldom shared, read in one range) the most recent
    /// `perKey` times their number.
    func sharingKeys(_ keys: [String], pooled: [String], force: ForceID, from: Date, to: Date, excluding: String, perKey: Int)
        async throws -> [MatchedReport]
}

/// A report found by its match keys, with what was stored of it for comparison.
package struct MatchedReport: Sendable, Hashable {
    package var id: String
    package var reference: String
    package var createdAt: Date
    /// ``Report/matchFeatures``.
    package var features: String

    package init(id: String, reference: String, createdAt: Date, features: String) {
        self.id = id
        self.reference = reference
        self.createdAt = createdAt
        self.features = features
    }
}

/// Outbound messages, for the local mailbox.
package protocol MessageRepository: Sendable {
    /// Records a message once per idempotency key; returns false when it was already recorded.
    func record(_ message: OutboundMessage, idempotencyKey: String) async throws -> Bool
    /// The message recorded under an idempotency key.
    func find(idempotencyKey: String) async throws -> OutboundMessage?
    func recent(limit: Int) async throws -> [OutboundMessage]
}

/// How search terms are normalised, for what is stored and what staff type alike: lower case,
/// letters and digits (and `@ . _ - +` for email addresses), nothing else. A postcode or a
/// registration loses its spaces; a phone number keeps its digits.
package enum SearchTerm {
    /// The longest term kept.
    package static let maximumLength = 80

    /// Lowercase letters and digits (any script's) and `@._-+`, the rest dropped; at most
    /// ``maximumLength`` characters.
    package static func normalise(_ text: String) -> String {
        asciiNormalised(text) ?? unicodeNormalised(text)
    }

    /// ``normalise(_:)`` for any text.
    static func unicodeNormalised(_ text: String) -> String {
        var output = ""
        for scalar in text.lowercased().unicodeScalars.prefix(maximumLength * 2) {
            if CharacterSet.alphanumerics.contains(scalar) || "@._-+".unicodeScalars.contains(scalar) {
                output.unicodeScalars.append(scalar)
            }
        }
        return String(output.prefix(maximumLength))
    }

    /// ``normalise(_:)`` for text of ASCII alone (references, emails, postcodes, most names),
    /// byte by byte, with the same result; nil for any other text. Foundation's character sets
    /// are slow on Linux, and a submission normalises a dozen terms.
    static func asciiNormalised(_ text: String) -> String? {
        var text = text
        return text.withUTF8 { bytes -> String? in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            let kept = bytes.prefix(maximumLength * 2).lazy.compactMap { byte -> UInt8? in
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte + 32
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): byte
                case UInt8(ascii: "@"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "+"): byte
                default: nil
                }
            }
            return String(decoding: Array(kept.prefix(maximumLength)), as: UTF8.self)
        }
    }

    /// A phone number as its digits, with a leading +44 read as 0.
    package static func phone(_ text: String) -> String {
        asciiPhone(text) ?? unicodePhone(text)
    }

    /// ``phone(_:)`` for text of ASCII alone (a space or a tab the only blanks), byte by byte,
    /// with the same result; nil for any other text.
    static func asciiPhone(_ text: String) -> String? {
        guard text.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        var digits = text.utf8.filter { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        if text.utf8.drop(while: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }).starts(with: "+44".utf8) {
            digits = Array("0".utf8) + digits.dropFirst(2)
        }
        return String(decoding: digits, as: UTF8.self)
    }

    /// ``phone(_:)`` for any text.
    static func unicodePhone(_ text: String) -> String {
        var digits = text.filter(\.isASCII).filter(\.isNumber)
        if text.trimmingCharacters(in: .whitespaces).hasPrefix("+44") { digits = "0" + digits.dropFirst(2) }
        return digits
    }

    /// The terms a name is found by: the whole name and each word in it.
    package static func name(_ text: String) -> [String] {
        let words = text.split(whereSeparator: { $0.isWhitespace }).map { normalise(String($0)) }.filter { !$0.isEmpty }
        return ([normalise(text)] + words).filter { !$0.isEmpty }
    }

    /// The distinct, non-empty terms of a report.
    package static func terms(
        reference: String, contactName: String?, contactEmail: String?, contactPhone: String?, names: [String] = [],
        postcodes: [String] = [], registrations: [String] = []
    ) -> [String] {
        var terms = [normalise(reference)]
        for name in [contactName].compactMap({ $0 }) + names { terms += Self.name(name) }
        if let contactEmail { terms.append(normalise(contactEmail)) }
        if let contactPhone { terms.append(phone(contactPhone)) }
        terms += (postcodes + registrations).map(normalise)
        var seen = Set<String>()
        return terms.filter { !$0.isEmpty && seen.insert($0).inserted }
    }
}
