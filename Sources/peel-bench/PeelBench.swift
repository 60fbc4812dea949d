import Foundation
import Logging
import NIOCore
import NIOPosix
import PeelForms
import PeelStore
import PeelCore
import SQLKit
import Synchronization


/// Benchmarks complete journeys of an online service against a running `peel serve`, and, in
/// the same run, the raw rate of durable single-row inserts on the same kind of database.
///
///     peel-bench --base-url http://127.0.0.1:8080 --service report-crime --clients 64 --seconds 30
///                --insert-db /tmp/raw.sqlite [--by-page yes] [--burst-per-client 30] [--bursts 3]
///     peel-bench seed-queue --database DIR/peel.sqlite --force metropolitan --reports 100000
///     peel-bench seed-outbox --database DIR/peel.sqlite --force metropolitan --reports 10000
///     peel-bench queue --base-url http://127.0.0.1:8080 --staff-file staff.txt --requests 500
@main
struct PeelBench {
    static func main() async throws {
        // The simulated people's tasks run on the client's SwiftNIO event loops, as the server's
        // do, rather than handing every response over to Swift's own threads: the client shares
        // the machine's cores with the server it measures, so the less it takes, the more of
        // them the server has.
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        do {
            try await run()
        } catch let error as BenchError {
            // The benchmark's own failures (no server to connect to, a bad address) are said
            // plainly, not as a crash.
            FileHandle.standardError.write(Data("peel-bench: \(error.message)\n".utf8))
            exit(1)
        }
    }

    static func run() async throws {
        let arguments = Arguments(CommandLine.arguments)
        switch CommandLine.arguments.dropFirst().first {
        case "seed-queue":
            try await QueueBench.seed(path: arguments.database, force: ForceID(validating: arguments.force) ?? ForceID("metropolitan"), count: arguments.reports)
            return
        case "stream":
            try await StreamBench.run(arguments: arguments)
            return
        case "seed-outbox":
            try await OutboxBench.seed(
                path: arguments.database, force: ForceID(validating: arguments.force) ?? ForceID("metropolitan"), service: arguments.service,
                count: arguments.reports)
            return
        case "police-data": try await PoliceDataBench.run(CommandLine.arguments); return
        case "police-csv-read": try PoliceDataBench.csvRead(Array(CommandLine.arguments.dropFirst(2))); return
        case "queue":
            try await QueueBench.measure(base: arguments.baseURL, staffFile: arguments.staffFile, force: arguments.force, requests: arguments.requests)
            return
        default: break
        }
        let catalogue = try ServiceCatalogue.bundled()
        guard let definition = catalogue.service(arguments.service) else {
            FileHandle.standardError.write(Data("peel-bench: no service '\(arguments.service)'\n".utf8))
            exit(2)
        }
        let script = JourneyScript.make(definition)
        print("service \(definition.id): \(script.steps.count) pages answered per journey, \(arguments.clients) clients, \(arguments.seconds) s")

        // The loop client keeps its connections from the journeys to the burst, as the SwiftNIO
        // client's people keep theirs within each phase.
        let loop: LoopClient?
        if arguments.client == "loop" {
            loop = try LoopClient(baseURL: arguments.baseURL, force: arguments.force, service: definition.id, script: script)
            try loop?.connect(arguments.clients)
        } else {
            loop = nil
        }
        let recorder = Recorder()
        if let loop {
            try await loop.journeys(seconds: arguments.seconds, recorder: recorder)
        } else {
            await nioJourneys(arguments: arguments, definition: definition, script: script, recorder: recorder)
        }
        let summary = recorder.summary(seconds: arguments.seconds)
        print(summary)
        if arguments.byPage { print(recorder.byPage()) }
        // How far the outbox (delivery and confirmation jobs) was behind when the people stopped.
        let behind = try await Outbox.waitUntilDrained(base: arguments.baseURL, limit: .seconds(600))
        print(String(format: "outbox of the journeys drained %.1f s after they ended", behind))

        // The submission step on its own: journeys filled to check-your-answers first (not
        // timed), then all sent at once by the same number of clients. A burst lasts about a third
        // of a second, short enough for one of the host's hiccups to move it by a sixth, so it is
        // taken `--bursts` times and judged by the median.
        var rates: [Double] = []
        for _ in 0..<(arguments.burstPerClient > 0 ? max(1, arguments.bursts) : 0) {
            let burst = try await Self.burst(arguments: arguments, definition: definition, script: script, loop: loop)
            rates.append(burst.rate)
            print(burst.summary)
        }
        if rates.count > 1 {
            print(
                String(format: "submission bursts: median %.0f submissions per second", Self.median(rates))
                    + " (" + rates.map { String(format: "%.0f", $0) }.joined(separator: ", ") + ")")
        }

        if let path = arguments.insertDatabase {
            // On a server at rest, as the bursts were sent to one: the last burst's deliveries and
            // emails are done first, so that its job worker takes nothing of the yardstick's.
            if !rates.isEmpty {
                let behind = try await Outbox.waitUntilDrained(base: arguments.baseURL, limit: .seconds(600))
                print(String(format: "outbox of the last burst drained %.1f s after it ended", behind))
            }
            let rate = try SQLiteRawInserts.measure(path: path, seconds: min(arguments.seconds, 10))
            print(String(format: "raw durable single-row inserts (SQLite WAL, synchronous=FULL, one writer): %.0f per second", rate))
        }
    }

