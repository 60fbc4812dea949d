import Foundation
import Synchronization
import PeelCore

/// Text in both of Peel's languages. Definitions are refused when either is missing or empty.
package struct LocalisedText: Codable, Sendable, Hashable {
    package var en: String
    package var cy: String

    package init(en: String, cy: String) {
        self.en = en
        self.cy = cy
    }

    package func text(_ language: Language) -> String {
        switch language {
        case .english: en
        case .welsh: cy
        }
    }
}

/// One online service: its pages, questions and branching, versioned, in English and Welsh.
/// The language is documented in `docs/services.md`.
package struct ServiceDefinition: Codable, Sendable {
    package enum Availability: String, Codable, Sendable {
        case core
        case full

        /// Whether a force on `model` offers a service with this availability.
        package func isOffered(under model: OnboardingModel) -> Bool {
            switch model {
            case .notOnboarded: false
            case .core: self == .core
            case .full: true
            }
        }
    }

    package struct Sensitivity: Codable, Sendable, Hashable {
        package var quickExit: Bool
        package var echoAnswersInEmail: Bool
    }

    package struct Routing: Codable, Sendable, Hashable {
        package enum Priority: String, Codable, Sendable {
            case routine, standard, priority
        }
        package var category: String
        package var priority: Priority
    }

    package struct Section: Codable, Sendable, Hashable {
        package var id: String
        package var title: LocalisedText
    }

    package var id: String
    package var version: Int
    package var availability: Availability
    package var area: String
    package var title: LocalisedText
    package var summary: LocalisedText
    package var sensitivity: Sensitivity
    package var routing: Routing
    package var sections: [Section]
    package var start: String
    package var pages: [Page] { didSet { pagePositions = PagePositions() } }
    package var declaration: LocalisedText?
    package var confirmation: LocalisedText
    /// Where each page id first appears in ``pages``, worked out once for a definition (and again
    /// after its pages change) rather than by every request's engine. Shared by the copies of a
    /// definition, which share their pages.
    private var pagePositions = PagePositions()

    private enum CodingKeys: String, CodingKey {
        case id, version, availability, area, title, summary, sensitivity, routing, sections, start, pages, declaration
        case confirmation
    }

    /// The position in ``pages`` of the first page with each id.
    package var pageIndex: [String: Int] { pagePositions.index(of: pages) }
}

/// A definition's page positions, computed on first use.
private final class PagePositions: Sendable {
    private let index = Mutex<[String: Int]?>(nil)

    func index(of pages: [Page]) -> [String: Int] {
        index.withLock { index in
            if let index { return index }
            var made: [String: Int] = [:]
            made.reserveCapacity(pages.count)
            for (offset, page) in pages.enumerated() where made[page.id] == nil { made[page.id] = offset }
            index = made
            return made
        }
    }
}

/// A page of a journey.
package struct Page: Codable, Sendable {
    package enum Kind: String, Codable, Sendable {
        /// One question, or a small group of related ones.
        case question
        /// Guidance or a signpost; continues when it has `next`.
        case content
        /// The journey ends here (call 999 now); nothing is sent.
        case stop
        /// A repeating group: its questions are asked once per entry.
        case `repeat`
    }

    package struct Link: Codable, Sendable, Hashable {
        package var href: String?
        package var service: String?
        package var text: LocalisedText
    }

    package struct Transition: Codable, Sendable {
        package var `if`: Condition?
        package var page: String
    }

    package var id: String
    package var kind: Kind
    package var section: String
    package var title: LocalisedText?
    package var body: LocalisedText?
    package var link: Link?
    package var questions: [Question]
    package var showIf: Condition?
    package var next: [Transition]
    package var max: Int?
    package var min: Int?
    package var itemLabel: LocalisedText?
    package var addAnother: LocalisedText?

    enum CodingKeys: String, CodingKey {
        case id, kind, section, title, body, link, questions, showIf, next, max, min, itemLabel, addAnother
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        kind = try container.decodeIfPresent(Kind.self, forKey: .kind) ?? .question
        section = try container.decode(String.self, forKey: .section)
        title = try container.decodeIfPresent(LocalisedText.self, forKey: .title)
        body = try container.decodeIfPresent(LocalisedText.self, forKey: .body)
        link = try container.decodeIfPresent(Link.self, forKey: .link)
        questions = try container.decodeIfPresent([Question].self, forKey: .questions) ?? []
        showIf = try container.decodeIfPresent(Condition.self, forKey: .showIf)
        next = try container.decodeIfPresent([Transition].self, forKey: .next) ?? []
        max = try container.decodeIfPresent(Int.self, forKey: .max)
        min = try container.decodeIfPresent(Int.self, forKey: .min)
        itemLabel = try container.decodeIfPresent(LocalisedText.self, forKey: .itemLabel)
        addAnother = try container.decodeIfPresent(LocalisedText.self, forKey: .addAnother)
    }

    /// The heading: the title, or the only question's label.
    package var heading: LocalisedText? {
        title ?? (questions.count == 1 ? questions[0].label : nil)
    }
}

