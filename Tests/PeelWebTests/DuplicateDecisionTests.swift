import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PeelCore
import PeelStore
import PeelTestSupport
import SQLKit
import Testing

@Suite("Back office: handlers confirm or reject \"duplicate of\"")
struct DuplicateDecisionTests {
    static let force = ForceID("metropolitan")

    func reportID(_ scratch: ScratchDatabase, _ reference: String) async throws -> String {
        try await withStoreValue(scratch) { store in
            try #require(try await store.reports.find(reference: reference, force: Self.force)).id
        }
    }

    /// Waits until the report's delivery has stored its likely duplicates (`count` of them).
    func waitForCandidates(_ scratch: ScratchDatabase, _ id: String, count: Int) async throws -> [DuplicateCandidate] {
        var found: [DuplicateCandidate] = []
        for _ in 0..<300 {
            found = try await withStoreValue(scratch) { store in
                try await store.cases.duplicates(reportID: id, force: Self.force).candidates
            }
            if found.count >= count { return found }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("report \(id) has \(found.count) candidates, not \(count)")
        return found
    }

    func count(_ scratch: ScratchDatabase, _ sql: SQLQueryString) async throws -> Int {
        try await withStoreValue(scratch) { store in
            try await store.database.sql.raw(sql).first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    @Test(
        "delivery stores a report's likely duplicates once, even when it runs again; another force's reference is never stored",
        arguments: TestEngine.all)
    func storedOnce(engine: TestEngine) async throws {
        try await withTestApp(engine) { client, scratch in
            let first = try await submitReport(client)
            let second = try await submitReport(client)
            let secondID = try await reportID(scratch, second)
            let candidates = try await waitForCandidates(scratch, secondID, count: 1)
            #expect(candidates.map(\.candidateReference) == [first])
            #expect(candidates.first?.candidateID == (try await reportID(scratch, first)))
            #expect(candidates.first?.decision == .undecided)
            #expect((candidates.first?.score ?? 0) >= 0.6)
            #expect(candidates.first?.reasons.contains("same reporter email") == true)
            // Delivered without any connection: the demo records system still gets its candidates found.
            #expect(try await withStoreValue(scratch) { try await $0.hub.endpoint(for: Self.force) } == nil)

            // The delivery runs again (a retry after a crash, say): nothing is stored twice.
            try await withStore(of: scratch) { store in
                try await store.database.sql.raw(
                    """
                    UPDATE jobs SET state = 'ready', run_at = 0, max_attempts = attempts + 1
                    WHERE kind = \(bind: JobKinds.deliverReport) AND payload LIKE \(bind: "%\(secondID)%")
                    """
                ).run()
            }
            for _ in 0..<300 {
                let waiting = try await count(
                    scratch,
                    "SELECT COUNT(*) AS n FROM jobs WHERE kind = \(bind: JobKinds.deliverReport) AND state <> 'done'")
                if waiting == 0 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(
                try await count(
                    scratch, "SELECT COUNT(*) AS n FROM duplicate_candidates WHERE report_id = \(bind: secondID)") == 1)
            #expect(
                try await count(
                    scratch,
                    "SELECT COUNT(*) AS n FROM case_events WHERE report_id = \(bind: secondID) AND kind = 'possible-duplicate'"
                ) == 1)

            // Straight to the store, twice: nothing more.
            let third = try await submitReport(client)
            let thirdID = try await reportID(scratch, third)
            _ = try await waitForCandidates(scratch, thirdID, count: 2)
            let west = try await withStoreValue(scratch) { store in
                try await seedReport(store, force: ForceID("west-midlands"))
            }
            try await withStore(of: scratch) { store in
                for _ in 0..<2 {
                    try await store.hub.recordDuplicates(
                        reportID: thirdID, force: Self.force,
                        candidates: [FoundDuplicate(reference: second, score: 0.9, reasons: ["same reporter email"])],
                        note: "again",
                        at: Date())
                }
                // Another force's reference is not a candidate of ours.
                try await store.hub.recordDuplicates(
                    reportID: try await reportID(scratch, first), force: Self.force,
                    candidates: [
                        FoundDuplicate(reference: west.reference, score: 0.9, reasons: ["same reporter email"])
                    ], note: "elsewhere",
                    at: Date())
            }
            #expect(
                try await count(
                    scratch, "SELECT COUNT(*) AS n FROM duplicate_candidates WHERE report_id = \(bind: thirdID)") == 2)
            #expect(
                try await count(
                    scratch, "SELECT COUNT(*) AS n FROM duplicate_candidates WHERE candidate_id = \(bind: west.id)")
                    == 0)
            #expect(try await count(scratch, "SELECT COUNT(*) AS n FROM case_events WHERE text = 'elsewhere'") == 0)
        }
    }

    @Test(
        "a handler sees the candidates, confirms one and rejects another: both reports' timelines, the marker and the audit say so; deciding twice is refused",
        arguments: TestEngine.all)
    func confirmAndReject(engine: TestEngine) async throws {
        let clock = TestClock()
        try await withTestApp(engine, now: clock.reader) { client, scratch in
            let first = try await submitReport(client)
            let second = try await submitReport(client)
            let third = try await submitReport(client)
            let firstID = try await reportID(scratch, first)
            let secondID = try await reportID(scratch, second)
            let thirdID = try await reportID(scratch, third)
            _ = try await waitForCandidates(scratch, thirdID, count: 2)
            let handler = try await createStaff(
                scratch, force: "metropolitan", roles: [.contactHandler], email: "handler@met.police.uk",
                name: "Hana Handler")
            var browser = TestBrowser(client: client)
            try await browser.signIn(handler, force: "metropolitan", clock: clock)
            let path = "/metropolitan/staff/reports/\(thirdID)"
            let page = try await browser.get(path)
            #expect(page.html.contains("Possible duplicates"))
            #expect(links(in: page.html).contains("/metropolitan/staff/reports/\(firstID)"))
            #expect(links(in: page.html).contains("/metropolitan/staff/reports/\(secondID)"))
            #expect(page.html.contains("same reporter email"))
            #expect(page.html.contains("Confirm: this is a duplicate of \(first)"))
            #expect(page.html.contains("Not a duplicate of \(second)"))

            // No decision chosen: the error summary, nothing decided.
            let undecided = try await browser.post("\(path)/duplicates", [("candidate", firstID)])
            #expect(undecided.status == .badRequest)
            #expect(undecided.html.contains("error-summary"))
            #expect(undecided.html.contains("Choose whether this is a duplicate or not"))

            let confirmed = try await browser.post(
                "\(path)/duplicates", [("candidate", firstID), ("decision", "confirmed")])
            #expect(confirmed.status == .ok)
            #expect(confirmed.path == path)
            #expect(
                confirmed.html.contains(
                    "Duplicate of</th><td><a href=\"/metropolitan/staff/reports/\(firstID)\">\(first)</a>"))
            #expect(confirmed.html.contains("Confirmed as a duplicate of \(first)"))
            #expect(confirmed.html.contains("Confirmed as a duplicate by Hana Handler"))
            let rejected = try await browser.post(
                "\(path)/duplicates", [("candidate", secondID), ("decision", "rejected")])
            #expect(rejected.html.contains("Not a duplicate of \(second)"))
            #expect(!rejected.html.contains("Confirm: this is a duplicate of"))

            // Deciding again is refused, and changes nothing.
            let twice = try await browser.post(
                "\(path)/duplicates", [("candidate", firstID), ("decision", "rejected")])
            #expect(twice.status == .conflict)
            #expect(twice.html.contains("error-summary"))
            #expect(twice.html.contains("This report was already confirmed as a duplicate of \(first)"))
            let unknown = try await browser.post(
                "\(path)/duplicates", [("candidate", thirdID), ("decision", "confirmed")])
            #expect(unknown.status == .notFound)

            let original = try await browser.get("/metropolitan/staff/reports/\(firstID)")
            #expect(original.html.contains("\(third) confirmed as a duplicate of this report"))
            #expect(
                original.html.contains(
                    "Reported again as</th><td><a href=\"/metropolitan/staff/reports/\(thirdID)\">\(third)</a>"))
            let other = try await browser.get("/metropolitan/staff/reports/\(secondID)")
            #expect(other.html.contains("\(third) judged not a duplicate of this report"))

            let (decisions, audit, status) = try await withStoreValue(scratch) { store in
                let links = try await store.cases.duplicates(reportID: thirdID, force: Self.force)
                let audit = try await store.audit.entries(subject: "report:\(thirdID)", force: Self.force)
                let status = try await store.cases.find(reportID: thirdID, force: Self.force)?.status
                return (links.candidates.map { ($0.candidateID, $0.decision, $0.decidedBy) }, audit, status)
            }
            #expect(decisions.contains { $0.0 == firstID && $0.1 == .confirmed && $0.2 == handler.member.id })
            #expect(decisions.contains { $0.0 == secondID && $0.1 == .rejected && $0.2 == handler.member.id })
            // Confirming does not close the report.
            #expect(status != .closed)
            #expect(
                audit.contains {
                    $0.action == "report.duplicate.confirmed" && $0.actorID == handler.member.id
                        && $0.detail.contains(first)
                })
            #expect(audit.contains { $0.action == "report.duplicate.rejected" && $0.detail.contains(second) })
            #expect(audit.filter { $0.action.hasPrefix("report.duplicate") }.count == 2)
            try await withStore(of: scratch) { store in
                guard case .intact = try await store.audit.verify() else {
                    Issue.record("the audit chain should verify")
                    return
                }
            }
        }
    }

    @Test(
        "another force's staff cannot see or decide our candidates, and our report cannot take another force's report as a candidate",
        arguments: TestEngine.all)
    func tenancy(engine: TestEngine) async throws {
        let clock = TestClock()
        try await withTestApp(engine, now: clock.reader) { client, scratch in
            let first = try await submitReport(client)
            let second = try await submitReport(client)
            let firstID = try await reportID(scratch, first)
            let secondID = try await reportID(scratch, second)
            _ = try await waitForCandidates(scratch, secondID, count: 1)
            let west = try await withStoreValue(scratch) { store in
                try await seedReport(store, force: ForceID("west-midlands"))
            }

            let theirs = try await createStaff(
                scratch, force: "west-midlands", roles: [.contactHandler, .supervisor], email: "h@wmp.police.uk")
            var elsewhere = TestBrowser(client: client)
            try await elsewhere.signIn(theirs, force: "west-midlands", clock: clock)
            // Our address, their session: refused before anything is read.
            let read = try await elsewhere.get("/metropolitan/staff/reports/\(secondID)")
            #expect(read.status == .notFound)
            #expect(!read.html.contains(first))
            let decide = try await elsewhere.post(
                "/metropolitan/staff/reports/\(secondID)/duplicates",
                [("candidate", firstID), ("decision", "confirmed")])
            #expect(decide.status == .notFound)
            // Their address naming our report.
            let named = try await elsewhere.post(
                "/west-midlands/staff/reports/\(secondID)/duplicates",
                [("candidate", firstID), ("decision", "confirmed")])
            #expect(named.status == .notFound)

            let ours = try await createStaff(
                scratch, force: "metropolitan", roles: [.contactHandler], email: "h@met.police.uk")
            var browser = TestBrowser(client: client)
            try await browser.signIn(ours, force: "metropolitan", clock: clock)
            // Their report offered as the candidate of ours.
            let crossed = try await browser.post(
                "/metropolitan/staff/reports/\(secondID)/duplicates",
                [("candidate", west.id), ("decision", "confirmed")])
            #expect(crossed.status == .notFound)
            let undecided = try await withStoreValue(scratch) { store in
                try await store.cases.duplicates(reportID: secondID, force: Self.force).candidates.map(\.decision)
            }
            #expect(undecided == [.undecided])
            // The store answers nothing for another force.
            let none = try await withStoreValue(scratch) { store in
                try await store.cases.duplicates(reportID: secondID, force: ForceID("west-midlands"))
            }
            #expect(none.candidates.isEmpty && none.confirmedLater.isEmpty)
            await #expect(throws: DuplicateDecisionError.notFound) {
                try await withStore(of: scratch) { store in
                    _ = try await store.cases.decideDuplicate(
                        reportID: secondID, candidateID: firstID, force: ForceID("west-midlands"), decision: .confirmed,
                        actor: theirs.member, at: Date())
                }
            }
        }
    }
}