    /// One burst: journeys filled to check your answers, untimed, then sent at once on an
    /// otherwise idle server (the outbox drained, as it is for the raw inserts); its rate and its
    /// summary line.
    static func burst(
        arguments: Arguments, definition: ServiceDefinition, script: JourneyScript, loop: LoopClient?
    ) async throws -> (rate: Double, summary: String) {
        let prepared: [[Client]]
        if let loop {
            _ = try await loop.fill(perConnection: arguments.burstPerClient)
            prepared = []
        } else {
            prepared = await nioFill(arguments: arguments, definition: definition, script: script)
        }
        _ = try await Outbox.waitUntilDrained(base: arguments.baseURL, limit: .seconds(600))
        if arguments.pauseBeforeBurst > 0 {
            // Room for a profiler to attach to the server for the burst alone.
            FileHandle.standardOutput.write(Data("burst in \(arguments.pauseBeforeBurst) s\n".utf8))
            try await Task.sleep(for: .seconds(arguments.pauseBeforeBurst))
        }
        let burst = Recorder()
        let elapsed: Duration
        if let loop {
            elapsed = try await loop.burst(recorder: burst)
        } else {
            let started = ContinuousClock.now
            await withTaskGroup(of: Void.self) { group in
                for clients in prepared {
                    group.addTask {
                        for client in clients {
                            do { try await client.submit(recorder: burst) } catch { burst.failed("\(error)") }
                        }
                        clients.first?.connection.close()
                    }
                }
            }
            elapsed = ContinuousClock.now - started
        }
        return (burst.burstRate(elapsed: elapsed), burst.burstSummary(elapsed: elapsed))
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// The SwiftNIO client's journeys for the burst, filled to check your answers (untimed).
    static func nioFill(arguments: Arguments, definition: ServiceDefinition, script: JourneyScript) async -> [[Client]] {
        await withTaskGroup(of: [Client].self) { group in
            for _ in 0..<arguments.clients {
                group.addTask {
                    var ready: [Client] = []
                    guard let connection = try? await BenchConnection.connect(to: arguments.baseURL) else { return [] }
                    for _ in 0..<arguments.burstPerClient {
                        let client = Client(connection: connection, script: script, force: arguments.force, service: definition.id)
                        if (try? await client.fill()) != nil { ready.append(client) }
                    }
                    return ready
                }
            }
            var all: [[Client]] = []
            for await clients in group { all.append(clients) }
            return all
        }
    }

    /// The journeys' phase with the SwiftNIO client (`--client nio`), one task a person.
    static func nioJourneys(arguments: Arguments, definition: ServiceDefinition, script: JourneyScript, recorder: Recorder) async {
        let deadline = Date() + arguments.seconds
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<arguments.clients {
                group.addTask {
                    guard let connection = try? await BenchConnection.connect(to: arguments.baseURL) else {
                        recorder.failed("could not connect to \(arguments.baseURL)")
                        return
                    }
                    defer { connection.close() }
                    let client = Client(connection: connection, script: script, force: arguments.force, service: definition.id)
                    while Date() < deadline {
                        do {
                            if try await client.journey(recorder: recorder) != nil {
                                recorder.finishedJourney()
                            } else {
                                recorder.failed("the confirmation page showed no reference")
                            }
                        } catch {
                            recorder.failed("\(error)")
                        }
                    }
                }
            }
        }
    }
}

