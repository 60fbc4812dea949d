import Foundation
import Logging
import PeelCore
import PeelForms
import PeelHub
import PeelStore

/// A backlog as an outage of a force's records system leaves it: `count` reports made in the
/// hour before, each with its delivery due now, written through the store's own submission
/// (report, case, match keys and outbox job in one transaction). The answers are those a
/// person gives on the service's general route, with reporter, phone, vehicle and statement
/// varied per report.
enum OutboxBench {
    static func seed(path: String, force: ForceID, service: String, count: Int) async throws {
        var logger = Logger(label: "peel-bench")
        logger.logLevel = .critical
        let catalogue = try ServiceCatalogue.bundled()
        guard let definition = catalogue.service(service) else { throw BenchError(message: "no service '\(service)'") }
        let database = try await Database.open(.sqlite(path: path), poolSize: 4, logger: logger)
        let store = Store(database: database)
        let script = JourneyScript.make(definition)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let template = String(
            decoding: try encoder.encode(
                ReportDocument(service: definition.id, version: definition.version, answers: script.answers, entries: [:], declared: true)),
            as: UTF8.self)
        let things = ["bicycle", "laptop", "phone", "wallet", "handbag", "car", "van", "motorbike", "shed", "garden tools"]
        let verbs = ["stolen from", "taken from", "damaged outside", "broken into at", "removed from"]
        let spots = ["my house", "the station", "the shop on the high street", "the car park", "my workplace", "the park"]
        let started = Date()
        let now = Date()
        // Sixteen submissions at a time, as people would make them: the single writer commits
        // them in groups.
        let lanes = 16
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<lanes {
                group.addTask {
                    var generator = SystemRandomNumberGenerator()
                    for n in stride(from: lane, to: count, by: lanes) {
                        let email = "person\(n)@example.org"
                        let phone = String(format: "07%09d", n)
                        let statement =
                            "My \(things[n % things.count]) was \(verbs[(n / 10) % verbs.count]) \(spots[(n / 50) % spots.count]) on the \(n % 28 + 1)th at about \(n % 24) o'clock, item number \(n)."
                        let answers = template.replacingOccurrences(of: "bench@example.org", with: email)
                            .replacingOccurrences(of: "07700900982", with: phone)
                            .replacingOccurrences(of: "AB12 CDE", with: String(format: "BN%02d %03d", n % 100, n % 1000))
                            .replacingOccurrences(of: "Benchmark answer", with: statement)
                        let journeyID = UUID().uuidString.lowercased()
                        try await store.journeys.create(
                            StoredJourney(
                                id: journeyID, forceID: force, serviceID: definition.id, serviceVersion: definition.version, state: "{}",
                                reportID: nil, expiresAt: now + 3600))
                        var report = Report(
                            id: UUID().uuidString.lowercased(), forceID: force, reference: ReportReference.make(force: force, using: &generator),
                            serviceID: definition.id, serviceVersion: definition.version, answers: answers, contactName: "Person \(n)",
                            contactEmail: email, contactPhone: phone, language: .english,
                            createdAt: now - Double(count - n) * 3600 / Double(count))
                        DuplicateFinder.file(&report, definition: definition)
                        let payload = #"{"report":"\#(report.id)","force":"\#(force)"}"#
                        _ = try await store.reports.submit(
                            report, journeyID: journeyID,
                            jobs: [NewJob(kind: JobKinds.deliverReport, payload: payload, forceID: force, runAt: now, maxAttempts: 20)])
                    }
                }
            }
            try await group.waitForAll()
        }
        print("seeded a backlog of \(count) reports awaiting delivery in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        try await database.close()
    }
}
