import Foundation
import PeelCore
import PeelStore
import PeelTestSupport
import SQLKit
import Testing

@Suite("Cases: the queue, search, workflow and audit in the store")
struct CaseStoreTests {
    let met = ForceID("metropolitan")
    let west = ForceID("west-midlands")

    func officer(_ store: Store, force: ForceID, roles: Set<StaffRole> = [.officer]) async throws -> StaffMember {
        let member = StaffMember(
            id: UUID().uuidString.lowercased(), forceID: force, email: "\(UUID().uuidString.prefix(8))@police.uk", name: "Olu Officer",
            roles: roles, passwordHash: "x", createdAt: Date())
        try await store.staff.create(member)
        return member
    }

    @Test("the queue is one force's, most urgent then oldest first, filtered and paged", arguments: TestEngine.all)
    func queueOrder(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            let actor = try await officer(store, force: met, roles: [.contactHandler])
            var reports: [Report] = []
            for index in 0..<30 {
                reports.append(try await seedReport(store, force: met, createdAt: start + Double(index) * 60))
            }
            try await seedReport(store, force: west, createdAt: start)
            let assessment = { (grade: ResponseGrade) in
                ThriveAssessment(threat: .high, harm: .high, risk: .high, investigation: "i", vulnerability: "v", engagement: "e", grade: grade)
            }
            // The newest is an emergency; another is scheduled: emergency first, scheduled after the unassessed.
            _ = try await store.cases.apply(.assess(assessment(.emergency)), reportID: reports[29].id, force: met, actor: actor, at: start + 3600)
            _ = try await store.cases.apply(.assess(assessment(.scheduled)), reportID: reports[0].id, force: met, actor: actor, at: start + 3600)
            let first = try await store.cases.queue(force: met, query: CaseQuery())
            #expect(first.total == 30)
            #expect(first.cases.count == CaseQuery.pageSize)
            #expect(first.cases[0].report.id == reports[29].id)
            #expect(first.cases[1].report.id == reports[1].id)
            #expect(first.cases.allSatisfy { $0.report.forceID == met })
            var second = CaseQuery()
            second.page = 2
            let last = try await store.cases.queue(force: met, query: second)
            #expect(last.cases.count == 5)
            #expect(last.cases.last?.report.id == reports[0].id)
            var graded = CaseQuery()
            graded.grade = .emergency
            #expect(try await store.cases.queue(force: met, query: graded).cases.map(\.report.id) == [reports[29].id])
            var window = CaseQuery()
            window.from = start + 60 * 10
            window.to = start + 60 * 12
            #expect(try await store.cases.queue(force: met, query: window).total == 2)
            var unassigned = CaseQuery()
            unassigned.unassignedOnly = true
            #expect(try await store.cases.queue(force: met, query: unassigned).total == 30)
        }
    }

    @Test("search finds a report by reference, name, email, phone, postcode or registration prefix, in its own force only", arguments: TestEngine.all)
    func search(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let target = try await seedReport(
                store, force: met, contactName: "Bethan Hughes", contactEmail: "Bethan@Example.org", contactPhone: "+44 7700 900123",
                extraTerms: ["SW1A 2AA", "AB12 CDE"])
            try await seedReport(store, force: met, contactName: "Other Person")
            let theirs = try await seedReport(store, force: west, contactName: "Bethan Hughes")
            for text in [target.reference, target.reference.lowercased(), "bethan", "Hughes", "bethan hughes", "bethan@example.org",
                         "07700900123", "sw1a2aa", "SW1A", "ab12 cde"] {
                var query = CaseQuery()
                query.search = text
                let found = try await store.cases.queue(force: met, query: query)
                #expect(found.cases.map(\.report.id) == [target.id], "searching \(text)")
            }
            var nothing = CaseQuery()
            nothing.search = "zzzz"
            #expect(try await store.cases.queue(force: met, query: nothing).total == 0)
            var theirsQuery = CaseQuery()
            theirsQuery.search = theirs.reference
            #expect(try await store.cases.queue(force: met, query: theirsQuery).total == 0)
            // Hostile text is only ever a bound value.
            var hostile = CaseQuery()
            hostile.search = "' OR 1=1 --"
            #expect(try await store.cases.queue(force: met, query: hostile).total == 0)
        }
    }

    @Test("the workflow refuses moves it does not allow, closing needs an outcome, and another force's report is not found", arguments: TestEngine.all)
    func workflow(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let actor = try await officer(store, force: met, roles: [.supervisor])
            let report = try await seedReport(store, force: met)
            let theirs = try await seedReport(store, force: west)
            let now = Date()
            await #expect(throws: CaseChangeError.transitionNotAllowed(from: .new, to: .underInvestigation)) {
                _ = try await store.cases.apply(.status(.underInvestigation, outcome: nil), reportID: report.id, force: met, actor: actor, at: now)
            }
            await #expect(throws: CaseChangeError.outcomeRequired) {
                _ = try await store.cases.apply(.status(.closed, outcome: nil), reportID: report.id, force: met, actor: actor, at: now)
            }
            await #expect(throws: CaseChangeError.notFound) {
                _ = try await store.cases.apply(.note("x"), reportID: theirs.id, force: met, actor: actor, at: now)
            }
            #expect(try await store.cases.find(reportID: theirs.id, force: met) == nil)
            let officer = try await officer(store, force: met)
            let assigned = try await store.cases.apply(.assign(staffID: officer.id, name: officer.name), reportID: report.id, force: met, actor: actor, at: now)
            #expect(assigned.status == .assigned)
            #expect(assigned.assignedName == "Olu Officer")
            let investigating = try await store.cases.apply(.status(.underInvestigation, outcome: nil), reportID: report.id, force: met, actor: actor, at: now)
            #expect(investigating.status == .underInvestigation)
            let closed = try await store.cases.apply(.status(.closed, outcome: .crimeRecorded), reportID: report.id, force: met, actor: actor, at: now)
            #expect(closed.status == .closed)
            #expect(closed.outcome == .crimeRecorded)
            await #expect(throws: CaseChangeError.closedReport) {
                _ = try await store.cases.apply(.assign(staffID: officer.id, name: officer.name), reportID: report.id, force: met, actor: actor, at: now)
            }
            let reopened = try await store.cases.apply(.status(.triaged, outcome: nil), reportID: report.id, force: met, actor: actor, at: now)
            #expect(reopened.status == .triaged)
            #expect(reopened.outcome == nil)
            let kinds = try await store.cases.events(reportID: report.id, force: met).map(\.kind)
            #expect(kinds == [.submitted, .assigned, .status, .status, .status])
            // Nothing was written by the refused changes: one audit entry per accepted change.
            let audited = try await store.audit.entries(subject: "report:\(report.id)", force: met)
            #expect(audited.count == 4)
        }
    }

    @Test("the audit chain names the first entry removed from its middle, and reports its head", arguments: TestEngine.all)
    func auditRemoval(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            for index in 1...5 {
                try await store.audit.append(
                    AuditRecord(forceID: met, actorID: nil, action: "test", subject: "s", detail: "entry \(index)"), at: Date())
            }
            guard case .intact(let count, let head) = try await store.audit.verify() else {
                Issue.record("a fresh chain should verify")
                return
            }
            #expect(count == 5)
            #expect(head.count == 64)
            try await store.database.sql.raw("DELETE FROM audit_log WHERE sequence = 2").run()
            #expect(try await store.audit.verify() == .broken(atSequence: 2, reason: "entry 2 is missing"))
        }
    }
}