struct Arguments {
    var baseURL = "http://127.0.0.1:8080"
    var force = "metropolitan"
    var service = "report-crime"
    var clients = 64
    var seconds: Double = 30
    var insertDatabase: String?
    var burstPerClient = 30
    var pauseBeforeBurst = 0
    /// How many bursts to send, one after another; the median is the figure.
    var bursts = 3
    var byPage = false
    var database = "peel-data/peel.sqlite"
    var reports = 100_000
    var staffFile = "staff.txt"
    var requests = 500
    var references = "references.txt"
    /// The journeys' client: "loop" (one thread, `epoll`, on Linux) or "nio" (SwiftNIO, a task a
    /// person).
    #if canImport(Glibc)
    var client = "loop"
    #else
    var client = "nio"
    #endif

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().drop { !$0.hasPrefix("--") }.makeIterator()
        while let flag = iterator.next() {
            let value = iterator.next() ?? ""
            switch flag {
            case "--base-url": baseURL = value
            case "--force": force = value
            case "--service": service = value
            case "--clients": clients = Int(value) ?? clients
            case "--seconds": seconds = Double(value) ?? seconds
            case "--insert-db": insertDatabase = value
            case "--burst-per-client": burstPerClient = Int(value) ?? burstPerClient
            case "--pause-before-burst": pauseBeforeBurst = Int(value) ?? pauseBeforeBurst
            case "--bursts": bursts = Int(value) ?? bursts
            case "--by-page": byPage = value == "yes"
            case "--database": database = value
            case "--reports": reports = Int(value) ?? reports
            case "--staff-file": staffFile = value
            case "--requests": requests = Int(value) ?? requests
            case "--references": references = value
            case "--client": client = value
            default: break
            }
        }
    }
}

/// The pages of one journey and what to send on each, planned with the engine: no emergency,
/// the general route, every choice's first non-stopping option.
struct JourneyScript: Sendable {
    struct Step: Sendable {
        let page: String
        let body: String
        let kind: Page.Kind
    }
    let steps: [Step]
    let declaration: Bool
    /// The answers the steps give, as the engine read them.
    var answers: [String: Answer] = [:]

    static let preferred = ["emergency-now": "no", "crime-kind": "something-else", "reporting-for": "me"]

    static func make(_ definition: ServiceDefinition) -> JourneyScript {
        let engine = JourneyEngine(definition: definition, today: DateText.today())
        var state = JourneyState()
        var steps: [Step] = []
        while case .page(let id) = engine.position(state), let page = engine.page(id), steps.count < 100 {
            var fields: [(String, String)] = []
            for question in page.questions {
                fields += answer(question)
            }
            switch page.kind {
            case .question:
                let form = Dictionary(grouping: fields, by: \.0).mapValues { $0.map(\.1) }
                if case .success(let answers) = engine.read(page, form: form, language: .english) {
                    for (key, value) in answers { state.answers[key] = value }
                }
            case .repeat:
                fields = [("action", "more"), ("add-another", "no")]
            default:
                break
            }
            state.completed.insert(id)
            steps.append(Step(page: id, body: encode(fields), kind: page.kind))
        }
        return JourneyScript(steps: steps, declaration: definition.declaration != nil, answers: state.answers)
    }

    static func answer(_ question: Question) -> [(String, String)] {
        let id = question.id
        switch question.type {
        case .radios, .checkboxes:
            let options = (question.options ?? []).map(\.value)
            return [(id, preferred[id].flatMap { options.contains($0) ? $0 : nil } ?? options[0])]
        case .yesNo: return [(id, preferred[id] ?? "no")]
        case .text, .textarea: return [(id, "Benchmark answer")]
        case .date: return [("\(id)-day", "3"), ("\(id)-month", "11"), ("\(id)-year", "2026")]
        case .time: return [(id, "14:30")]
        case .when: return [("\(id)-mode", "exact"), ("\(id)-day", "3"), ("\(id)-month", "11"), ("\(id)-year", "2026")]
        case .number: return [(id, String(Int(question.min ?? 1)))]
        case .money: return [(id, "10")]
        case .email: return [(id, "bench@example.org")]
        case .phone: return [(id, "07700900982")]
        case .postcode: return [(id, "SW1A 2AA")]
        case .address: return [("\(id)-line1", "1 High Street"), ("\(id)-town", "London"), ("\(id)-postcode", "SW1A 2AA")]
        case .location: return [("\(id)-description", "Outside the station")]
        case .person: return [("\(id)-name", "Alex Example")]
        case .vehicle: return [("\(id)-registration", "AB12 CDE")]
        case .item: return [("\(id)-description", "Phone")]
        case .file: return []
        }
    }