/// A question on a page.
package struct Question: Codable, Sendable {
    package enum Kind: String, Codable, Sendable, CaseIterable {
        case text, textarea, radios, checkboxes, yesNo, date, time, when, number, money, email, phone, postcode
        case address, location, person, vehicle, item, file

        var hasOptions: Bool { self == .radios || self == .checkboxes }
        var isDate: Bool { self == .date || self == .when }
    }

    package enum ContactRole: String, Codable, Sendable {
        case email, phone, name
    }

    package struct Option: Codable, Sendable, Hashable {
        package var value: String
        package var label: LocalisedText
    }

    package var id: String
    package var type: Kind
    package var label: LocalisedText
    package var hint: LocalisedText?
    package var required: Bool
    package var options: [Option]?
    package var maxLength: Int?
    package var min: Double?
    package var max: Double?
    package var notInFuture: Bool
    package var contact: ContactRole?

    enum CodingKeys: String, CodingKey {
        case id, type, label, hint, required, options, maxLength, min, max, notInFuture, contact
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        type = try container.decode(Kind.self, forKey: .type)
        label = try container.decode(LocalisedText.self, forKey: .label)
        hint = try container.decodeIfPresent(LocalisedText.self, forKey: .hint)
        required = try container.decodeIfPresent(Bool.self, forKey: .required) ?? true
        options = try container.decodeIfPresent([Option].self, forKey: .options)
        maxLength = try container.decodeIfPresent(Int.self, forKey: .maxLength)
        min = try container.decodeIfPresent(Double.self, forKey: .min)
        max = try container.decodeIfPresent(Double.self, forKey: .max)
        notInFuture = try container.decodeIfPresent(Bool.self, forKey: .notInFuture) ?? false
        contact = try container.decodeIfPresent(ContactRole.self, forKey: .contact)
    }

    /// The most characters a text answer may have.
    package var effectiveMaxLength: Int {
        maxLength ?? (type == .textarea ? 5000 : 200)
    }
}

/// A condition on earlier answers, written as an object with one key.
package indirect enum Condition: Codable, Sendable {
    case equals(question: String, value: String)
    case oneOf(question: String, values: [String])
    case answered(String)
    case not(Condition)
    case all([Condition])
    case any([Condition])
    case dateWithin(question: String, days: Int)
    case dateBefore(question: String, days: Int)

    private struct QuestionValue: Codable { var question: String; var value: String }
    private struct QuestionValues: Codable { var question: String; var values: [String] }
    private struct QuestionDays: Codable { var question: String; var days: Int }

    private enum Key: String, CodingKey, CaseIterable {
        case equals, oneOf, answered, not, all, any, dateWithin, dateBefore
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription:
                        "a condition is an object with exactly one of: \(Key.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        switch key {
        case .equals:
            let body = try container.decode(QuestionValue.self, forKey: key)
            self = .equals(question: body.question, value: body.value)
        case .oneOf:
            let body = try container.decode(QuestionValues.self, forKey: key)
            self = .oneOf(question: body.question, values: body.values)
        case .answered:
            self = .answered(try container.decode(String.self, forKey: key))
        case .not:
            self = .not(try container.decode(Condition.self, forKey: key))
        case .all:
            self = .all(try container.decode([Condition].self, forKey: key))
        case .any:
            self = .any(try container.decode([Condition].self, forKey: key))
        case .dateWithin:
            let body = try container.decode(QuestionDays.self, forKey: key)
            self = .dateWithin(question: body.question, days: body.days)
        case .dateBefore:
            let body = try container.decode(QuestionDays.self, forKey: key)
            self = .dateBefore(question: body.question, days: body.days)
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        switch self {
        case .equals(let question, let value): try container.encode(QuestionValue(question: question, value: value), forKey: .equals)
        case .oneOf(let question, let values): try container.encode(QuestionValues(question: question, values: values), forKey: .oneOf)
        case .answered(let question): try container.encode(question, forKey: .answered)
        case .not(let condition): try container.encode(condition, forKey: .not)
        case .all(let conditions): try container.encode(conditions, forKey: .all)
        case .any(let conditions): try container.encode(conditions, forKey: .any)
        case .dateWithin(let question, let days): try container.encode(QuestionDays(question: question, days: days), forKey: .dateWithin)
        case .dateBefore(let question, let days): try container.encode(QuestionDays(question: question, days: days), forKey: .dateBefore)
        }
    }

    /// The questions this condition reads.
    package var questions: [String] {
        switch self {
        case .equals(let question, _), .oneOf(let question, _), .answered(let question),
            .dateWithin(let question, _), .dateBefore(let question, _):
            [question]
        case .not(let condition): condition.questions
        case .all(let conditions), .any(let conditions): conditions.flatMap(\.questions)
        }
    }
}
