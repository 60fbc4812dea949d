import Foundation
import Logging
import PeelCore
import PeelStore
import SQLKit

/// The databases a store test runs on: SQLite always, and PostgreSQL when
/// `PEEL_TEST_DATABASE_URL` is set (as `scripts/test` does). Each test gets its own SQLite file or
/// its own PostgreSQL schema, so suites run in parallel without sharing state.
package enum TestEngine: Sendable, CustomStringConvertible {
    case sqlite
    case postgres(url: String)

    package static var all: [TestEngine] {
        var engines: [TestEngine] = [.sqlite]
        if let url = ProcessInfo.processInfo.environment["PEEL_TEST_DATABASE_URL"], !url.isEmpty {
            engines.append(.postgres(url: url))
        }
        return engines
    }

    package var description: String {
        switch self {
        case .sqlite: "sqlite"
        case .postgres: "postgres"
        }
    }
}

package let testLogger: Logger = {
    var logger = Logger(label: "peel.test")
    logger.logLevel = .critical
    return logger
}()

/// A fresh, empty place for one test's data, removed when the test ends.
package struct ScratchDatabase: Sendable {
    package let location: DatabaseLocation
    let cleanup: @Sendable () async -> Void

    package static func make(_ engine: TestEngine) async throws -> ScratchDatabase {
        switch engine {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory
                .appendingPathComponent("peel-test-\(UUID().uuidString)", isDirectory: true)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return ScratchDatabase(location: .sqlite(path: folder.appendingPathComponent("peel.sqlite").path)) {
                try? FileManager.default.removeItem(at: folder)
            }
        case .postgres(let url):
            let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            let admin = try await Database.open(.postgres(url: url), poolSize: 1, logger: testLogger)
            try await admin.sql.raw("CREATE SCHEMA \(ident: schema)").run()
            try await admin.close()
            return ScratchDatabase(location: .postgres(url: url, searchPath: [schema])) {
                if let admin = try? await Database.open(.postgres(url: url), poolSize: 1, logger: testLogger) {
                    try? await admin.sql.raw("DROP SCHEMA \(ident: schema) CASCADE").run()
                    try? await admin.close()
                }
            }
        }
    }

    package func remove() async { await cleanup() }
}

/// Runs `body` with a migrated store on `engine`, and removes the data afterwards.
package func withTestStore(
    _ engine: TestEngine, seedRegistry: Bool = true, poolSize: Int = 4,
    _ body: (Store) async throws -> Void
) async throws {
    let scratch = try await ScratchDatabase.make(engine)
    let database: Database
    do {
        database = try await Database.open(scratch.location, poolSize: poolSize, logger: testLogger)
    } catch {
        await scratch.remove()
        throw error
    }
    let store = Store(database: database)
    do {
        try await store.migrate(logger: testLogger)
        if seedRegistry { try await Seeder(store: store).syncRegistry() }
        try await body(store)
    } catch {
        try? await database.close()
        await scratch.remove()
        throw error
    }
    try? await database.close()
    await scratch.remove()
}

/// Stores a report for `force` the way a submission does (journey, report, case, search terms,
/// timeline), without walking a journey.
@discardableResult
package func seedReport(
    _ store: Store, force: ForceID, service: String = "report-theft", contactName: String? = "Sam Reporter",
    contactEmail: String? = nil, contactPhone: String? = nil, extraTerms: [String] = [], createdAt: Date = Date()
) async throws -> Report {
    var generator = SystemRandomNumberGenerator()
    let journeyID = UUID().uuidString.lowercased()
    try await store.journeys.create(
        StoredJourney(id: journeyID, forceID: force, serviceID: service, serviceVersion: 1, state: "{}", reportID: nil, expiresAt: createdAt + 86_400))
    let reference = ReportReference.make(force: force, using: &generator)
    let report = Report(
        id: UUID().uuidString.lowercased(), forceID: force, reference: reference, serviceID: service, serviceVersion: 1,
        answers: #"{"answers":{},"declared":false,"entries":{},"service":"\#(service)","version":1}"#, contactName: contactName,
        contactEmail: contactEmail, contactPhone: contactPhone, language: .english, createdAt: createdAt,
        searchTerms: SearchTerm.terms(
            reference: reference, contactName: contactName, contactEmail: contactEmail, contactPhone: contactPhone)
            + extraTerms.map(SearchTerm.normalise))
    _ = try await store.reports.submit(report, journeyID: journeyID, jobs: [])
    return report
}
