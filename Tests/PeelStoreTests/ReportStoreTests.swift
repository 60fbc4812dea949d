import Foundation
import PeelCore
import PeelStore
import PeelTestSupport
import SQLKit
import Testing

func makeJourney(_ store: Store, force: ForceID = ForceID("kent")) async throws -> String {
    let id = UUID().uuidString
    try await store.journeys.create(
        StoredJourney(id: id, forceID: force, serviceID: "report-theft", serviceVersion: 1, state: "{}", reportID: nil, expiresAt: Date() + 3600))
    return id
}

func makeReport(force: ForceID = ForceID("kent")) -> Report {
    var generator = SystemRandomNumberGenerator()
    return Report(
        id: UUID().uuidString, forceID: force, reference: ReportReference.make(force: force, using: &generator),
        serviceID: "report-theft", serviceVersion: 1, answers: #"{"what":"bike"}"#, contactName: "Sam",
        contactEmail: "sam@example.org", contactPhone: nil, language: .welsh, createdAt: Date(timeIntervalSince1970: 1_800_000_000))
}

@Suite("Reports")
struct ReportStoreTests {
    @Test("a submission stores the report, marks the journey and enqueues its jobs together", arguments: TestEngine.all)
    func submit(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let journey = try await makeJourney(store)
            let report = makeReport()
            let outcome = try await store.reports.submit(
                report, journeyID: journey,
                jobs: [NewJob(kind: "report.deliver", forceID: report.forceID, runAt: Date()), NewJob(kind: "notify.confirmation", runAt: Date())])
            #expect(outcome == .created(report))
            #expect(try await store.reports.find(reference: report.reference, force: ForceID("kent")) == report)
            #expect(try await store.journeys.find(journey, force: ForceID("kent"))?.reportID == report.id)
            let jobs = try await store.jobs.claim(worker: "w", limit: 10, lease: .seconds(30), now: Date() + 1)
            #expect(Set(jobs.map(\.kind)) == ["report.deliver", "notify.confirmation"])
        }
    }

    @Test("a reference already given is drawn again, in the report and in its case's search terms", arguments: TestEngine.all)
    func takenReference(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let first = makeReport()
            _ = try await store.reports.submit(first, journeyID: try await makeJourney(store), jobs: [])
            var second = makeReport()
            second.reference = first.reference
            second.searchTerms = [SearchTerm.normalise(first.reference), "sam"]
            let outcome = try await store.reports.submit(second, journeyID: try await makeJourney(store), jobs: [])
            guard case .created(let stored) = outcome else {
                Issue.record("expected a new report, got \(outcome)")
                return
            }
            #expect(stored.id == second.id)
            #expect(stored.reference != first.reference)
            #expect(ReportReference.isValid(stored.reference))
            #expect(try await store.reports.find(reference: stored.reference, force: ForceID("kent"))?.id == second.id)
            #expect(try await store.reports.find(reference: first.reference, force: ForceID("kent"))?.id == first.id)
            let terms = try await store.database.sql.raw(
                "SELECT term FROM case_search WHERE report_id = \(bind: second.id) ORDER BY term"
            ).all().map { try $0.decode(column: "term", as: String.self) }
            #expect(terms == [SearchTerm.normalise(stored.reference), "sam"].sorted())
        }
    }

    @Test("a duplicate lookup finds the reports sharing a key, reading each by its id rather than every report of the force", arguments: TestEngine.all)
    func duplicateLookup(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            var sharing: [Report] = []
            for index in 0..<40 {
                var report = makeReport()
                report.matchKeys = index % 10 == 0 ? ["e:sam@example.org"] : ["e:other\(index)@example.org"]
                report.matchFeatures = "{}"
                _ = try await store.reports.submit(report, journeyID: try await makeJourney(store), jobs: [])
                if index % 10 == 0 { sharing.append(report) }
            }
            let found = try await store.reports.sharingKeys(
                ["e:sam@example.org"], pooled: [], force: ForceID("kent"), from: .distantPast, to: .distantFuture,
                excluding: sharing[0].id, perKey: 10)
            #expect(Set(found.map(\.id)) == Set(sharing.dropFirst().map(\.id)))
            #expect(try await store.reports.sharingKeys(
                ["e:sam@example.org"], pooled: [], force: ForceID("essex"), from: .distantPast, to: .distantFuture,
                excluding: "", perKey: 10).isEmpty)
            // SQLite's plan, with no statistics gathered yet: the ids found lead, each report read
            // through its primary key. (PostgreSQL plans from the statistics it keeps itself.)
            guard case .sqlite = engine else { return }
            let query = try #require(
                SQLReportRepository.sharingKeysQuery(
                    ["e:sam@example.org", "p:07700900982"], pooled: ["n:sam"], force: ForceID("kent"), from: .distantPast,
                    to: .distantFuture, excluding: "", perKey: 10))
            var explain: SQLQueryString = "EXPLAIN QUERY PLAN "
            explain.appendInterpolation(query)
            let plan = try await store.database.sql.raw(explain).all().map { try $0.decode(column: "detail", as: String.self) }
            #expect(plan.contains { $0.hasPrefix("SEARCH r USING INDEX") && $0.hasSuffix("(id=?)") }, "\(plan)")
            #expect(!plan.contains { $0.contains("reports") && $0.contains("(force_id=?)") }, "\(plan)")
        }
    }

    @Test("submitting a journey twice, even at once, gives one report", arguments: TestEngine.all)
    func doubleSubmit(engine: TestEngine) async throws {
        try await withTestStore(engine, poolSize: 8) { store in
            let journey = try await makeJourney(store)
            let outcomes = try await withThrowingTaskGroup(of: SubmissionOutcome.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await store.reports.submit(makeReport(), journeyID: journey, jobs: [NewJob(kind: "report.deliver", runAt: Date())])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let created = outcomes.compactMap { if case .created(let report) = $0 { report } else { nil } }
            let repeated = outcomes.compactMap { if case .alreadySubmitted(let report) = $0 { report } else { nil } }
            #expect(created.count == 1)
            #expect(repeated.count == 3)
            #expect(repeated.allSatisfy { $0.id == created.first?.id })
            let count = try await store.database.sql.raw("SELECT COUNT(*) AS n FROM reports").first()?.decode(column: "n", as: Int.self)
            #expect(count == 1)
            #expect(try await store.jobs.stats(now: Date() + 1).due == 1)
        }
    }

    @Test("reports and journeys are read only through their own force", arguments: TestEngine.all)
    func tenancy(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let journey = try await makeJourney(store)
            let report = makeReport()
            _ = try await store.reports.submit(report, journeyID: journey, jobs: [])
            #expect(try await store.reports.find(report.id, force: ForceID("essex")) == nil)
            #expect(try await store.reports.find(reference: report.reference, force: ForceID("essex")) == nil)
            #expect(try await store.journeys.find(journey, force: ForceID("essex")) == nil)
            await #expect(throws: StoreDataError.self) {
                _ = try await store.reports.submit(makeReport(force: ForceID("essex")), journeyID: journey, jobs: [])
            }
        }
    }

    @Test("saving a journey's state without a new expiry leaves the expiry; with one, moves it; another force's save changes nothing", arguments: TestEngine.all)
    func saveStateExpiry(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let kent = ForceID("kent")
            let id = try await makeJourney(store, force: kent)
            let created = try #require(try await store.journeys.find(id, force: kent))
            try await store.journeys.saveState(id, force: kent, state: #"{"a":1}"#, expiresAt: nil)
            let kept = try #require(try await store.journeys.find(id, force: kent))
            #expect(kept.state == #"{"a":1}"#)
            #expect(kept.expiresAt == created.expiresAt)
            let later = Date(millisecondsSince1970: created.expiresAt.millisecondsSince1970 + 86_400_000)
            try await store.journeys.saveState(id, force: kent, state: #"{"a":2}"#, expiresAt: later)
            let moved = try #require(try await store.journeys.find(id, force: kent))
            #expect(moved.state == #"{"a":2}"#)
            #expect(moved.expiresAt == later)
            try await store.journeys.saveState(id, force: ForceID("essex"), state: #"{"a":3}"#, expiresAt: nil)
            #expect(try await store.journeys.find(id, force: kent)?.state == #"{"a":2}"#)
        }
    }

    @Test("an expired journey is gone, and the retention purge deletes it", arguments: TestEngine.all)
    func expiry(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let id = UUID().uuidString
            try await store.journeys.create(
                StoredJourney(id: id, forceID: ForceID("kent"), serviceID: "s", serviceVersion: 1, state: "{}", reportID: nil, expiresAt: Date() - 1))
            let live = try await makeJourney(store)
            let found = try await store.journeys.find(id, force: ForceID("kent"))
            #expect(found == nil)
            let purged = try await store.journeys.purgeExpired(before: Date())
            #expect(purged == 1)
            let kept = try await store.journeys.find(live, force: ForceID("kent"))
            #expect(kept != nil)
        }
    }

    @Test("the files a submitted report names are its own: the journey's purge leaves them, other forces cannot read them, files it does not name are purged", arguments: TestEngine.all)
    func reportFiles(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let journey = try await makeJourney(store)
            func upload(_ name: String, _ bytes: [UInt8]) async throws -> JourneyFile {
                let file = JourneyFile(
                    id: UUID().uuidString.lowercased(), forceID: ForceID("kent"), journeyID: journey, questionID: "photo", fileName: name,
                    contentType: "image/png", size: bytes.count, content: Data(bytes))
                try await store.journeys.addFile(file)
                return file
            }
            let kept = try await upload("bike.png", [0x89, 0x50, 0x4E, 0x47, 1, 2, 3])
            let dropped = try await upload("changed-my-mind.png", [0x89, 0x50, 0x4E, 0x47, 4, 5, 6])
            var report = makeReport()
            report.fileIDs = [kept.id]
            _ = try await store.reports.submit(report, journeyID: journey, jobs: [])
            // Nothing of an unsubmitted journey is served.
            #expect(try await store.reports.file(dropped.id, force: ForceID("kent")) == nil)

            #expect(try await store.journeys.purgeExpired(before: Date() + 86_400) == 1)
            let files = try await store.reports.files(report: report.id, force: ForceID("kent"))
            #expect(files.map(\.id) == [kept.id])
            #expect(files.first?.sha256 == "cdf3cefe7ec6253d1cb4828ab654da6beb8a4727daac0c49dbf26bedf5887f79")
            #expect(files.first?.content.isEmpty == true)
            let read = try #require(try await store.reports.file(kept.id, force: ForceID("kent")))
            #expect(read.content == kept.content)
            #expect(read.reportID == report.id)
            #expect(try await store.reports.file(kept.id, force: ForceID("essex")) == nil)
            #expect(try await store.reports.files(report: report.id, force: ForceID("essex")).isEmpty)
            let left = try await store.database.sql.raw("SELECT COUNT(*) AS n FROM journey_files").first()?.decode(column: "n", as: Int.self)
            #expect(left == 1)
        }
    }

    @Test("a message is recorded once per idempotency key", arguments: TestEngine.all)
    func messages(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let message = OutboundMessage(id: UUID().uuidString, forceID: ForceID("kent"), to: "sam@example.org", subject: "Your report", body: "Thanks", createdAt: Date(timeIntervalSince1970: 1_800_000_000))
            let first = try await store.messages.record(message, idempotencyKey: "confirm-1")
            var again = message
            again.id = UUID().uuidString
            let second = try await store.messages.record(again, idempotencyKey: "confirm-1")
            let recent = try await store.messages.recent(limit: 10)
            #expect(first)
            #expect(!second)
            #expect(recent == [message])
        }
    }
}

