import Foundation
import PeelCore
import PeelStore
import PeelTestSupport
import Testing

@Suite("Neighbourhoods in the store")
struct NeighbourhoodStoreTests {
    func cityCentre() -> Neighbourhood {
        var neighbourhood = Neighbourhood(force: ForceID("leicestershire"), id: "NC04", name: "City Centre")
        neighbourhood.boundary = [[52.62, -1.15], [52.62, -1.12], [52.64, -1.12], [52.64, -1.15], [52.62, -1.15]]
        neighbourhood.population = 12_000
        neighbourhood.team = [.init(name: "Andy Cooper", rank: "Sgt", bio: nil, contactDetails: [:])]
        neighbourhood.priorities = [.init(issue: "Anti-social behaviour on Humberstone Gate", issueDate: "2024-01-14T00:00:00", action: nil, actionDate: nil)]
        return neighbourhood
    }

    @Test("saved, found, listed by force, replaced and deleted", arguments: TestEngine.all)
    func lifecycle(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let neighbourhoods = store.neighbourhoods
            try await neighbourhoods.save(cityCentre(), at: Date())
            var other = Neighbourhood(force: ForceID("leicestershire"), id: "NC66", name: "Cultural Quarter")
            other.boundary = [[52.63, -1.13], [52.63, -1.12], [52.64, -1.12]]
            try await neighbourhoods.save(other, at: Date())
            try await neighbourhoods.save(Neighbourhood(force: ForceID("metropolitan"), id: "NC04", name: "Same id, other force"), at: Date())

            #expect(try await neighbourhoods.list(force: ForceID("leicestershire")).map(\.name) == ["City Centre", "Cultural Quarter"])
            #expect(try await neighbourhoods.find(force: ForceID("leicestershire"), id: "NC04") == cityCentre())
            #expect(try await neighbourhoods.find(force: ForceID("metropolitan"), id: "NC04")?.name == "Same id, other force")
            #expect(try await neighbourhoods.find(force: ForceID("kent"), id: "NC04") == nil)

            var renamed = cityCentre()
            renamed.name = "Castle"
            try await neighbourhoods.save(renamed, at: Date())
            #expect(try await neighbourhoods.find(force: ForceID("leicestershire"), id: "NC04")?.name == "Castle")
            #expect(try await neighbourhoods.all().count == 3)

            try await neighbourhoods.delete(force: ForceID("leicestershire"), id: "NC66")
            #expect(try await neighbourhoods.list(force: ForceID("leicestershire")).count == 1)
        }
    }

    @Test("a neighbourhood knows the points inside its boundary")
    func contains() {
        let neighbourhood = cityCentre()
        #expect(neighbourhood.contains(latitude: 52.63, longitude: -1.13))
        #expect(!neighbourhood.contains(latitude: 52.65, longitude: -1.13))
        #expect(neighbourhood.centre.map { abs($0.latitude - 52.63) < 1e-9 } == true)
        #expect(Neighbourhood.isValidID("00BKX6"))
        #expect(!Neighbourhood.isValidID("neighbourhoods"))
        #expect(!Neighbourhood.isValidID("a/b"))
    }
}
