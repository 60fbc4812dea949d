import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PeelCore
import PeelForms
import PeelStore
import PeelTestSupport
import Testing

@Suite("The national catalogue, walked end to end")
struct CatalogueWalkTests {
    static let catalogue = try! ServiceCatalogue.bundled()

    @Test("there are at least 40 services, and both models offer what they should")
    func size() {
        #expect(Self.catalogue.services.count >= 40)
        #expect(Self.catalogue.offered(under: .core).count >= 20)
        #expect(Self.catalogue.offered(under: .full).count == Self.catalogue.services.count)
        #expect(Self.catalogue.offered(under: .notOnboarded).isEmpty)
    }

    @Test("every service reaches a reference in English and in Welsh, down every branch", arguments: catalogue.services.map(\.id))
    func walk(service: String) async throws {
        let definition = try #require(Self.catalogue.service(service))
        let (plans, reached) = WalkPlanner.plan(definition)
        // Planning with the engine reaches every page of the definition.
        let unreached = definition.pages.map(\.id).filter { !reached.contains($0) }
        #expect(unreached.isEmpty, "\(service): pages no planned walk reaches: \(unreached)")
        try await withTestApp { client, scratch in
            var visited: Set<String> = []
            var references: [String] = []
            for language in Language.allCases {
                for plan in plans {
                    var browser = TestBrowser(client: client)
                    browser.language = language
                    var walker = JourneyWalker(definition: definition, force: ForceID("metropolitan"), plan: plan)
                    let end = try await walker.walk(&browser)
                    visited.formUnion(walker.visited)
                    if case .reference(let reference) = end {
                        #expect(ReportReference.isValid(reference), "\(reference)")
                        references.append(reference)
                    }
                }
            }
            // Over HTTP, in both languages, the walks showed every page the plan reached.
            let missed = reached.subtracting(visited)
            #expect(missed.isEmpty, "\(service): pages the HTTP walks did not show: \(missed.sorted())")
            // Each reference names a stored report of this service for this force.
            try await withStore(of: scratch) { store in
                for reference in references {
                    let report = try await store.reports.find(reference: reference, force: ForceID("metropolitan"))
                    #expect(report?.serviceID == service)
                    #expect(report?.serviceVersion == definition.version)
                    // The walk agreed to the declaration where there is one: the report says so.
                    let document = try #require(report.flatMap { AnswerJSON.document(from: $0.answers) })
                    #expect(document.declared == (definition.declaration != nil), "\(service) \(reference)")
                }
            }
        }
    }
}
