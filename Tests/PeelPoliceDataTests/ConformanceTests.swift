import Foundation
import PeelPoliceData
import PeelTestSupport
import Testing

typealias SharedArchives = SharedPoliceArchives

func decode(_ bytes: [UInt8]) throws -> Any { try JSONSerialization.jsonObject(with: Data(bytes)) }

@Suite("data.police.uk conformance on the real 2024 archive", .enabled(if: SharedArchives.available))
struct ConformanceTests {
    let month = Month("2024-01")!
    var snapshot: PoliceDataSnapshot { SharedArchives.imported!.snapshot() }

    @Test("every street row of archive-2024 is imported")
    func rowCounts() {
        let rows = snapshot.manifest.segments.filter { $0.kind == .street && $0.month.year == 2024 }.map(\.rows).reduce(0, +)
        #expect(rows == 161_066)
        let leicestershire = snapshot.segments(.street, month).first { $0.info.force == "leicestershire" }
        #expect(leicestershire?.info.rows == 8_324)
    }

    @Test("the two crimes at Marquis Street (crimes-at-location example)")
    func crimesAtLocation() throws {
        let point = GeoPoint(latitude: 52.629831, longitude: -1.132503)
        let index = try #require(snapshot.nearestLocation(.street, month: month, to: point))
        let crimes = try decode(WireFormat(snapshot).crimes(snapshot.rows(.street, month: month, atLocation: index))) as! [[String: Any]]
        #expect(crimes.count == 2)
        #expect(Set(crimes.compactMap { $0["persistent_id"] as? String }) == [
            "bb06e351c7056b9d74fcf5d519cc45e0318f72e1a39bdf45f9551a2743396d58",
            "4f8e06f87cb05c4a19f690aa1531cd94a4736fd7f5ad99328c00a3cde3d68c85",
        ])
        #expect(Set(crimes.compactMap { $0["category"] as? String }) == ["other-theft", "violent-crime"])
        for crime in crimes {
            let location = try #require(crime["location"] as? [String: Any])
            #expect(location["latitude"] as? String == "52.629831")
            #expect(location["longitude"] as? String == "-1.132503")
            let street = try #require(location["street"] as? [String: Any])
            #expect(street["name"] as? String == "On or near Marquis Street")
            #expect(street["id"] as? Int == Int(index) + 1)
            #expect((crime["outcome_status"] as? [String: Any])?["category"] as? String == "Unable to prosecute suspect")
            #expect(crime["location_type"] as? String == "Force")
            #expect(crime["month"] as? String == "2024-01")
            #expect(crime["context"] as? String == "")
            #expect(crime["location_subtype"] as? String == "")
            #expect(crime["id"] is Int)
        }
    }

    @Test("the Vaughan Street public order crime with its outcome")
    func vaughanStreet() throws {
        let id = "dd6e56f90d1bdd7bc7482af17852369f263203d9a688fac42ec53bf48485d8f1"
        let answer = try decode(try #require(WireFormat(snapshot).outcomesForCrime(id))) as! [String: Any]
        let crime = try #require(answer["crime"] as? [String: Any])
        #expect(crime["category"] as? String == "public-order")
        #expect(crime["persistent_id"] as? String == id)
        let location = try #require(crime["location"] as? [String: Any])
        #expect(location["latitude"] as? String == "52.637146")
        #expect(location["longitude"] as? String == "-1.149381")
        #expect((location["street"] as? [String: Any])?["name"] as? String == "On or near Vaughan Street")
        let nearby = try decode(
            WireFormat(snapshot).crimes(
                try snapshot.search(.street, month: month, in: RadiusFilter(centre: GeoPoint(latitude: 52.637146, longitude: -1.149381), radius: 1)))
        ) as! [[String: Any]]
        let same = try #require(nearby.first { $0["persistent_id"] as? String == id })
        #expect((same["outcome_status"] as? [String: Any])?["category"] as? String == "Local resolution")
    }

    @Test("crimes with no location for Leicestershire in 2024-01 (232 rows, the documented bicycle theft among them)")
    func noLocation() throws {
        let crimes = try decode(WireFormat(snapshot).crimes(snapshot.rowsWithoutLocation(.street, month: month, force: "leicestershire"))) as! [[String: Any]]
        #expect(crimes.count == 232)
        let bicycle = try #require(crimes.first { $0["persistent_id"] as? String == "2dfbe17ccd04260ea94db37ae5d759078cd728430c668c84b5b8b1a08ec253ca" })
        #expect(bicycle["category"] as? String == "bicycle-theft")
        #expect(bicycle["location"] is NSNull)
        #expect(bicycle["location_type"] is NSNull)
        #expect(bicycle["location_subtype"] as? String == "")
        #expect((bicycle["outcome_status"] as? [String: Any])?["category"] as? String == "Investigation complete; no suspect identified")
        let bicycles = snapshot.rowsWithoutLocation(.street, month: month, force: "leicestershire", category: CrimeCategory.code(slug: "bicycle-theft")!)
        #expect(bicycles.count < crimes.count)
        #expect(bicycles.count >= 1)
    }

    @Test("1,477 crimes within a mile of the documented Leicester point (1,462 Leicestershire, 15 BTP)")
    func oneMile() throws {
        let centre = GeoPoint(latitude: 52.629729, longitude: -1.131592)
        let result = try snapshot.search(.street, month: month, in: RadiusFilter(centre: centre, radius: Haversine.oneMile))
        #expect(result.count == 1_477)
        let crimes = try decode(WireFormat(snapshot).crimes(result)) as! [[String: Any]]
        #expect(crimes.filter { $0["location_type"] as? String == "BTP" }.count == 15)
        // The same answer as a brute-force haversine over every row.
        var brute = 0
        for segment in snapshot.segments(.street, month) {
            for row in 0..<segment.info.located {
                let point = GeoPoint(latitude: Microdegrees.degrees(segment.latitude[row]), longitude: Microdegrees.degrees(segment.longitude[row]))
                if Haversine.distance(centre, point) <= Haversine.oneMile { brute += 1 }
            }
        }
        #expect(brute == 1_477)
    }

    @Test("BTP crimes have no persistent id and location type BTP")
    func btp() throws {
        let result = try snapshot.search(
            .street, month: month, in: RadiusFilter(centre: GeoPoint(latitude: 50.834380, longitude: -0.327642), radius: 1))
        let crimes = try decode(WireFormat(snapshot).crimes(result)) as! [[String: Any]]
        let station = try #require(crimes.first { ($0["location"] as? [String: Any]).flatMap { $0["street"] as? [String: Any] }?["name"] as? String == "On or near Fishersgate (Station)" })
        #expect(station["location_type"] as? String == "BTP")
        #expect(station["persistent_id"] as? String == "")
    }

    @Test("the documented polygon covers Suffolk, Norfolk and Cambridgeshire, under 10,000 crimes")
    func polygon() throws {
        let polygon = try SearchPolygon(parsing: "52.268,0.543:52.794,0.238:52.130,0.478")
        let result = try snapshot.search(.street, month: month, in: polygon, limit: 10_000)
        let forces = Set(result.rows.map { result.segments[Int($0.segment)].info.force })
        #expect(forces.isSuperset(of: ["suffolk", "norfolk", "cambridgeshire"]))
        #expect(throws: TooManyResults.self) { try snapshot.search(.street, month: month, in: polygon, limit: 10) }
    }

    @Test("outcomes from the City of London outcomes files, joined to their crimes, in month order")
    func outcomes() throws {
        let id = "9a0874c4253249e9b19acf901553a1b2b283306a7d4e8e12ad5970d6d51a1812"
        let answer = try decode(try #require(WireFormat(snapshot).outcomesForCrime(id))) as! [String: Any]
        let outcomes = try #require(answer["outcomes"] as? [[String: Any]])
        #expect(!outcomes.isEmpty)
        let dates = outcomes.compactMap { $0["date"] as? String }
        #expect(dates == dates.sorted())
        #expect(outcomes.contains { ($0["category"] as? [String: Any])?["code"] as? String == "cautioned" })
        #expect(outcomes.allSatisfy { $0["person_id"] is NSNull })
        #expect(WireFormat(snapshot).outcomesForCrime(String(repeating: "0", count: 63) + "1") == nil)
    }
}