    /// A step's form body made the journey's own: the reporter's email address and phone number
    /// and the vehicle's registration carry the journey's number, as different people's reports
    /// do. Were every journey the same, each report would share them with all the others and be
    /// filed as a likely duplicate of the last ten, which real reports seldom are.
    static func personalised(_ body: String, journey: Int) -> String {
        // The journey's number in three letters, the last changing fastest.
        var letters = ""
        var number = journey
        for _ in 0..<3 {
            letters.insert(Character(UnicodeScalar(UInt8(65 + number % 26))), at: letters.startIndex)
            number /= 26
        }
        return body
            .replacingOccurrences(of: "bench%40example.org", with: "bench\(journey)%40example.org")
            .replacingOccurrences(of: "07700900982", with: "07700900" + String(format: "%03d", journey % 1000))
            .replacingOccurrences(of: "AB12%20CDE", with: "AB12%20" + letters)
    }

    /// Whether ``personalised(_:journey:)`` changes `body`.
    static func varies(_ body: String) -> Bool {
        body.contains("bench%40example.org") || body.contains("07700900982") || body.contains("AB12%20CDE")
    }

    static func encode(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.map {
            "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }.joined(separator: "&")
    }
}

/// One request of a journey, as both clients send it.
struct JourneyRequest: Sendable {
    enum Kind: Sendable {
        case page
        /// Sending check your answers: the report, its reference and its outbox jobs in one transaction.
        case submission
        case confirmation
    }

    let method: String
    let path: String
    /// The form's fields after the CSRF token; nil for a `GET`.
    let fields: String?
    let kind: Kind
    /// The key a page request's time is kept under ("GET check-answers").
    let key: String
    /// Whether the fields are made each journey's own (``JourneyScript/personalised(_:journey:)``).
    let varies: Bool

    init(_ method: String, _ path: String, fields: String? = nil, kind: Kind = .page) {
        self.method = method
        self.path = path
        self.fields = fields
        self.kind = kind
        self.key = "\(method) \(path.split(separator: "/").last ?? "")"
        self.varies = fields.map(JourneyScript.varies) ?? false
    }

    /// The form body for the person whose CSRF token is `token`, on journey number `journey`;
    /// nil for a `GET`.
    func body(csrf token: String, journey: Int) -> String? {
        guard var fields else { return nil }
        if varies { fields = JourneyScript.personalised(fields, journey: journey) }
        return "csrf_token=\(token)" + (fields.isEmpty ? "" : "&\(fields)")
    }

    /// What is wrong with an answer of `status` to this request, if anything.
    func problem(status: Int) -> String? {
        if status >= 400 { return "\(method) \(path) answered \(status)" }
        if kind == .submission, status != 303 { return "submission answered \(status)" }
        return nil
    }
}

/// The requests of one journey, in order: the start page, starting, each page shown and answered,
/// and check your answers; then the submission; then the confirmation page.
struct JourneyRequests: Sendable {
    let pages: [JourneyRequest]
    let submission: JourneyRequest
    let confirmation: JourneyRequest

    var all: [JourneyRequest] { pages + [submission, confirmation] }
}

extension JourneyScript {
    /// The journey's requests on `force`'s site for `service`.
    func requests(force: String, service: String) -> JourneyRequests {
        let start = "/\(force)/services/\(service)"
        var pages = [JourneyRequest("GET", start), JourneyRequest("POST", start, fields: "")]
        for step in steps {
            pages.append(JourneyRequest("GET", "\(start)/\(step.page)"))
            pages.append(JourneyRequest("POST", "\(start)/\(step.page)", fields: step.body))
        }
        pages.append(JourneyRequest("GET", "\(start)/check-answers"))
        return JourneyRequests(
            pages: pages,
            submission: JourneyRequest(
                "POST", "\(start)/check-answers", fields: declaration ? "declaration=agreed" : "", kind: .submission),
            confirmation: JourneyRequest("GET", "\(start)/confirmation", kind: .confirmation))
    }
}

/// One simulated person: their own cookies, one request at a time on one kept-alive connection.
final class Client: @unchecked Sendable {
    /// Journeys begun by every person, numbering each (``JourneyScript/personalised(_:journey:)``).
    static let journeys = Atomic<Int>(0)

