import Foundation
import PeelCore
import PeelForms
import PeelHub

/// What the journey routes do, apart from HTTP: start, load and save journeys, and submit them.
struct JourneyService: Sendable {
    let offer: ServiceOffer
    let journeys: any JourneyRepository
    let reports: any ReportRepository
    let jobs: any JobEnqueuing
    /// Decoded states by journey, checked against the stored JSON on every load.
    let states = JourneyStateCache()

    /// How long a saved journey is kept for its return code.
    static let savedLifetime: TimeInterval = 30 * 24 * 3600

    /// How long a journey is kept after its last change.
    static let lifetime: TimeInterval = 7 * 24 * 3600

    /// The expiry a save gives a journey that now expires at `current`: `lifetime` from now, or
    /// nil (leave it) when that would move it by less than an hour or bring it forward (a journey
    /// kept 30 days for its return code keeps them). Most saves of a journey in progress so leave
    /// the expiry and its index alone, and write only the row.
    static func renewedExpiry(_ current: Date, now: Date) -> Date? {
        let renewed = now + lifetime
        return renewed.timeIntervalSince(current) >= 3600 ? renewed : nil
    }

    /// A loaded journey: the stored row, its definition and the engine's state.
    struct Loaded: Sendable {
        let stored: StoredJourney
        let definition: ServiceDefinition
        let engine: JourneyEngine
        /// The answers so far. Setting them walks the journey again.
        var state: JourneyState {
            get { current }
            set { (current, route, pruned) = (newValue, engine.walk(newValue), false) }
        }
        private var current: JourneyState
        /// Whether `current` is pruned of the answers its path does not reach.
        private var pruned: Bool
        /// The pages the journey shows up to where it stands, and where that is: walked once for
        /// each state rather than by every question a request asks of it.
        private(set) var route: JourneyWalk

        /// `state` pruned of answers its path no longer reaches (``JourneyEngine/pruned(_:)``).
        init(stored: StoredJourney, definition: ServiceDefinition, engine: JourneyEngine, state: JourneyState) {
            let (state, walk) = engine.prunedAndWalked(state)
            self.init(stored: stored, definition: definition, engine: engine, pruned: state, walk: walk)
        }

        /// A state already pruned, with its walk by `engine`.
        init(stored: StoredJourney, definition: ServiceDefinition, engine: JourneyEngine, pruned state: JourneyState, walk: JourneyWalk) {
            self.stored = stored
            self.definition = definition
            self.engine = engine
            (current, route, pruned) = (state, walk, true)
        }

        /// The pruned state's walk, to be kept with it (``JourneyStateCache/Walked``); nil when
        /// the state has been changed without pruning since.
        var walked: JourneyStateCache.Walked? {
            pruned ? JourneyStateCache.Walked(service: definition.id, version: definition.version, today: engine.today, walk: route) : nil
        }

        /// Takes a page's answers (``JourneyEngine/accept(_:on:into:)``).
        mutating func accept(_ answers: [String: Answer], on page: Page) {
            (current, route) = engine.acceptAndWalk(answers, on: page, into: current)
            pruned = true
        }

        /// Records that the person agreed to the declaration. No condition reads it, so the
        /// journey's path is as it was and is not walked again.
        mutating func declare() { current.declared = true }

        /// Drops answers the path no longer reaches (``JourneyEngine/pruned(_:)``).
        mutating func prune() {
            (current, route) = engine.prunedAndWalked(current)
            pruned = true
        }

        var position: JourneyPosition { route.position }

        /// Whether the journey, as it stands, shows `page`.
        func shows(_ page: String) -> Bool { route.path.contains(page) }
    }

    func service(_ id: String, for force: Force) async throws -> OfferedService? {
        try await offer.find(id, offeredBy: force)
    }

    func start(_ definition: ServiceDefinition, force: Force) async throws -> String {
        var generator = SystemRandomNumberGenerator()
        let id = (0..<4).map { _ in String(generator.next() as UInt64, radix: 36) }.joined()
        let empty = JourneyState()
        let json = AnswerJSON.encode(empty)
        try await journeys.create(
            StoredJourney(
                id: id, forceID: force.id, serviceID: definition.id, serviceVersion: definition.version,
                state: json, reportID: nil, expiresAt: Date() + Self.lifetime))
        states.remember(empty, json: json, for: id)
        return id
    }

    func load(_ id: String?, service: ServiceDefinition, force: Force) async throws -> Loaded? {
        guard let id, id.count <= 64, let stored = try await journeys.find(id, force: force.id),
            stored.serviceID == service.id
        else { return nil }
        let engine = JourneyEngine(definition: service, today: DateText.today())
        guard let held = states.held(for: id, json: stored.state) else {
            let state = AnswerJSON.state(from: stored.state) ?? JourneyState()
            states.remember(state, json: stored.state, for: id)
            return Loaded(stored: stored, definition: service, engine: engine, state: state)
        }
        // Saved pruned by this node, under the same definition and day: walked already.
        if let walked = held.walked, walked.holds(for: service, today: engine.today) {
            return Loaded(stored: stored, definition: service, engine: engine, pruned: held.state, walk: walked.walk)
        }
        return Loaded(stored: stored, definition: service, engine: engine, state: held.state)
    }

