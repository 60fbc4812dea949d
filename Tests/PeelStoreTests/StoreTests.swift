import Foundation
import PeelCore
import PeelStore
import PeelTestSupport
import SQLKit
import Testing

@Suite("Migrations")
struct MigrationTests {
    @Test("every migration applies once, in order, and a second run does nothing", arguments: TestEngine.all)
    func appliesOnce(engine: TestEngine) async throws {
        try await withTestStore(engine, seedRegistry: false) { store in
            let migrator = Migrator(database: store.database, logger: testLogger)
            #expect(try await migrator.migrate().isEmpty)
            let status = try await migrator.status()
            #expect(status.map(\.id) == PeelMigrations.all.map(\.id))
            #expect(status.allSatisfy { $0.appliedAt != nil })
            #expect(try await migrator.unknownApplied().isEmpty)
        }
    }

    @Test(
        "search terms and match keys made before they were kept by their key alone are still found after it",
        arguments: TestEngine.all)
    func keyOrderedTerms(engine: TestEngine) async throws {
        let scratch = try await ScratchDatabase.make(engine)
        defer { Task { await scratch.remove() } }
        let database = try await Database.open(scratch.location, poolSize: 2, logger: testLogger)
        do {
            let store = Store(database: database)
            let last = try #require(PeelMigrations.all.firstIndex { $0.id == "0026_key_ordered_search_terms_and_match_keys" })
            try await Migrator(database: database, migrations: Array(PeelMigrations.all[..<last]), logger: testLogger).migrate()
            try await Seeder(store: store).syncRegistry()
            let kent = ForceID("kent")
            let report = try await seedReport(store, force: kent, contactName: "Ffion Jones", extraTerms: ["AB12 CDE"])
            try await database.sql.raw(
                """
                INSERT INTO report_match_keys (force_id, match_key, created_at, report_id)
                VALUES (\(bind: kent.rawValue), 'email:ffion@example.org', \(bind: report.createdAt.millisecondsSince1970), \(bind: report.id))
                """
            ).run()
            try await database.sql.raw("UPDATE reports SET match_features = '{}' WHERE id = \(bind: report.id)").run()

            try await Migrator(database: database, logger: testLogger).migrate()

            for search in ["jones", "ab12cde", report.reference] {
                var query = CaseQuery()
                query.search = search
                #expect(try await store.cases.queue(force: kent, query: query).cases.map(\.report.id) == [report.id], "\(search)")
            }
            let found = try await store.reports.sharingKeys(
                ["email:ffion@example.org"], pooled: [], force: kent, from: report.createdAt - 60, to: report.createdAt + 60,
                excluding: "", perKey: 10)
            #expect(found.map(\.id) == [report.id])
            if case .sqlite = engine {
                // Kept by the key alone: there is no row id beside it.
                for table in ["case_search", "report_match_keys"] {
                    await #expect(throws: (any Error).self) { try await database.sql.raw("SELECT rowid FROM \(unsafeRaw: table)").run() }
                }
            }
        } catch {
            try? await database.close()
            throw error
        }
        try await database.close()
    }

    @Test("a failing migration rolls back and is not recorded", arguments: TestEngine.all)
    func failingMigration(engine: TestEngine) async throws {
        try await withTestStore(engine, seedRegistry: false) { store in
            let broken = PeelMigrations.all + [
                Migration("9999_broken", portable: ["CREATE TABLE half_done (id TEXT)", "THIS IS NOT SQL"])
            ]
            let migrator = Migrator(database: store.database, migrations: broken, logger: testLogger)
            await #expect(throws: MigrationError.self) { try await migrator.migrate() }
            let status = try await migrator.status()
            #expect(status.last?.id == "9999_broken")
            #expect(status.last?.appliedAt == nil)
            // The table from the failed migration's first statement is gone with the rollback.
            await #expect(throws: (any Error).self) {
                try await store.database.sql.raw("SELECT id FROM half_done").all()
            }
        }
    }

    @Test("foreign keys are enforced", arguments: TestEngine.all)
    func foreignKeys(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            await #expect(throws: (any Error).self) {
                try await store.database.sql.raw(
                    "INSERT INTO force_home_content (force_id, language, intro, updated_at) VALUES ('atlantis', 'en', 'x', 0)"
                ).run()
            }
        }
    }
}

