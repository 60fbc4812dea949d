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
