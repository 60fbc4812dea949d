import Foundation
import PeelCore

/// A problem in a service definition: the file, the path inside it, and why.
package struct DefinitionProblem: Error, Sendable, Hashable, CustomStringConvertible {
    package var file: String
    package var path: String
    package var reason: String

    package init(file: String, path: String, reason: String) {
        self.file = file
        self.path = path
        self.reason = reason
    }

    package var description: String { "\(file): \(path.isEmpty ? "" : "\(path): ")\(reason)" }
}

/// Checks service definitions: one at a time (``problems(in:file:)``) and as a catalogue, where
/// links between services are checked too.
package enum DefinitionValidator {
    /// Every service area a definition may name.
    package static let areas: Set<String> = Set(ServiceArea.allCases.map(\.rawValue))

    /// Decodes `data`, reporting a malformed file or unknown value with its path.
    package static func decode(_ data: Data, file: String) -> Result<ServiceDefinition, DefinitionProblem> {
        do {
            return .success(try JSONDecoder().decode(ServiceDefinition.self, from: data))
        } catch let error as DecodingError {
            let (path, reason) = describe(error)
            return .failure(DefinitionProblem(file: file, path: path, reason: reason))
        } catch {
            return .failure(DefinitionProblem(file: file, path: "", reason: "not valid JSON: \(error.localizedDescription)"))
        }
    }

    /// Problems with one definition on its own. `knownServices` lets links to other services be
    /// checked; `nil` skips that check.
    package static func problems(
        in definition: ServiceDefinition, file: String, knownServices: Set<String>? = nil
    ) -> [DefinitionProblem] {
        var problems: [DefinitionProblem] = []
        func problem(_ path: String, _ reason: String) {
            problems.append(DefinitionProblem(file: file, path: path, reason: reason))
        }
        func text(_ value: LocalisedText?, _ path: String, required: Bool = false) {
            guard let value else {
                if required { problem(path, "missing text") }
                return
            }
            if value.en.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { problem("\(path).en", "missing English text") }
            if value.cy.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { problem("\(path).cy", "missing Welsh text") }
        }

        let expectedID = (file as NSString).lastPathComponent.replacingOccurrences(of: ".json", with: "")
        if !isIdentifier(definition.id) { problem("id", "'\(definition.id)' is not a lowercase-hyphenated id") }
        if file.hasSuffix(".json"), definition.id != expectedID {
            problem("id", "'\(definition.id)' does not match the file name '\(expectedID).json'")
        }
        if definition.version < 1 { problem("version", "must be 1 or more") }
        if !areas.contains(definition.area) {
            problem("area", "unknown area '\(definition.area)'; expected one of \(areas.sorted().joined(separator: ", "))")
        }
        text(definition.title, "title", required: true)
        text(definition.summary, "summary", required: true)
        text(definition.confirmation, "confirmation", required: true)
        text(definition.declaration, "declaration")
        if definition.sections.isEmpty { problem("sections", "at least one section is needed") }

        var sectionIDs: Set<String> = []
        for (index, section) in definition.sections.enumerated() {
            if !sectionIDs.insert(section.id).inserted { problem("sections[\(index)].id", "duplicate section id '\(section.id)'") }
            text(section.title, "sections[\(index)].title", required: true)
        }

        var pageIndex: [String: Int] = [:]
        var questionPage: [String: Page] = [:]
        for (index, page) in definition.pages.enumerated() {
            let path = "pages[\(index)]"
            if !isIdentifier(page.id) { problem("\(path).id", "'\(page.id)' is not a lowercase-hyphenated id") }
            if pageIndex[page.id] != nil { problem("\(path).id", "duplicate page id '\(page.id)'") }
            if reservedPageIDs.contains(page.id) { problem("\(path).id", "'\(page.id)' is reserved for Peel's own pages") }
            pageIndex[page.id] = index
            if !sectionIDs.contains(page.section) { problem("\(path).section", "unknown section '\(page.section)'") }
            text(page.title, "\(path).title")
            text(page.body, "\(path).body")
            text(page.itemLabel, "\(path).itemLabel")
            text(page.addAnother, "\(path).addAnother")
            if let link = page.link {
                text(link.text, "\(path).link.text", required: true)
                switch (link.href, link.service) {
                case (let href?, nil):
                    if !href.hasPrefix("https://") { problem("\(path).link.href", "links must be https://") }
                case (nil, let service?):
                    if let knownServices, !knownServices.contains(service) {
                        problem("\(path).link.service", "unknown service '\(service)'")
                    }
                default:
                    problem("\(path).link", "a link has either href or service")
                }
            }
            switch page.kind {
            case .question, .repeat:
                if page.questions.isEmpty { problem("\(path).questions", "a \(page.kind.rawValue) page needs questions") }
                if page.heading == nil { problem("\(path).title", "a page with several questions needs a title") }
            case .content, .stop:
                if !page.questions.isEmpty { problem("\(path).questions", "a \(page.kind.rawValue) page has no questions") }
                if page.title == nil { problem("\(path).title", "a \(page.kind.rawValue) page needs a title") }
            }
            if page.kind == .stop, !page.next.isEmpty { problem("\(path).next", "a stop page ends the journey; it has no next") }
            if page.kind == .repeat {
                let max = page.max ?? 0
                if !(1...20).contains(max) { problem("\(path).max", "a repeating group needs max from 1 to 20") }
                if let min = page.min, !(0...max).contains(min) { problem("\(path).min", "min must be from 0 to max") }
                text(page.itemLabel, "\(path).itemLabel", required: true)
                text(page.addAnother, "\(path).addAnother", required: true)
            }
            for (transitionIndex, transition) in page.next.enumerated()
            where transition.if == nil && transitionIndex != page.next.count - 1 {
                problem("\(path).next[\(transitionIndex)]", "an entry without 'if' always matches, so it must be last")
            }
            for (questionIndex, question) in page.questions.enumerated() {
                let qpath = "\(path).questions[\(questionIndex)]"
                if !isIdentifier(question.id) { problem("\(qpath).id", "'\(question.id)' is not a lowercase-hyphenated id") }
                if questionPage[question.id] != nil { problem("\(qpath).id", "duplicate question id '\(question.id)'") }
                questionPage[question.id] = page
                text(question.label, "\(qpath).label", required: true)
                text(question.hint, "\(qpath).hint")
                if question.type.hasOptions {
                    let options = question.options ?? []
                    if options.count < 2 { problem("\(qpath).options", "a \(question.type.rawValue) question needs at least two options") }
                    var values: Set<String> = []
                    for (optionIndex, option) in options.enumerated() {
                        if !isIdentifier(option.value) { problem("\(qpath).options[\(optionIndex)].value", "'\(option.value)' is not a lowercase-hyphenated value") }
                        if !values.insert(option.value).inserted { problem("\(qpath).options[\(optionIndex)].value", "duplicate option '\(option.value)'") }
                        text(option.label, "\(qpath).options[\(optionIndex)].label", required: true)
                    }
                } else if question.options != nil {
                    problem("\(qpath).options", "a \(question.type.rawValue) question has no options")
                }
                if let maxLength = question.maxLength, maxLength < 1 { problem("\(qpath).maxLength", "must be 1 or more") }
                if let min = question.min, let max = question.max, min > max { problem("\(qpath).min", "min is more than max") }
                if question.notInFuture, !question.type.isDate { problem("\(qpath).notInFuture", "only date and when questions have dates") }
            }
        }

        // Every target must exist.
        if pageIndex[definition.start] == nil { problem("start", "unknown page '\(definition.start)'") }
        for (index, page) in definition.pages.enumerated() {
            for (transitionIndex, transition) in page.next.enumerated() where pageIndex[transition.page] == nil {
                problem("pages[\(index)].next[\(transitionIndex)].page", "unknown page '\(transition.page)'")
            }
        }
        guard problems.isEmpty else { return problems }

        // The page graph: no cycles, every page reachable.
        let graph = PageGraph(definition)
        if let cycle = graph.cycle() {
            problem("pages[\(pageIndex[cycle[0]]!)].next", "cycle: \(cycle.joined(separator: " → "))")
            return problems
        }
        let reachable = graph.reachable(from: definition.start)
        for (index, page) in definition.pages.enumerated() where !reachable.contains(page.id) {
            problem("pages[\(index)]", "page '\(page.id)' is not reached from start")
        }

        // Conditions read only questions asked before them on every path, outside repeating groups.
        let before = graph.answeredBefore(start: definition.start)
        func check(_ condition: Condition?, _ path: String, known: Set<String>) {
            guard let condition else { return }
            for question in condition.questions {
                guard let page = questionPage[question] else {
                    problem(path, "unknown question '\(question)'")
                    continue
                }
                if page.kind == .repeat {
                    problem(path, "question '\(question)' is in a repeating group; conditions cannot read it")
                } else if !known.contains(question) {
                    problem(path, "question '\(question)' is not asked before this on every path")
                }
            }
            checkDateConditions(condition, path)
        }
        func checkDateConditions(_ condition: Condition, _ path: String) {
            switch condition {
            case .dateWithin(let question, _), .dateBefore(let question, _):
                if let type = questionPage[question]?.questions.first(where: { $0.id == question })?.type, !type.isDate {
                    problem(path, "question '\(question)' is not a date")
                }
            case .not(let inner): checkDateConditions(inner, path)
            case .all(let conditions), .any(let conditions): conditions.forEach { checkDateConditions($0, path) }
            default: break
            }
        }
        for (index, page) in definition.pages.enumerated() {
            let known = before[page.id] ?? []
            check(page.showIf, "pages[\(index)].showIf", known: known)
            let after = known.union(page.kind == .question && page.showIf == nil ? Set(page.questions.map(\.id)) : [])
            for (transitionIndex, transition) in page.next.enumerated() {
                check(transition.if, "pages[\(index)].next[\(transitionIndex)].if", known: after)
            }
        }
        return problems
    }

    /// Page ids Peel uses for every journey's own pages.
    package static let reservedPageIDs: Set<String> = ["check-answers", "confirmation", "start", "save", "resume"]

    static func isIdentifier(_ text: String) -> Bool {
        ForceID(validating: text) != nil || (text.count == 1 && text.allSatisfy { $0.isLowercase || $0.isNumber })
    }

    private static func describe(_ error: DecodingError) -> (String, String) {
        func path(_ keys: [any CodingKey]) -> String {
            keys.reduce("") { path, key in
                if let index = key.intValue { return "\(path)[\(index)]" }
                return path.isEmpty ? key.stringValue : "\(path).\(key.stringValue)"
            }
        }
        switch error {
        case .keyNotFound(let key, let context):
            return (path(context.codingPath + [key]), "missing")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return (path(context.codingPath), context.debugDescription)
        case .dataCorrupted(let context):
            if let underlying = context.underlyingError as NSError? {
                return (path(context.codingPath), "not valid JSON: \(underlying.localizedDescription)")
            }
            let reason = context.debugDescription.hasPrefix("Cannot initialize")
                ? "unknown value: \(context.debugDescription)" : context.debugDescription
            return (path(context.codingPath), reason)
        @unknown default:
            return ("", String(describing: error))
        }
    }
}

