import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PeelTestSupport
import Testing

/// "Crime in your area" on the real 2024 archive, nationally and on a force's site.
@Suite("Crime in your area pages", .enabled(if: SharedPoliceArchives.available))
struct CrimeAreaPageTests {
    var extra: [String: String] { ["PEEL_POLICE_DATA_DIR": SharedPoliceArchives.folder?.path ?? "/nonexistent"] }

    @Test("a street name finds the place; the month's crimes by category, the map, trend, outcomes and attribution")
    func byName() async throws {
        try await withTestApp(.sqlite, extra: extra) { client, _ in
            let response = try await client.execute(uri: "/crime?q=Marquis+Street&date=2024-01", method: .get)
            #expect(response.status == .ok)
            let html = response.text
            #expect(html.contains("Within one mile of Marquis Street, January 2024"))
            #expect(html.contains("<svg"))
            #expect(html.contains("role=\"img\""))
            #expect(html.contains("<caption class=\"table__caption\">Crimes by category</caption>"))
            #expect(html.contains("Violence and sexual offences"))
            #expect(html.contains("Unable to prosecute suspect"))
            #expect(html.contains("April 2024"))
            #expect(html.contains("Open Government Licence v3.0"))
            #expect(html.contains("<option value=\"2024-01\" selected>January 2024</option>"))
            #expect(!html.contains("<script"))
        }
    }

    @Test("coordinates on a force's site, in Welsh: the documented point has 1,477 crimes")
    func byCoordinatesInWelsh() async throws {
        try await withTestApp(.sqlite, extra: extra) { client, _ in
            let html = try await client.execute(uri: "/leicestershire/crime?lat=52.629729&lng=-1.131592&date=2024-01&lang=cy", method: .get).text
            #expect(html.contains("lang=\"cy\""))
            #expect(html.contains("1,477 o droseddau"))
            #expect(html.contains("Ionawr 2024"))
            #expect(html.contains("Trais a throseddau rhywiol"))
            #expect(html.contains("Methu ag erlyn yr un sydd dan amheuaeth"))
            #expect(html.contains("Drwydded Llywodraeth Agored"))
            let typed = try await client.execute(uri: "/crime?q=52.629729%2C+-1.131592&date=2024-01", method: .get).text
            #expect(typed.contains("1,477 crimes"))
        }
    }

    @Test("several matching places are offered as links; none, or bad coordinates or months, say so")
    func choicesAndProblems() async throws {
        try await withTestApp(.sqlite, extra: extra) { client, _ in
            let choices = try await client.execute(uri: "/crime?q=Marquis", method: .get).text
            #expect(choices.contains("Several places match") || choices.contains("Within one mile of"))
            let none = try await client.execute(uri: "/crime?q=Zzyzxqq", method: .get)
            #expect(none.status == .ok)
            #expect(none.text.contains("No place called"))
            let bad = try await client.execute(uri: "/crime?lat=95&lng=0", method: .get)
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("Coordinates must be"))
            let month = try await client.execute(uri: "/crime?q=Marquis+Street&date=2010-01", method: .get)
            #expect(month.status == .badRequest)
            #expect(try await client.execute(uri: "/crime", method: .get).status == .ok)
        }
    }
}
