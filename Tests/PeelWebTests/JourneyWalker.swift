import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PeelCore
import PeelForms
import Testing

/// A browser without JavaScript, for tests: it keeps cookies, posts forms with the CSRF token
/// and follows redirects.
struct TestBrowser {
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]
    var language: Language = .english
    /// The address a proxy in front of Peel would report for this browser (`X-Forwarded-For`).
    var forwardedFor: String?

    init(client: any TestClientProtocol) { self.client = client }

    var cookieHeader: String { cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ") }

    /// The headers every request of this browser carries, with `extra`.
    func headers(_ extra: HTTPFields = [:]) -> HTTPFields {
        var fields = extra
        fields[.cookie] = cookieHeader
        if let forwardedFor { fields[HTTPField.Name("X-Forwarded-For")!] = forwardedFor }
        return fields
    }

    mutating func remember(_ response: TestResponse) {
        for header in response.headers[values: .setCookie] {
            let pair = header.prefix { $0 != ";" }
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { continue }
            // An emptied cookie (sign-out) is forgotten, as a browser does.
            if parts[1].isEmpty { cookies[String(parts[0])] = nil } else { cookies[String(parts[0])] = String(parts[1]) }
        }
    }

    /// GET `path` (following redirects); returns the final path, status and body.
    mutating func get(_ path: String) async throws -> (path: String, status: HTTPResponse.Status, html: String) {
        // A browser never sends the fragment.
        var current = String(path.prefix { $0 != "#" })
        for _ in 0..<10 {
            let uri = current.contains("?") ? current : "\(current)?lang=\(language.rawValue)"
            let response = try await client.execute(uri: uri, method: .get, headers: headers())
            remember(response)
            if response.status == .seeOther || response.status == .found, let location = response.headers[.location] {
                current = String(location.prefix { $0 != "#" })
                continue
            }
            return (current, response.status, response.text)
        }
        throw WalkError(message: "too many redirects from \(path)")
    }

    /// POST `fields` to `path` with the CSRF token; follows the redirect on success.
    mutating func post(_ path: String, _ fields: [(String, String)]) async throws -> (path: String, status: HTTPResponse.Status, html: String) {
        if cookies["peel_csrf"] == nil { _ = try await get("/") }
        let token = cookies["peel_csrf"] ?? ""
        let body = ([("csrf_token", token)] + fields).map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
        let response = try await client.execute(
            uri: path, method: .post,
            headers: headers([.contentType: "application/x-www-form-urlencoded"]),
            body: ByteBuffer(string: body))
        remember(response)
        if response.status == .seeOther, let location = response.headers[.location] { return try await get(location) }
        return (path, response.status, response.text)
    }

    func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

struct WalkError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// How a walk ended.
enum WalkEnd: Equatable {
    case reference(String)
    case ended(String)
}

/// A small deterministic random source, so that planned walks are the same on every run.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Days counted from today in the UK (as the engine's date rules count them), as the day, month
/// and year a person types: recent answers fall inside every "in the last few days" rule whatever
/// day the tests run, and older ones outside it.
enum Days {
    static let yesterday = parts(daysFromToday: -1)
    static let fourDaysAgo = parts(daysFromToday: -4)
    static let twoYearsAgo = parts(daysFromToday: -730)
    static let twoYearsAndThreeDaysAgo = parts(daysFromToday: -733)
    static let nextYear = parts(daysFromToday: 365)

    static func parts(daysFromToday days: Int) -> (day: String, month: String, year: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let today = DateText.today().split(separator: "-").compactMap { Int($0) }
        let start = calendar.date(from: DateComponents(year: today[0], month: today[1], day: today[2]))!
        let moved = calendar.dateComponents([.year, .month, .day], from: calendar.date(byAdding: .day, value: days, to: start)!)
        return (String(moved.day!), String(moved.month!), String(moved.year!))
    }
}

/// Generated answers: valid form fields for a question, varied by the random source so that
/// walks take different branches.
enum AnswerGenerator {
    /// Choices cycle through their options (`turns` counts how often each question was asked),
    /// so that every option of every choice is taken in turn; the rest varies at random.
    static func fields(_ question: Question, _ random: inout SeededRandom, turns: inout [String: Int]) -> [(String, String)] {
        let turn = turns[question.id, default: 0]
        turns[question.id] = turn + 1
        let id = question.id
        let recent = Bool.random(using: &random)
        let (day, month, year) = recent ? Days.yesterday : Days.twoYearsAgo
        switch question.type {
        case .text: return [(id, "Walker answer")]
        case .textarea: return [(id, "It happened <b>quickly</b> & without warning.\nSecond line.")]
        case .radios:
            let options = question.options ?? []
            return [(id, options[turn % options.count].value)]
        case .checkboxes:
            let options = (question.options ?? []).shuffled(using: &random)
            return options.prefix(Int.random(in: 1...options.count, using: &random)).map { (id, $0.value) }
        case .yesNo: return [(id, turn % 2 == 0 ? "no" : "yes")]
        case .date:
            // A date that may be in the future (an expiry date) is sometimes next year.
            let future = !question.notInFuture && Bool.random(using: &random)
            let (futureDay, futureMonth, futureYear) = Days.nextYear
            return future
                ? [("\(id)-day", futureDay), ("\(id)-month", futureMonth), ("\(id)-year", futureYear)]
                : [("\(id)-day", day), ("\(id)-month", month), ("\(id)-year", year)]
        case .time: return [(id, "14:30")]
        case .when:
            let from = recent ? Days.fourDaysAgo : Days.twoYearsAndThreeDaysAgo
            return Bool.random(using: &random)
                ? [
                    ("\(id)-mode", "between"), ("\(id)-from-day", from.day), ("\(id)-from-month", from.month), ("\(id)-from-year", from.year),
                    ("\(id)-to-day", day), ("\(id)-to-month", month), ("\(id)-to-year", year),
                ]
                : [("\(id)-mode", "exact"), ("\(id)-day", day), ("\(id)-month", month), ("\(id)-year", year), ("\(id)-time", "09:15")]
        case .number:
            let low = question.min ?? 1
            let high = question.max ?? max(low, 5)
            return [(id, String(Int(Double.random(in: low...high, using: &random).rounded(.down))))]
        case .money: return [(id, "25.50")]
        case .email: return [(id, "walker@example.org")]
        case .phone: return [(id, "07700 900982")]
        case .postcode: return [(id, "LL18 1AA")]
        case .address: return [("\(id)-line1", "1 High Street"), ("\(id)-town", "Rhyl"), ("\(id)-postcode", "LL18 1AA")]
        case .location: return [("\(id)-description", "Outside the station")]
        case .person: return [("\(id)-name", "Alex Example"), ("\(id)-age-range", "25-34"), ("\(id)-description", "Tall, blue coat")]
        case .vehicle: return [("\(id)-registration", "AB12 CDE"), ("\(id)-make", "Ford"), ("\(id)-colour", "Blue")]
        case .item: return [("\(id)-description", "Black wallet"), ("\(id)-value", "20")]
        case .file: return [(id, "photo-1.jpg")]
        }
    }
}

/// A planned walk: the form to post on each page, found by walking the engine directly.
struct PlannedWalk {
    var forms: [String: [(String, String)]] = [:]
    /// Entries to add on each repeating page.
    var entries: [String: Int] = [:]
    var pages: Set<String> = []
}

/// Plans walks with the engine alone (no HTTP): many random walks, then the fewest that between
/// them show every page any walk reached.
enum WalkPlanner {
    /// Walks until 400 walks in a row find no new page (at most 5000).
    static func plan(_ definition: ServiceDefinition, patience: Int = 400, limit: Int = 5000) -> (walks: [PlannedWalk], reached: Set<String>) {
        let engine = JourneyEngine(definition: definition, today: DateText.today())
        var random = SeededRandom(state: UInt64(truncatingIfNeeded: definition.id.hashValue &* 0 &+ definition.id.utf8.reduce(7) { $0 &* 31 &+ Int($1) }))
        var walks: [PlannedWalk] = []
        var turns: [String: Int] = [:]
        var seen: Set<String> = []
        var sinceNew = 0
        while sinceNew < patience, walks.count < limit {
            var state = JourneyState()
            var walk = PlannedWalk()
            stepping: for _ in 0..<200 {
                switch engine.position(state) {
                case .checkAnswers:
                    break stepping
                case .ended(let page):
                    walk.pages.insert(page)
                    break stepping
                case .page(let id):
                    guard let page = engine.page(id) else { break stepping }
                    walk.pages.insert(id)
                    switch page.kind {
                    case .content, .stop:
                        state.completed.insert(id)
                    case .question:
                        let form = page.questions.flatMap { AnswerGenerator.fields($0, &random, turns: &turns) }
                        guard case .success(let answers) = engine.read(page, form: Dictionary(grouping: form, by: \.0).mapValues { $0.map(\.1) }, language: .english)
                        else { break stepping }
                        walk.forms[id] = form
                        for (key, value) in answers { state.answers[key] = value }
                        state.completed.insert(id)
                    case .repeat:
                        let count = Int.random(in: max(page.min ?? 0, 0)...min(page.max ?? 1, 2), using: &random)
                        walk.entries[id] = count
                        let form = page.questions.flatMap { AnswerGenerator.fields($0, &random, turns: &turns) }
                        walk.forms[id] = form
                        state.completed.insert(id)
                    }
                }
            }
            walks.append(walk)
            if walk.pages.isSubset(of: seen) {
                sinceNew += 1
            } else {
                seen.formUnion(walk.pages)
                sinceNew = 0
            }
        }
        let reached = walks.reduce(into: Set<String>()) { $0.formUnion($1.pages) }
        var chosen: [PlannedWalk] = []
        var covered: Set<String> = []
        while covered != reached, let best = walks.max(by: { $0.pages.subtracting(covered).count < $1.pages.subtracting(covered).count }) {
            if best.pages.subtracting(covered).isEmpty { break }
            chosen.append(best)
            covered.formUnion(best.pages)
        }
        return (chosen, reached)
    }
}

/// Replays a planned walk over HTTP, as a person without JavaScript would.
struct JourneyWalker {
    let definition: ServiceDefinition
    let force: ForceID
    let plan: PlannedWalk
    var visited: [String] = []

    /// Walks until `target` is the page shown; `false` if the journey ended first.
    mutating func walk(_ browser: inout TestBrowser, stoppingAt target: String) async throws -> Bool {
        stopAt = target
        do {
            _ = try await walk(&browser)
            return false
        } catch is ReachedTarget {
            return true
        }
    }

    var stopAt: String?
    struct ReachedTarget: Error {}

    mutating func walk(_ browser: inout TestBrowser) async throws -> WalkEnd {
        let base = "/\(force)/services/\(definition.id)"
        var page = try await browser.post(base, [])
        var added: [String: Int] = [:]
        for _ in 0..<200 {
            guard page.status == .ok else { throw WalkError(message: "\(page.path) answered \(page.status): \(page.html.prefix(300))") }
            let id = String(page.path.split(separator: "?")[0].split(separator: "/").last ?? "")
            visited.append(id)
            if id == stopAt { throw ReachedTarget() }
            if id == "confirmation" {
                guard let reference = page.html.firstMatch(of: /class="reference">([A-Z0-9-]+)</)?.1 else {
                    throw WalkError(message: "no reference on the confirmation page")
                }
                return .reference(String(reference))
            }
            if id == "check-answers" {
                page = try await browser.post("\(base)/check-answers", definition.declaration == nil ? [] : [("declaration", "agreed")])
                continue
            }
            guard let definitionPage = definition.pages.first(where: { $0.id == id }) else {
                throw WalkError(message: "landed on unknown page \(page.path)")
            }
            switch definitionPage.kind {
            case .stop:
                return .ended(id)
            case .content where definitionPage.next.isEmpty:
                return .ended(id)
            case .content:
                page = try await browser.post("\(base)/\(id)", [])
            case .question:
                guard let form = plan.forms[id] else { throw WalkError(message: "the plan has no answers for \(id)") }
                page = try await browser.post("\(base)/\(id)", form)
            case .repeat:
                let wanted = plan.entries[id] ?? 0
                if page.html.contains(#"name="action" value="add""#) {
                    page = try await browser.post("\(base)/\(id)", [("action", "add")] + (plan.forms[id] ?? []))
                    added[id, default: 0] += 1
                } else {
                    let more = (added[id] ?? 0) < wanted
                    page = try await browser.post("\(base)/\(id)", [("action", "more"), ("add-another", more ? "yes" : "no")])
                }
            }
        }
        throw WalkError(message: "the journey did not end")
    }
}
