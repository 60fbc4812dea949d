import Foundation
import PeelCore

/// An answer to one question.
package enum Answer: Codable, Sendable, Hashable {
    /// text, textarea, radios, yes/no, date (`YYYY-MM-DD`), time (`HH:MM`), number, money,
    /// email, phone, postcode.
    case text(String)
    /// checkboxes: the ticked option values.
    case list([String])
    /// compound answers (when, address, location, person, vehicle, item, file): named parts.
    case fields([String: String])

    package var text: String? {
        if case .text(let value) = self { return value }
        return nil
    }

    package var list: [String] {
        switch self {
        case .list(let values): values
        case .text(let value): [value]
        case .fields: []
        }
    }

    package var fields: [String: String] {
        if case .fields(let values) = self { return values }
        return [:]
    }
}

/// Where a person is in a journey: every answer given, the entries of repeating groups, and the
/// pages whose form has been accepted. Kept server-side between requests.
package struct JourneyState: Codable, Sendable, Hashable {
    package var answers: [String: Answer] = [:]
    /// Repeating groups' entries, by page id.
    package var entries: [String: [[String: Answer]]] = [:]
    /// Pages whose form was accepted (a content page's continue, a repeating group's "no more").
    package var completed: Set<String> = []
    /// Set once the declaration is accepted.
    package var declared = false

    package init() {}
}

/// The answers of a report as stored: the definition's ids, so the hub can map them.
package struct ReportDocument: Codable, Sendable {
    package var service: String
    package var version: Int
    package var answers: [String: Answer]
    package var entries: [String: [[String: Answer]]]
    package var declared: Bool

    package init(
        service: String, version: Int, answers: [String: Answer], entries: [String: [[String: Answer]]], declared: Bool
    ) {
        self.service = service
        self.version = version
        self.answers = answers
        self.entries = entries
        self.declared = declared
    }

    /// The answers of a stored report (`json`) as its check-your-answers page showed them, in
    /// `language`: sections of question and answer lines. Empty when the JSON is not a report's.
    package static func summary(of json: String, definition: ServiceDefinition, language: Language, today: String) -> [AnswerSummarySection] {
        guard let document = AnswerJSON.document(from: json) else { return [] }
        var state = JourneyState()
        state.answers = document.answers
        state.entries = document.entries
        state.completed = Set(definition.pages.map(\.id))
        return JourneyEngine(definition: definition, today: today).summary(state, language: language).filter { !$0.rows.isEmpty }
    }
}


/// What staff can find a report by, taken from its answers: the names of people, postcodes
/// (asked alone or in an address) and vehicle registrations, in repeating groups too.
package enum ReportSearchTerms {
    package static func terms(
        definition: ServiceDefinition, reference: String, contactName: String?, contactEmail: String?, contactPhone: String?,
        answers: [String: Answer], entries: [String: [[String: Answer]]]
    ) -> [String] {
        var names: [String] = []
        var postcodes: [String] = []
        var registrations: [String] = []
        let groups = [answers] + entries.values.flatMap { $0 }
        // Pages and questions are read in place, and only the questions of the four kinds that
        // give terms looked up: this runs for every report submitted.
        let pages = definition.pages
        for page in pages.indices {
            let questions = pages[page].questions
            for index in questions.indices {
                let type = questions[index].type
                guard type == .postcode || type == .address || type == .vehicle || type == .person else { continue }
                let id = questions[index].id
                for group in groups {
                    guard let answer = group[id] else { continue }
                    switch type {
                    case .postcode: if let text = answer.text { postcodes.append(text) }
                    case .address: if let postcode = answer.fields["postcode"] { postcodes.append(postcode) }
                    case .vehicle: if let registration = answer.fields["registration"] { registrations.append(registration) }
                    case .person: if let name = answer.fields["name"] { names.append(name) }
                    default: break
                    }
                }
            }
        }
        return SearchTerm.terms(
            reference: reference, contactName: contactName, contactEmail: contactEmail, contactPhone: contactPhone,
            names: names, postcodes: postcodes, registrations: registrations)
    }
}
