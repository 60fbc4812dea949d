import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PeelCore
import PeelPoliceData
import PeelStore
import PeelTestSupport
import Testing

/// police.uk's neighbourhood methods under `/data-api/`, from neighbourhoods loaded from GeoJSON.
@Suite("data.police.uk neighbourhood methods")
struct NeighbourhoodAPITests {
    static let geoJSON = """
        {"type": "FeatureCollection", "features": [
          {"type": "Feature",
           "properties": {"id": "NC04", "name": "City Centre", "population": "12000", "url_force": "https://www.leics.police.uk/city-centre",
             "description": "<p>The city centre.</p>", "contact_details": {"telephone": "101", "email": "centre@leicestershire.police.uk"},
             "links": [{"url": "https://www.leicester.gov.uk/", "title": "Leicester City Council"}],
             "team": [{"name": "Andy Cooper", "rank": "Sgt", "bio": "<p>Joined in 1997.</p>"}],
             "events": [{"title": "Drop In Beat Surgery", "address": "Guildhall Lane", "type": "meeting",
                         "start_date": "2024-09-17T12:00:00", "end_date": "2024-09-17T14:00:00"}],
             "priorities": [{"issue": "<p>Reduce anti-social behaviour on Humberstone Gate.</p>", "issue-date": "2024-04-14T00:00:00"}]},
           "geometry": {"type": "Polygon", "coordinates": [[[-1.15, 52.62], [-1.12, 52.62], [-1.12, 52.64], [-1.15, 52.64], [-1.15, 52.62]]]}},
          {"type": "Feature", "properties": {"id": "bad/id", "name": "Skipped"},
           "geometry": {"type": "Polygon", "coordinates": [[[-1.15, 52.62], [-1.12, 52.62], [-1.12, 52.64], [-1.15, 52.62]]]}},
          {"type": "Feature", "properties": {"id": "NC05", "name": "Bad event", "events": [{"title": "x", "start_date": "17/09/2024"}]},
           "geometry": {"type": "Polygon", "coordinates": [[[-1.15, 52.62], [-1.12, 52.62], [-1.12, 52.64], [-1.15, 52.62]]]}}
        ]}
        """

    func json(_ response: TestResponse) throws -> Any { try JSONSerialization.jsonObject(with: Data(response.text.utf8)) }

    @Test("a GeoJSON file: good features kept, bad ones reported")
    func parsing() throws {
        let (found, problems) = try NeighbourhoodFile.parse(Data(Self.geoJSON.utf8), force: ForceID("leicestershire"))
        #expect(found.map(\.id) == ["NC04"])
        #expect(problems.count == 2)
        #expect(found[0].boundary.first == [52.62, -1.15])
        #expect(found[0].population == 12_000)
    }