@Suite("References")
struct ReferenceCollisionTests {
    @Test("a reference already given in the force is drawn again, and the report is found by the new one", arguments: TestEngine.all)
    func collision(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let force = ForceID("metropolitan")
            var generator = SystemRandomNumberGenerator()
            let reference = ReportReference.make(force: force, using: &generator)
            var outcomes: [Report] = []
            for _ in 0..<2 {
                let journey = UUID().uuidString.lowercased()
                try await store.journeys.create(
                    StoredJourney(id: journey, forceID: force, serviceID: "report-theft", serviceVersion: 1, state: "{}", reportID: nil, expiresAt: Date() + 3600))
                let report = Report(
                    id: UUID().uuidString.lowercased(), forceID: force, reference: reference, serviceID: "report-theft", serviceVersion: 1,
                    answers: "{}", contactName: nil, contactEmail: nil, contactPhone: nil, language: .english, createdAt: Date(),
                    searchTerms: [SearchTerm.normalise(reference), "someone"])
                guard case .created(let stored) = try await store.reports.submit(report, journeyID: journey, jobs: []) else {
                    Issue.record("a new journey should make a new report")
                    return
                }
                outcomes.append(stored)
            }
            #expect(outcomes[0].reference == reference)
            #expect(outcomes[1].reference != reference)
            #expect(ReportReference.isValid(outcomes[1].reference))
            var query = CaseQuery()
            query.search = outcomes[1].reference
            #expect(try await store.cases.queue(force: force, query: query).cases.map(\.report.id) == [outcomes[1].id])
            query.search = reference
            #expect(try await store.cases.queue(force: force, query: query).cases.map(\.report.id) == [outcomes[0].id])
        }
    }
}
