import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PeelApp
import PeelCore
import PeelForms
import PeelStore
import PeelTestSupport
import PeelWeb
import SQLKit
import Testing

@Suite("MyPolice: every route, nobody else's report")
struct PortalRouteMatrixTests {
    @Test("every MyPolice route has a policy; signed-out people are sent to sign in; another person's report, or the report under another force's address, answers 404 and changes nothing",
        arguments: TestEngine.all)
    func matrix(engine: TestEngine) async throws {
        let scratch = try await ScratchDatabase.make(engine)
        defer { Task { await scratch.remove() } }
        let configuration = try testConfiguration(scratch)
        let store = try await openStore(configuration, logger: testLogger)
        do {
            let policies = PortalRoutePolicies()
            var dependencies = try webDependencies(
                configuration, store: store, pages: try await PageRenderer.bundled(), catalogue: try ServiceCatalogue.bundled())
            dependencies.portalPolicies = policies
            let router = try buildRouter(dependencies)
            let routes = router.routes.filter { $0.path.description.hasPrefix("/{force}/my") }
                .map { (method: $0.method, pattern: $0.path.description) }
            #expect(routes.count >= 13)
            for route in routes {
                #expect(policies.policy(route.method, route.pattern) != nil, "\(route) was registered without a policy")
            }
            let theirs = try await seedReport(store, force: ForceID("metropolitan"), contactEmail: "ana@example.org")
            let mine = try await seedReport(store, force: ForceID("metropolitan"), contactEmail: "ben@example.org")

            try await Application(router: router, logger: testLogger).test(.router) { client in
                var signedOut = TestBrowser(client: client)
                var ana = TestBrowser(client: client)
                try await ana.signInToPortal(scratch, email: "ana@example.org")
                var ben = TestBrowser(client: client)
                try await ben.signInToPortal(scratch, email: "ben@example.org")
                // Ben's own report opens for Ben: the 404s below are about whose it is.
                #expect(try await ben.get("/metropolitan/my/reports/\(mine.reference)").status == .ok)

                for route in routes {
                    let pattern = route.pattern
                    let policy = try #require(policies.policy(route.method, pattern))
                    func path(force: String, reference: String) -> String {
                        pattern.replacingOccurrences(of: "{force}", with: force).replacingOccurrences(of: "{reference}", with: reference)
                    }
                    func request(_ browser: inout TestBrowser, _ target: String) async throws -> (path: String, status: HTTPResponse.Status, html: String) {
                        route.method == .get
                            ? try await browser.get(target)
                            : try await browser.post(target, [("message", "Not yours"), ("email", "x@example.org"), ("code", "123456")])
                    }
                    switch policy {
                    case .open:
                        let answer = try await request(&signedOut, path(force: "metropolitan", reference: ""))
                        #expect(answer.status.code < 500, "\(route.method) \(pattern)")
                    case .signedIn:
                        let answer = try await request(&signedOut, path(force: "metropolitan", reference: ""))
                        #expect(answer.path == "/metropolitan/my/sign-in", "\(route.method) \(pattern) signed out")
                    case .ownReport:
                        let target = path(force: "metropolitan", reference: theirs.reference)
                        let outsider = try await request(&signedOut, target)
                        #expect(outsider.path == "/metropolitan/my/sign-in", "\(route.method) \(pattern) signed out")
                        let other = try await request(&ben, target)
                        #expect(other.status == .notFound, "\(route.method) \(pattern): another person's report")
                        #expect(!other.html.contains("Report \(theirs.reference)"))
                        // The owner, at another force's address: not there either.
                        let elsewhere = try await request(&ana, path(force: "west-midlands", reference: theirs.reference))
                        #expect(elsewhere.status == .notFound, "\(route.method) \(pattern): another force's address")
                        let unknown = try await request(&ana, path(force: "metropolitan", reference: "MET-ZZZZZZ-Z"))
                        #expect(unknown.status == .notFound, "\(route.method) \(pattern): a malformed reference")
                    }
                }
                // Ben's attempts left nothing on Ana's report.
                let written = try await store.database.sql.raw(
                    "SELECT COUNT(*) AS n FROM report_messages WHERE report_id = \(bind: theirs.id)"
                ).first()?.decode(column: "n", as: Int.self)
                #expect(written == 0)
                // Ana's list holds her report only; Ben's his.
                let anaList = try await ana.get("/metropolitan/my/")
                #expect(anaList.html.contains(theirs.reference) && !anaList.html.contains(mine.reference))
            }
        } catch {
            try? await store.database.close()
            throw error
        }
        try await store.database.close()
    }
}
