import Foundation
import PeelCore
import SQLKit

/// Puts the force registry, and on request the demo content, into a migrated store.
package struct Seeder: Sendable {
    let store: Store

    package init(store: Store) { self.store = store }

    /// Brings the stored registry in step with ``ForceRegistry``. Runs at every start; keeps each
    /// force's onboarding state and its own contact details.
    package func syncRegistry(now: Date = Date()) async throws {
        try await store.transaction { repositories in
            try await repositories.forces.sync(with: ForceRegistry.all, at: now)
        }
    }

    /// Onboards a handful of forces and gives them home-page words, once per database: after the
    /// first run an administrator's changes are never overwritten. Returns whether it ran.
    @discardableResult
    package func seedDemo(now: Date = Date()) async throws -> Bool {
        try await store.transaction { repositories in
            let tx = repositories.forces
            let marker = try await tx.db.raw("SELECT name FROM seed_runs WHERE name = 'demo-v1'").first()
            guard marker == nil else { return false }
            for demo in DemoContent.forces {
                _ = try await tx.setOnboarding(demo.id, to: demo.model, at: now)
                for (language, intro) in [(Language.english, demo.introEnglish), (.welsh, demo.introWelsh)] {
                    try await repositories.forceContent.saveHomeContent(
                        ForceHomeContent(forceID: demo.id, language: language, intro: intro, updatedAt: now))
                }
            }
            try await tx.db.raw(
                "INSERT INTO seed_runs (name, ran_at) VALUES ('demo-v1', \(bind: now.millisecondsSince1970))"
            ).run()
            return true
        }
    }
}

/// The demo forces: enough variety to see every state of a force's site on one laptop.
enum DemoContent {
    struct DemoForce {
        let id: ForceID
        let model: OnboardingModel
        let introEnglish: String
        let introWelsh: String
    }

    static let forces: [DemoForce] = [
        DemoForce(
            id: ForceID("metropolitan"), model: .full,
            introEnglish:
                "We police London's 32 boroughs. Report a crime, tell us about an incident or follow up on something you have already reported, any time of day.",
            introWelsh:
                "Rydym yn plismona 32 bwrdeistref Llundain. Rhowch wybod am drosedd neu ddigwyddiad, neu dilynwch rywbeth rydych eisoes wedi rhoi gwybod amdano, ar unrhyw adeg o'r dydd."
        ),
        DemoForce(
            id: ForceID("north-wales"), model: .full,
            introEnglish:
                "We serve the communities of North Wales, in English and in Welsh. Contact us online when it is not an emergency.",
            introWelsh:
                "Rydym yn gwasanaethu cymunedau Gogledd Cymru, yn Gymraeg ac yn Saesneg. Cysylltwch â ni ar-lein pan nad yw'n argyfwng."
        ),
        DemoForce(
            id: ForceID("south-wales"), model: .core,
            introEnglish: "Contact South Wales Police online when it is not an emergency.",
            introWelsh: "Cysylltwch â Heddlu De Cymru ar-lein pan nad yw'n argyfwng."
        ),
        DemoForce(
            id: ForceID("thames-valley"), model: .core,
            introEnglish:
                "We police Berkshire, Buckinghamshire and Oxfordshire. Report non-emergency crime and incidents online.",
            introWelsh:
                "Rydym yn plismona Berkshire, Swydd Buckingham a Swydd Rydychen. Rhowch wybod am droseddau a digwyddiadau nad ydynt yn argyfwng ar-lein."
        ),
        DemoForce(
            id: ForceID("btp"), model: .core,
            introEnglish:
                "We police Britain's railways. If you are on a train or at a station, you can also text us on 61016.",
            introWelsh:
                "Rydym yn plismona rheilffyrdd Prydain. Os ydych ar drên neu mewn gorsaf, gallwch hefyd anfon neges destun atom ar 61016."
        ),
    ]
}