    func save(_ journey: Loaded) async throws {
        let json = AnswerJSON.encode(journey.state)
        try await journeys.saveState(
            journey.stored.id, force: journey.stored.forceID, state: json, expiresAt: Self.renewedExpiry(journey.stored.expiresAt, now: Date()))
        states.remember(journey.state, json: json, for: journey.stored.id, walked: journey.walked)
    }

    /// Gives the journey a return code, and emails it when asked. Returns the code.
    func saveForReturn(_ journey: Loaded, force: Force, email: String?, language: Language) async throws -> String {
        var generator = SystemRandomNumberGenerator()
        let code = ReturnCode.make(using: &generator)
        try await journeys.setReturnCode(code, for: journey.stored.id, force: force.id, expiresAt: Date() + Self.savedLifetime)
        if let email {
            struct Payload: Encodable { let email, code, force, service, language: String }
            let payload = Payload(email: email, code: code, force: force.id.rawValue, service: journey.definition.id, language: language.rawValue)
            try await jobs.enqueue(
                NewJob(
                    kind: JobKinds.returnCodeEmail, payload: String(decoding: try JSONEncoder.sorted.encode(payload), as: UTF8.self),
                    forceID: force.id, runAt: Date(), maxAttempts: 5))
        }
        return code
    }

    /// The saved journey with this code, if there is one.
    func resume(code: String, service: ServiceDefinition, force: Force) async throws -> String? {
        try await journeys.find(returnCode: code, service: service.id, force: force.id)?.id
    }

    /// Turns a finished journey into a report, with its delivery and confirmation jobs.
    func submit(_ journey: Loaded, force: Force, language: Language) async throws -> SubmissionOutcome {
        var generator = SystemRandomNumberGenerator()
        let definition = journey.definition
        var contact: [Question.ContactRole: String] = [:]
        let path = Set(journey.route.path)
        let pages = definition.pages
        for page in pages.indices where path.contains(pages[page].id) {
            let questions = pages[page].questions
            for index in questions.indices {
                if let role = questions[index].contact, let answer = journey.state.answers[questions[index].id]?.text {
                    contact[role] = answer
                }
            }
        }
        let document = ReportDocument(
            service: definition.id, version: definition.version, answers: journey.state.answers,
            entries: journey.state.entries, declared: journey.state.declared)
        let answers = AnswerJSON.encode(document)
        let reference = ReportReference.make(force: force.id, using: &generator)
        var report = Report(
            id: RecordID.make(), forceID: force.id, reference: reference, serviceID: definition.id,
            serviceVersion: definition.version, answers: answers, contactName: contact[.name],
            contactEmail: contact[.email], contactPhone: contact[.phone], language: language, createdAt: Date(),
            searchTerms: ReportSearchTerms.terms(
                definition: definition, reference: reference, contactName: contact[.name], contactEmail: contact[.email],
                contactPhone: contact[.phone], answers: journey.state.answers, entries: journey.state.entries))
        DuplicateFinder.file(&report, answers: document, definition: definition)
        report.fileIDs = try await evidence(of: journey).map(\.id)
        let payload = #"{"report":"\#(report.id)","force":"\#(force.id)"}"#
        // Delivery keeps trying for about two days (its own backoff) before it is a dead letter.
        var jobs = [NewJob(kind: JobKinds.deliverReport, payload: payload, forceID: force.id, runAt: Date(), maxAttempts: 20)]
        if report.contactEmail != nil {
            jobs.append(NewJob(kind: JobKinds.confirmationEmail, payload: payload, forceID: force.id, runAt: Date()))
        }
        return try await reports.submit(report, journeyID: journey.stored.id, jobs: jobs)
    }

    /// The journey's uploaded files that its answers still name: a file whose answer was changed
    /// or whose page is no longer on the path stays with the journey, and is purged with it.
    func evidence(of journey: Loaded) async throws -> [JourneyFile] {
        var named: [String: [String]] = [:]
        let pages = journey.definition.pages
        for page in pages.indices {
            let questions = pages[page].questions
            for index in questions.indices where questions[index].type == .file {
                guard let answer = journey.state.answers[questions[index].id] else { continue }
                named[questions[index].id] = AnswerFormatter.display(answer, question: questions[index], language: .english)
            }
        }
        guard !named.isEmpty else { return [] }
        return JourneyFile.named(by: named, among: try await journeys.files(journey: journey.stored.id, force: journey.stored.forceID))
    }
}