@Suite("Force registry store")
struct ForceRepositoryTests {
    @Test("the registry holds all 43 territorial forces, BTP and the auxiliary bodies", arguments: TestEngine.all)
    func registry(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let forces = try await store.forces.all()
            #expect(forces.count == 46)
            #expect(forces.filter { $0.definition.kind == .territorial }.count == 43)
            let northWales = try #require(try await store.forces.find(ForceID("north-wales")))
            #expect(northWales.name(in: .welsh) == "Heddlu Gogledd Cymru")
            #expect(northWales.name(in: .english) == "North Wales Police")
            #expect(northWales.onboarding == .notOnboarded)
            #expect(try await store.forces.find(ForceID("atlantis")) == nil)
        }
    }

    @Test("onboarding changes only the named force and survives a registry resync", arguments: TestEngine.all)
    func onboarding(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let at = Date(timeIntervalSince1970: 1_800_000_000)
            let kent = try #require(try await store.forces.setOnboarding(ForceID("kent"), to: .full, at: at))
            #expect(kent.onboarding == .full)
            #expect(kent.onboardedAt == at)
            #expect(try await store.forces.find(ForceID("essex"))?.onboarding == .notOnboarded)
            try await Seeder(store: store).syncRegistry()
            #expect(try await store.forces.find(ForceID("kent"))?.onboarding == .full)
            #expect(try await store.forces.setOnboarding(ForceID("atlantis"), to: .core, at: at) == nil)
        }
    }

    @Test("demo content seeds once and never overwrites later changes", arguments: TestEngine.all)
    func demoOnce(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let seeder = Seeder(store: store)
            #expect(try await seeder.seedDemo())
            #expect(try await store.forces.find(ForceID("metropolitan"))?.onboarding == .full)
            _ = try await store.forces.setOnboarding(ForceID("metropolitan"), to: .core, at: Date())
            #expect(try await !seeder.seedDemo())
            #expect(try await store.forces.find(ForceID("metropolitan"))?.onboarding == .core)
            let welsh = try await store.forceContent.homeContent(for: ForceID("north-wales"), language: .welsh)
            #expect(welsh?.intro.contains("Gogledd Cymru") == true)
        }
    }

    @Test("home content is read only through its own force", arguments: TestEngine.all)
    func contentTenancy(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let date = Date(timeIntervalSince1970: 1_800_000_000)
            try await store.forceContent.saveHomeContent(
                ForceHomeContent(forceID: ForceID("kent"), language: .english, intro: "Kent's words", updatedAt: date))
            #expect(try await store.forceContent.homeContent(for: ForceID("kent"), language: .english)?.intro == "Kent's words")
            #expect(try await store.forceContent.homeContent(for: ForceID("essex"), language: .english) == nil)
            #expect(try await store.forceContent.homeContent(for: ForceID("kent"), language: .welsh) == nil)
        }
    }
}

@Suite("Transactions under concurrent writers")
struct ConcurrentTransactionTests {
    struct Refused: Error {}

    @Test("concurrent transactions all commit, except the one that throws, which leaves nothing", arguments: TestEngine.all)
    func concurrentCommits(engine: TestEngine) async throws {
        try await withTestStore(engine, poolSize: 8) { store in
            try await store.database.sql.raw("CREATE TABLE tx_probe (id INTEGER PRIMARY KEY, note TEXT NOT NULL)").run()
            let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
                for index in 0..<80 {
                    group.addTask {
                        do {
                            try await store.database.transaction { tx in
                                try await tx.raw("INSERT INTO tx_probe (id, note) VALUES (\(bind: index), 'first')").run()
                                try await tx.raw("UPDATE tx_probe SET note = 'second' WHERE id = \(bind: index)").run()
                                if index == 41 { throw Refused() }
                            }
                            return (index, true)
                        } catch {
                            return (index, false)
                        }
                    }
                }
                var outcomes: [Int: Bool] = [:]
                for await (index, committed) in group { outcomes[index] = committed }
                return outcomes
            }
            #expect(outcomes.filter { !$0.value }.map(\.key) == [41])
            let rows = try await store.database.sql.raw("SELECT id, note FROM tx_probe ORDER BY id").all()
            let ids = try rows.map { try $0.decode(column: "id", as: Int.self) }
            #expect(ids == Array(0..<80).filter { $0 != 41 })
            #expect(try rows.allSatisfy { try $0.decode(column: "note", as: String.self) == "second" })
        }
    }

    @Test("a transaction begun inside another is undone alone when it throws", arguments: TestEngine.all)
    func nested(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            try await store.database.sql.raw("CREATE TABLE tx_nested (id INTEGER PRIMARY KEY)").run()
            let engineKind = store.database.engine
            try await store.database.transaction { tx in
                try await tx.raw("INSERT INTO tx_nested (id) VALUES (1)").run()
                let inner = try? await inTransaction(on: tx, engine: engineKind) { inner in
                    try await inner.raw("INSERT INTO tx_nested (id) VALUES (2)").run()
                    throw Refused()
                }
                #expect(inner == nil)
                try await tx.raw("INSERT INTO tx_nested (id) VALUES (3)").run()
            }
            let ids = try await store.database.sql.raw("SELECT id FROM tx_nested ORDER BY id").all()
                .map { try $0.decode(column: "id", as: Int.self) }
            #expect(ids == [1, 3])
        }
    }

    @Test("a single statement that fails changes nothing and does not stop the writes queued beside it", arguments: TestEngine.all)
    func failedStatement(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            try await store.database.sql.raw("CREATE TABLE tx_unique (id INTEGER PRIMARY KEY)").run()
            try await store.database.sql.raw("INSERT INTO tx_unique (id) VALUES (1)").run()
            let results = await withTaskGroup(of: Bool.self) { group in
                for id in [1, 2, 3, 1, 4] {
                    group.addTask { (try? await store.database.sql.raw("INSERT INTO tx_unique (id) VALUES (\(bind: id))").run()) != nil }
                }
                var results: [Bool] = []
                for await result in group { results.append(result) }
                return results
            }
            #expect(results.filter { $0 }.count == 3)
            let ids = try await store.database.sql.raw("SELECT id FROM tx_unique ORDER BY id").all()
                .map { try $0.decode(column: "id", as: Int.self) }
            #expect(ids == [1, 2, 3, 4])
        }
    }
}
