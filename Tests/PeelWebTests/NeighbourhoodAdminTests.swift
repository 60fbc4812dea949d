import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PeelCore
import PeelStore
import PeelTestSupport
import Testing

/// A force administrator's neighbourhoods in the back office, feeding the data API.
@Suite("Back office: neighbourhoods")
struct NeighbourhoodAdminTests {
    @Test("upload GeoJSON, see the list and the API, bad features reported, remove one", arguments: TestEngine.all)
    func uploadAndRemove(_ engine: TestEngine) async throws {
        let clock = TestClock()
        try await withTestApp(engine, now: clock.reader) { client, scratch in
            let admin = try await createStaff(scratch, force: "leicestershire", roles: [.forceAdministrator], email: "fa@leics.police.uk")
            var browser = TestBrowser(client: client)
            try await browser.signIn(admin, force: "leicestershire", clock: clock)
            let empty = try await browser.get("/leicestershire/staff/admin/neighbourhoods")
            #expect(empty.status == .ok)
            #expect(empty.html.contains("No neighbourhoods yet."))

            let token = try #require(browser.cookies["peel_csrf"])
            let boundary = "peel-test-boundary"
            let headers: HTTPFields = [.cookie: browser.cookieHeader, .contentType: "multipart/form-data; boundary=\(boundary)"]
            let nothing = try await client.execute(
                uri: "/leicestershire/staff/admin/neighbourhoods", method: .post, headers: headers,
                body: multipart([("csrf_token", nil, Data(token.utf8))], boundary: boundary))
            #expect(nothing.status == .badRequest)
            #expect(nothing.text.contains("Choose a GeoJSON file to upload"))
            let notJSON = try await client.execute(
                uri: "/leicestershire/staff/admin/neighbourhoods", method: .post, headers: headers,
                body: multipart([("csrf_token", nil, Data(token.utf8)), ("geojson", "areas.geojson", Data("<kml/>".utf8))], boundary: boundary))
            #expect(notJSON.status == .badRequest)

            let uploaded = try await client.execute(
                uri: "/leicestershire/staff/admin/neighbourhoods", method: .post, headers: headers,
                body: multipart(
                    [("csrf_token", nil, Data(token.utf8)), ("geojson", "areas.geojson", Data(NeighbourhoodAPITests.geoJSON.utf8))],
                    boundary: boundary))
            #expect(uploaded.status == .ok)
            #expect(uploaded.text.contains("1 neighbourhood saved"))
            #expect(uploaded.text.contains("Not saved: feature 2"))
            #expect(uploaded.text.contains("City Centre"))

            let list = try await client.execute(uri: "/data-api/leicestershire/neighbourhoods", method: .get)
            #expect(list.text.contains("\"NC04\""))
            let audit = try await withStoreValue(scratch) { try await $0.audit.entries(force: ForceID("leicestershire"), limit: 10) }
            #expect(audit.contains { $0.action == "neighbourhoods.upload" })

            let removed = try await browser.post("/leicestershire/staff/admin/neighbourhoods/NC04/delete", [])
            #expect(removed.status == .ok)
            #expect(removed.html.contains("No neighbourhoods yet."))
            // A second removal changes nothing and shows the list.
            #expect(try await browser.post("/leicestershire/staff/admin/neighbourhoods/NC04/delete", []).status == .ok)
            let entries = try await withStoreValue(scratch) { try await $0.audit.entries(force: ForceID("leicestershire"), limit: 10) }
            #expect(entries.filter { $0.action == "neighbourhoods.delete" }.count == 1)
        }
    }
}