    @Test("list, detail, boundary, team, events, priorities and locate", arguments: TestEngine.all)
    func methods(_ engine: TestEngine) async throws {
        try await withTestApp(engine) { client, scratch in
            let (found, _) = try NeighbourhoodFile.parse(Data(Self.geoJSON.utf8), force: ForceID("leicestershire"))
            try await withStore(of: scratch) { store in
                for neighbourhood in found { try await store.neighbourhoods.save(neighbourhood, at: Date()) }
            }
            let list = try json(try await client.execute(uri: "/data-api/leicestershire/neighbourhoods", method: .get)) as! [[String: String]]
            #expect(list == [["id": "NC04", "name": "City Centre"]])
            let detail = try json(try await client.execute(uri: "/data-api/leicestershire/NC04", method: .get)) as! [String: Any]
            #expect(detail["population"] as? String == "12000")
            #expect(detail["url_force"] as? String == "https://www.leics.police.uk/city-centre")
            #expect((detail["centre"] as? [String: String])?["latitude"] == "52.63")
            #expect((detail["contact_details"] as? [String: String])?["telephone"] == "101")
            let boundary = try json(try await client.execute(uri: "/data-api/leicestershire/NC04/boundary", method: .get)) as! [[String: String]]
            #expect(boundary.first == ["latitude": "52.62", "longitude": "-1.15"])
            let people = try json(try await client.execute(uri: "/data-api/leicestershire/NC04/people", method: .get)) as! [[String: Any]]
            #expect(people.first?["rank"] as? String == "Sgt")
            #expect(people.first?["contact_details"] is [String: Any])
            let events = try json(try await client.execute(uri: "/data-api/leicestershire/NC04/events", method: .get)) as! [[String: Any]]
            #expect(events.first?["start_date"] as? String == "2024-09-17T12:00:00")
            let priorities = try json(try await client.execute(uri: "/data-api/leicestershire/NC04/priorities", method: .get)) as! [[String: Any]]
            #expect(priorities.first?["issue-date"] as? String == "2024-04-14T00:00:00")
            #expect(priorities.first?["action-date"] is NSNull)
            #expect(priorities.first?["action"] is NSNull)

            let located = try json(try await client.execute(uri: "/data-api/locate-neighbourhood?q=52.63,-1.13", method: .get)) as! [String: String]
            #expect(located == ["force": "leicestershire", "neighbourhood": "NC04"])
            #expect(try await client.execute(uri: "/data-api/locate-neighbourhood?q=51.5,-0.12", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/data-api/locate-neighbourhood?q=north", method: .get).status == .badRequest)
            #expect(try await client.execute(uri: "/data-api/leicestershire/NC99", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/data-api/atlantis/neighbourhoods", method: .get).status == .notFound)
            // The fixed names still win over `{force}/{neighbourhood}`.
            #expect(try await client.execute(uri: "/data-api/forces/leicestershire", method: .get).status == .ok)
        }
    }
}

/// A force's neighbourhood pages on its public site.
@Suite("Neighbourhood pages")
struct NeighbourhoodPageTests {
    @Test("the list, and a neighbourhood's team, priorities, events and contacts as plain text, in English and Welsh")
    func pages() async throws {
        try await withTestApp(.sqlite) { client, scratch in
            let empty = try await client.execute(uri: "/leicestershire/neighbourhoods", method: .get)
            #expect(empty.status == .ok)
            #expect(empty.text.contains("has not published its neighbourhoods"))
            let (found, _) = try NeighbourhoodFile.parse(Data(NeighbourhoodAPITests.geoJSON.utf8), force: ForceID("leicestershire"))
            try await withStore(of: scratch) { store in
                for neighbourhood in found { try await store.neighbourhoods.save(neighbourhood, at: Date()) }
            }
            let list = try await client.execute(uri: "/leicestershire/neighbourhoods", method: .get).text
            #expect(list.contains("href=\"/leicestershire/neighbourhoods/NC04\""))
            let page = try await client.execute(uri: "/leicestershire/neighbourhoods/NC04", method: .get).text
            #expect(page.contains("<h1 class=\"heading-xl\">City Centre</h1>"))
            #expect(page.contains("Sgt Andy Cooper"))
            #expect(page.contains("Joined in 1997."))
            #expect(!page.contains("&lt;p&gt;"))
            #expect(page.contains("Reduce anti-social behaviour on Humberstone Gate."))
            #expect(page.contains("17 September 2024 12:00"))
            #expect(page.contains("/leicestershire/crime?lat=52.630000&amp;lng=-1.135000"))
            let welsh = try await client.execute(uri: "/leicestershire/neighbourhoods/NC04?lang=cy", method: .get).text
            #expect(welsh.contains("17 Medi 2024 12:00"))
            #expect(welsh.contains("Cwrdd â&#39;ch tîm") || welsh.contains("Cwrdd â'ch tîm"))
            #expect(try await client.execute(uri: "/leicestershire/neighbourhoods/NC99", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/atlantis/neighbourhoods", method: .get).status == .notFound)
        }
    }
}