/// The pages of a definition as a graph of `next` edges.
struct PageGraph {
    let definition: ServiceDefinition
    let pages: [String: Page]
    let edges: [String: [String]]

    init(_ definition: ServiceDefinition) {
        self.definition = definition
        pages = Dictionary(definition.pages.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        edges = Dictionary(
            definition.pages.map { page in (page.id, page.next.map(\.page)) }, uniquingKeysWith: { first, _ in first })
    }

    func reachable(from start: String) -> Set<String> {
        var seen: Set<String> = [start]
        var stack = [start]
        while let page = stack.popLast() {
            for target in edges[page] ?? [] where seen.insert(target).inserted { stack.append(target) }
        }
        return seen
    }

    /// A cycle, as the pages along it, if there is one.
    func cycle() -> [String]? {
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        var stack: [String] = []
        func visit(_ page: String) -> [String]? {
            state[page] = 1
            stack.append(page)
            for target in edges[page] ?? [] {
                if state[target] == 1, let start = stack.firstIndex(of: target) { return Array(stack[start...]) + [target] }
                if state[target] == nil, let found = visit(target) { return found }
            }
            stack.removeLast()
            state[page] = 2
            return nil
        }
        for page in definition.pages.map(\.id) where state[page] == nil {
            if let found = visit(page) { return found }
        }
        return nil
    }

    /// For each page, the questions answered on every path from `start` to it. Questions on a page
    /// with `showIf` or in a repeating group are never counted as certain. Needs an acyclic graph.
    func answeredBefore(start: String) -> [String: Set<String>] {
        var order: [String] = []
        var seen: Set<String> = []
        func visit(_ page: String) {
            guard seen.insert(page).inserted else { return }
            for target in edges[page] ?? [] { visit(target) }
            order.append(page)
        }
        visit(start)
        var before: [String: Set<String>] = [start: []]
        for page in order.reversed() {
            guard let known = before[page], let definition = pages[page] else { continue }
            let after = known.union(
                definition.kind == .question && definition.showIf == nil ? Set(definition.questions.map(\.id)) : [])
            // A page skipped by its showIf goes on to its next pages without its own answers.
            let passed = definition.showIf == nil ? after : known
            for target in edges[page] ?? [] {
                before[target] = before[target].map { $0.intersection(passed) } ?? passed
            }
        }
        return before
    }
}
