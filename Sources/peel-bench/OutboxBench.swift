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
        // Statements drawn from six independent choices of ten, so that, as in life, few read alike.
        let slots = [
            ["My", "Our", "My partner's", "My son's", "My daughter's", "The family", "My neighbour's", "My friend's", "My work", "The"],
            ["bicycle", "laptop", "phone", "wallet", "handbag", "car", "van", "motorbike", "shed", "garden tools"],
            ["was stolen from", "was taken from", "was damaged outside", "was broken into at", "went missing from", "was vandalised near", "was removed from", "was smashed at", "was tampered with near", "disappeared from"],
            ["my house", "the station", "the shop on the high street", "the car park", "my workplace", "the park", "the school gates", "the leisure centre", "the pub", "the bus stop"],
            ["early on Monday", "late on Tuesday", "on Wednesday afternoon", "on Thursday night", "around noon on Friday", "on Saturday evening", "on Sunday morning", "overnight", "while I was at work", "during the school run"],
            ["I saw two people running off.", "Nobody saw anything.", "There is a camera nearby.", "A neighbour heard a noise.", "The lock was forced.", "A window was broken.", "It was there an hour before.", "I have the serial number.", "It has happened before.", "I have photographs of the damage."],
        ]
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
                        var draw = UInt64(n) &* 0x9E37_79B9_7F4A_7C15 &+ 7
                        let statement = slots.map { options -> String in
                            draw = (draw ^ (draw >> 29)) &* 0xBF58_476D_1CE4_E5B9 &+ 11
                            return options[Int((draw >> 33) % UInt64(options.count))]
                        }.joined(separator: " ")
                        let answers = template.replacingOccurrences(of: "bench@example.org", with: email)
                            .replacingOccurrences(of: "07700900982", with: phone)
                            .replacingOccurrences(of: "AB12 CDE", with: String(format: "BN%02d %03d", n % 100, n % 1000))
                            .replacingOccurrences(of: "Benchmark answer", with: statement)
                        let journeyID = RecordID.make()
                        try await store.journeys.create(
                            StoredJourney(
                                id: journeyID, forceID: force, serviceID: definition.id, serviceVersion: definition.version, state: "{}",
                                reportID: nil, expiresAt: now + 3600))
                        var report = Report(
                            id: RecordID.make(), forceID: force, reference: ReportReference.make(force: force, using: &generator),
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