    let connection: BenchConnection
    private let requests: JourneyRequests
    private var cookies: [String: String] = [:]
    /// The number of the journey under way (``journeys``).
    private var journeyNumber = 0

    init(connection: BenchConnection, script: JourneyScript, force: String, service: String) {
        self.connection = connection
        requests = script.requests(force: force, service: service)
    }

    /// A whole journey; returns the reference the confirmation page showed.
    @discardableResult
    func journey(recorder: Recorder) async throws -> String? {
        try await fill(recorder: recorder)
        try await submit(recorder: recorder)
        let page = try await send(requests.confirmation, recorder: recorder, keepBody: true)
        return page.body.flatMap(Self.reference(in:))
    }

    /// What marks the reference on a confirmation page.
    static let referenceMarker = #"class="reference">"#

    /// The reference on a confirmation page.
    static func reference(in html: String) -> String? {
        guard let start = html.range(of: referenceMarker) else { return nil }
        let rest = html[start.upperBound...]
        guard let end = rest.firstIndex(of: "<") else { return nil }
        return String(rest[..<end])
    }

    /// Every page up to check your answers.
    func fill(recorder: Recorder? = nil) async throws {
        cookies = [:]
        journeyNumber = Self.journeys.add(1, ordering: .relaxed).oldValue
        for request in requests.pages { try await send(request, recorder: recorder) }
    }

    /// Sends the journey: the report, its reference and its outbox jobs in one transaction.
    func submit(recorder: Recorder) async throws {
        try await send(requests.submission, recorder: recorder)
    }

