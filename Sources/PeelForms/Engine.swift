import Foundation
import PeelCore

/// Where a journey stands.
package enum JourneyPosition: Sendable, Hashable {
    /// This page is next to show.
    case page(String)
    /// Every question on the path is answered: check your answers.
    case checkAnswers
    /// The journey ended at a stop page or an end signpost; nothing is sent.
    case ended(String)
}

/// An outcome with every problem found, rather than the first.
package enum Checked<Value: Sendable>: Sendable {
    case success(Value)
    case failure([FieldError])
}

/// A problem with an answer, for the error summary and the field.
package struct FieldError: Error, Sendable, Hashable {
    /// The id of the input the message belongs to (the question id, or `id-part`).
    package var field: String
    package var message: String

    package init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// The pages a journey shows, in order, up to where it stands, and where that is.
package typealias JourneyWalk = (path: [String], position: JourneyPosition)

/// The journey engine: pure functions of a definition, the answers so far and today's date.
package struct JourneyEngine: Sendable {
    package let definition: ServiceDefinition
    /// Today, as `YYYY-MM-DD` in UK time, for date rules.
    package let today: String
    /// Each page's place in the definition, by id (the first of a repeated id).
    private let pageIndex: [String: Int]

    package init(definition: ServiceDefinition, today: String) {
        self.definition = definition
        self.today = today
        self.pageIndex = definition.pageIndex
    }

    package func page(_ id: String) -> Page? { pageIndex[id].map { definition.pages[$0] } }

    // MARK: Navigation

    /// The pages the journey shows, in order, up to where it stands, and where that is.
    package func walk(_ state: JourneyState) -> JourneyWalk {
        // Pages are read where they are kept, field by field, rather than copied out whole: a
        // walk runs on every request of a journey, over every page on its path.
        let pages = definition.pages
        var path: [String] = []
        var current = definition.start
        var guardCount = 0
        while let index = pageIndex[current], guardCount <= pageIndex.count {
            guardCount += 1
            if let showIf = pages[index].showIf, !evaluate(showIf, state) {
                guard let target = firstMatch(pages[index].next, state) else { return (path, .checkAnswers) }
                current = target
                continue
            }
            let id = pages[index].id
            path.append(id)
            switch pages[index].kind {
            case .stop:
                return (path, .ended(id))
            case .content where pages[index].next.isEmpty:
                return (path, .ended(id))
            default:
                guard state.completed.contains(id) else { return (path, .page(id)) }
            }
            guard let target = firstMatch(pages[index].next, state) else { return (path, .checkAnswers) }
            current = target
        }
        return (path, .checkAnswers)
    }

    package func position(_ state: JourneyState) -> JourneyPosition { walk(state).position }

    /// Whether `page` may be shown or posted now: it is on the path the answers lead along.
    package func isReachable(_ page: String, _ state: JourneyState) -> Bool {
        walk(state).path.contains(page)
    }

    /// The state without answers to pages no longer on the path (after an earlier answer
    /// changed the route).
    package func pruned(_ state: JourneyState) -> JourneyState { prunedAndWalked(state).state }

    /// ``pruned(_:)``, with the walk of the state it returns (the walk the pruning ends on, so a
    /// caller that needs both walks once).
    package func prunedAndWalked(_ state: JourneyState) -> (state: JourneyState, walk: JourneyWalk) {
        var kept = state
        // Walking with answers that are then removed can open a different path; repeat until
        // nothing changes (bounded by the number of pages). Only what the state holds is looked
        // at: an answer goes when the page that asks its question (each question is asked on one
        // page of a valid definition) is off the path; an id no page asks is left as it is.
        var walked = walk(kept)
        for _ in 0...pageIndex.count {
            let path = walked.path
            let onPath = Set(path)
            var asked: Set<String> = []
            for id in path {
                guard let index = pageIndex[id] else { continue }
                for question in definition.pages[index].questions { asked.insert(question.id) }
            }
            var answers = kept.answers.keys.filter { !asked.contains($0) }
            if !answers.isEmpty {
                let known = Set(definition.pages.flatMap { $0.questions.map(\.id) })
                answers = answers.filter(known.contains)
            }
            let entries = kept.entries.keys.filter { pageIndex[$0] != nil && !onPath.contains($0) }
            let completed = kept.completed.filter { pageIndex[$0] != nil && !onPath.contains($0) }
            if answers.isEmpty && entries.isEmpty && completed.isEmpty { return (kept, walked) }
            for question in answers { kept.answers[question] = nil }
            for page in entries { kept.entries[page] = nil }
            kept.completed.subtract(completed)
            walked = walk(kept)
        }
        return (kept, walked)
    }

    private func firstMatch(_ next: [Page.Transition], _ state: JourneyState) -> String? {
        next.first { $0.if.map { evaluate($0, state) } ?? true }?.page
    }

    // MARK: Conditions

    package func evaluate(_ condition: Condition, _ state: JourneyState) -> Bool {
        switch condition {
        case .equals(let question, let value):
            return state.answers[question]?.list.contains(value) ?? false
        case .oneOf(let question, let values):
            return state.answers[question]?.list.contains { values.contains($0) } ?? false
        case .answered(let question):
            guard let answer = state.answers[question] else { return false }
            switch answer {
            case .text(let text): return !text.isEmpty
            case .list(let values): return !values.isEmpty
            case .fields(let fields): return fields.values.contains { !$0.isEmpty }
            }
        case .not(let inner):
            return !evaluate(inner, state)
        case .all(let conditions):
            return conditions.allSatisfy { evaluate($0, state) }
        case .any(let conditions):
            return conditions.contains { evaluate($0, state) }
        case .dateWithin(let question, let days):
            guard let date = latestDate(state.answers[question]), let cutoff = DateText.adding(-days, to: today) else {
                return false
            }
            return date >= cutoff
        case .dateBefore(let question, let days):
            guard let date = latestDate(state.answers[question]), let cutoff = DateText.adding(-days, to: today) else {
                return false
            }
            return date < cutoff
        }
    }

    private func latestDate(_ answer: Answer?) -> String? {
        switch answer {
        case .text(let text)?: DateText.isValid(text) ? text : nil
        case .fields(let fields)?: fields["to-date"] ?? fields["date"]
        default: nil
        }
    }

    // MARK: Answers

    /// Reads a page's form: the answers, or every problem with them. Nothing is stored unless
    /// every answer on the page is valid.
    package func read(
        _ page: Page, form: [String: [String]], language: Language
    ) -> Checked<[String: Answer]> {
        var answers: [String: Answer] = [:]
        var errors: [FieldError] = []
        for question in page.questions {
            switch AnswerReader(question: question, today: today, language: language).read(form) {
            case .success(let answer?): answers[question.id] = answer
            case .success(nil): break
            case .failure(let problems): errors += problems
            }
        }
        return errors.isEmpty ? .success(answers) : .failure(errors)
    }

    /// Accepts a question page's answers into the state (callers check reachability first).
    package func accept(_ answers: [String: Answer], on page: Page, into state: JourneyState) -> JourneyState {
        acceptAndWalk(answers, on: page, into: state).state
    }

    /// ``accept(_:on:into:)``, with the walk of the state it returns.
    package func acceptAndWalk(_ answers: [String: Answer], on page: Page, into state: JourneyState)
        -> (state: JourneyState, walk: JourneyWalk)
    {
        var next = state
        for question in page.questions { next.answers[question.id] = answers[question.id] }
        next.completed.insert(page.id)
        return prunedAndWalked(next)
    }

    /// Every answer on the path, grouped by section, for "check your answers".
    package func summary(_ state: JourneyState, language: Language) -> [AnswerSummarySection] {
        let path = walk(state).path
        var sections: [AnswerSummarySection] = definition.sections.map {
            AnswerSummarySection(id: $0.id, title: $0.title.text(language), rows: [])
        }
        for pageID in path {
            guard let page = page(pageID), let index = sections.firstIndex(where: { $0.id == page.section }) else { continue }
            switch page.kind {
            case .question:
                for question in page.questions {
                    sections[index].rows.append(
                        AnswerSummaryRow(
                            question: question.label.text(language),
                            answer: AnswerFormatter.display(state.answers[question.id], question: question, language: language),
                            page: page.id))
                }
            case .repeat:
                let entries = state.entries[page.id] ?? []
                let label = page.itemLabel?.text(language) ?? ""
                sections[index].rows.append(
                    AnswerSummaryRow(
                        question: page.heading?.text(language) ?? label,
                        answer: entries.isEmpty
                            ? [language == .welsh ? "Dim" : "None"]
                            : entries.enumerated().map { offset, entry in
                                "\(label) \(offset + 1): "
                                    + page.questions.compactMap { question in
                                        AnswerFormatter.display(entry[question.id], question: question, language: language)
                                            .joined(separator: ", ").nilIfEmpty
                                    }.joined(separator: "; ")
                            },
                        page: page.id))
            case .content, .stop:
                break
            }
        }
        return sections.filter { !$0.rows.isEmpty }
    }
}

package struct AnswerSummarySection: Sendable, Hashable {
    package var id: String
    package var title: String
    package var rows: [AnswerSummaryRow]
}

package struct AnswerSummaryRow: Sendable, Hashable {
    package var question: String
    /// Lines of the answer as shown.
    package var answer: [String]
    /// The page to change it on.
    package var page: String
}