@Suite("Report references")
struct ReportReferenceTests {
    @Test("references carry the force prefix, six characters and a check character")
    func shape() {
        var generator = SystemRandomNumberGenerator()
        for force in [ForceID("north-wales"), ForceID("metropolitan"), ForceID("avon-and-somerset"), ForceID("btp")] {
            let reference = ReportReference.make(force: force, using: &generator)
            #expect(ReportReference.isValid(reference), "\(reference)")
            #expect(reference.hasPrefix(ReportReference.prefix(for: force) + "-"))
        }
        #expect(ReportReference.prefix(for: ForceID("north-wales")) == "NW")
        #expect(ReportReference.prefix(for: ForceID("avon-and-somerset")) == "AS")
        #expect(ReportReference.prefix(for: ForceID("metropolitan")) == "MET")
    }

    @Test("each of the six characters is drawn evenly from the alphabet")
    func even() {
        var generator = SystemRandomNumberGenerator()
        var counts = Array(repeating: Array(repeating: 0, count: ReportReference.alphabet.count), count: 6)
        let draws = 29_000
        for _ in 0..<draws {
            let body = Array(ReportReference.make(force: ForceID("kent"), using: &generator).split(separator: "-")[1])
            for (position, character) in body.enumerated() {
                counts[position][ReportReference.alphabet.firstIndex(of: character)!] += 1
            }
        }
        // 1,000 expected of each character in each place; a spread beyond ±20% is far outside chance.
        for position in counts { #expect(position.allSatisfy { (800...1200).contains($0) }, "\(position)") }
    }

    @Test("one mistyped character is caught by the check character")
    func check() {
        var generator = SystemRandomNumberGenerator()
        let reference = ReportReference.make(force: ForceID("kent"), using: &generator)
        var characters = Array(reference)
        let index = 5
        let alphabet = ReportReference.alphabet
        characters[index] = alphabet[(alphabet.firstIndex(of: characters[index])! + 1) % alphabet.count]
        #expect(!ReportReference.isValid(String(characters)))
    }
}

@Suite("Force service settings")
struct ForceServiceSettingsTests {
    @Test("a force's settings are saved, updated, and read only through that force", arguments: TestEngine.all)
    func settings(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let date = Date(timeIntervalSince1970: 1_800_000_000)
            try await store.serviceSettings.save(
                ForceServiceSetting(forceID: ForceID("kent"), serviceID: "lost-property", enabled: false), at: date)
            try await store.serviceSettings.save(
                ForceServiceSetting(forceID: ForceID("kent"), serviceID: "report-theft", title: [.english: "Tell us about a theft", .welsh: "Dywedwch wrthym am ladrad"]),
                at: date)
            try await store.serviceSettings.save(
                ForceServiceSetting(forceID: ForceID("kent"), serviceID: "lost-property", enabled: true, summary: [.english: "Lost something?"]),
                at: date)
            let kent = try await store.serviceSettings.settings(for: ForceID("kent"))
            let essex = try await store.serviceSettings.settings(for: ForceID("essex"))
            #expect(kent["lost-property"] == ForceServiceSetting(forceID: ForceID("kent"), serviceID: "lost-property", enabled: true, summary: [.english: "Lost something?"]))
            #expect(kent["report-theft"]?.title[.welsh] == "Dywedwch wrthym am ladrad")
            #expect(essex.isEmpty)
        }
    }
}