    @discardableResult
    private func send(_ request: JourneyRequest, recorder: Recorder?, keepBody: Bool = false) async throws -> BenchResponse {
        var headers: [(String, String)] = []
        if !cookies.isEmpty {
            headers.append(("Cookie", cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")))
        }
        let payload = request.body(csrf: cookies["peel_csrf"] ?? "", journey: journeyNumber)
        if payload != nil { headers.append(("Content-Type", "application/x-www-form-urlencoded")) }
        let started = ContinuousClock.now
        let response = try await connection.send(
            method: request.method, path: request.path, headers: headers, body: payload, keepBody: keepBody)
        let elapsed = ContinuousClock.now - started
        for cookie in response.setCookies {
            let pair = cookie.prefix { $0 != ";" }.split(separator: "=", maxSplits: 1)
            if pair.count == 2 { cookies[String(pair[0])] = String(pair[1]) }
        }
        if let problem = request.problem(status: response.status) { throw BenchError(message: problem) }
        recorder?.record(request, elapsed.timeInterval * 1000)
        return response
    }
}

struct BenchError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Times and failures, kept under a lock rather than in an actor: a hop to an actor for every
/// request would cost the client a task switch each time, on the cores the server is measured on.
final class Recorder: Sendable {
    private struct Samples {
        var submissions: [Double] = []
        /// Page requests by method and the page's last path segment ("GET check-answers"); the
        /// times by method and in all are read from these.
        var byPage: [String: [Double]] = [:]

        func pages(_ method: String) -> [Double] {
            byPage.filter { $0.key.hasPrefix(method + " ") }.values.flatMap { $0 }
        }
        var journeys = 0
        var failures: [String: Int] = [:]
        /// Page requests answered in each window of ``window`` since the recorder was made.
        var windows: [Int] = []
    }

    private let samples = Mutex(Samples())
    private let started = ContinuousClock.now
    /// The windows in which page requests are counted, to show a run's rate over its course.
    static let window: Duration = .seconds(5)

    /// Times a request of a journey: a submission, or a page request kept by its key ("GET
    /// check-answers") and counted in its window.
    func record(_ request: JourneyRequest, _ milliseconds: Double) {
        guard request.kind != .submission else {
            samples.withLock { $0.submissions.append(milliseconds) }
            return
        }
        let window = Int((ContinuousClock.now - started) / Self.window)
        samples.withLock { samples in
            samples.byPage[request.key, default: []].append(milliseconds)
            while samples.windows.count <= window { samples.windows.append(0) }
            samples.windows[window] += 1
        }
    }

    /// Each page's requests, slowest p99 first: where the tail is.
    func byPage() -> String {
        let samples = samples.withLock { $0 }
        return samples.byPage.map { page, times in (page, times.count, Self.percentile(times, 0.5), Self.percentile(times, 0.99)) }
            .sorted { $0.3 > $1.3 }
            .map { "  " + $0.0.padding(toLength: 32, withPad: " ", startingAt: 0) + String(format: "%7d  p50 %6.2f ms  p99 %6.2f ms", $0.1, $0.2, $0.3) }
            .joined(separator: "\n")
    }

    func finishedJourney() { samples.withLock { $0.journeys += 1 } }
    func failed(_ reason: String) { samples.withLock { $0.failures[reason, default: 0] += 1 } }

    private static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }

    func burstRate(elapsed: Duration) -> Double {
        Double(samples.withLock { $0.submissions.count }) / elapsed.timeInterval
    }

    func burstSummary(elapsed: Duration) -> String {
        let samples = samples.withLock { $0 }
        let seconds = elapsed.timeInterval
        var line = String(
            format: "submission burst: %d journeys sent at once in %.2f s: %.0f submissions per second, p50 %.2f ms, p99 %.2f ms",
            samples.submissions.count, seconds, burstRate(elapsed: elapsed), Self.percentile(samples.submissions, 0.5),
            Self.percentile(samples.submissions, 0.99))
        if !samples.failures.isEmpty { line += "; failures: \(samples.failures.values.reduce(0, +))" }
        return line
    }

    func summary(seconds: Double) -> String {
        let samples = samples.withLock { $0 }
        let percentile = Self.percentile
        let gets = samples.pages("GET")
        let posts = samples.pages("POST")
        let pages = gets + posts
        var lines = [
            String(format: "journeys completed: %d (%.1f per second)", samples.journeys, Double(samples.journeys) / seconds),
            String(
                format: "page requests: %d (%.0f per second), p50 %.2f ms, p99 %.2f ms", pages.count,
                Double(pages.count) / seconds, percentile(pages, 0.5), percentile(pages, 0.99)),
            String(
                format: "  of which GET %d: p50 %.2f ms, p99 %.2f ms; POST (answers saved) %d: p50 %.2f ms, p99 %.2f ms",
                gets.count, percentile(gets, 0.5), percentile(gets, 0.99), posts.count, percentile(posts, 0.5),
                percentile(posts, 0.99)),
            String(
                format: "submissions: %d (%.1f per second), p50 %.2f ms, p99 %.2f ms", samples.submissions.count,
                Double(samples.submissions.count) / seconds, percentile(samples.submissions, 0.5), percentile(samples.submissions, 0.99)),
        ]
        // Whole windows only: the last is cut short by the end of the run.
        let whole = Int(seconds / Self.window.timeInterval)
        if whole > 1 {
            let rates = samples.windows.prefix(whole).map { String(format: "%.0f", Double($0) / Self.window.timeInterval) }
            lines.append("  page requests a second in each 5-second window: " + rates.joined(separator: ", "))
        }
        for (reason, count) in samples.failures.sorted(by: { $0.value > $1.value }).prefix(5) {
            lines.append("failed \(count)×: \(reason)")
        }
        return lines.joined(separator: "\n")
    }
}


/// The server's outbox, as `/metrics` reports it.
enum Outbox {
    /// Waits until no job is due or running; returns how long that took (at most `limit`).
    static func waitUntilDrained(base: String, limit: Duration) async throws -> Double {
        let connection = try await BenchConnection.connect(to: base)
        defer { connection.close() }
        let clock = ContinuousClock()
        let started = clock.now
        while clock.now - started < limit {
            let response = try await connection.send(method: "GET", path: "/metrics", headers: [], body: nil, keepBody: true)
            let busy = (response.body ?? "").split(separator: "\n").contains { line in
                (line.hasPrefix(#"peel_job_queue_depth{state="due"}"#) || line.hasPrefix(#"peel_job_queue_depth{state="running"}"#))
                    && !line.hasSuffix(" 0.0")
            }
            if !busy { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let elapsed = clock.now - started
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
