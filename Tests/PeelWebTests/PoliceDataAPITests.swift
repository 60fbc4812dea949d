import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PeelCore
import PeelWeb
import PeelTestSupport
import Testing

/// The data.police.uk-compatible API under `/data-api/`, on the real 2024 archive.
@Suite("data.police.uk API", .enabled(if: SharedPoliceArchives.available))
struct PoliceDataAPITests {
    var extra: [String: String] {
        ["PEEL_POLICE_DATA_DIR": SharedPoliceArchives.folder?.path ?? "/nonexistent", "PEEL_DATA_API_RATE_LIMIT": "off"]
    }

    func json(_ response: TestResponse) throws -> Any { try JSONSerialization.jsonObject(with: Data(response.text.utf8)) }

    @Test("forces and force details come from the force registry", arguments: TestEngine.all)
    func forces(_ engine: TestEngine) async throws {
        try await withTestApp(engine, extra: extra) { client, _ in
            let list = try await client.execute(uri: "/data-api/forces", method: .get)
            #expect(list.status == .ok)
            let forces = try json(list) as! [[String: String]]
            #expect(forces.count == 43)
            #expect(forces.contains { $0["id"] == "leicestershire" && $0["name"] == "Leicestershire Police" })
            #expect(!forces.contains { $0["id"] == "btp" })
            let detail = try json(try await client.execute(uri: "/data-api/forces/leicestershire", method: .get)) as! [String: Any]
            #expect(detail["id"] as? String == "leicestershire")
            #expect(detail["telephone"] as? String == "101")
            #expect(detail["engagement_methods"] is [Any])
            #expect(try await client.execute(uri: "/data-api/forces/nowhere", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/data-api/forces/btp", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/data-api/forces/leicestershire/people", method: .get).status == .ok)
            // Crimes with no location take a force from the registry.
            let none = try await client.execute(
                uri: "/data-api/crimes-no-location?category=all-crime&force=leicestershire&date=2024-01", method: .get)
            #expect((try json(none) as! [Any]).count == 232)
            #expect(try await client.execute(uri: "/data-api/crimes-no-location?force=atlantis&date=2024-01", method: .get).status == .notFound)
        }
    }

    @Test("categories, last updated and availability")
    func metadata() async throws {
        try await withTestApp(.sqlite, extra: extra) { client, _ in
            let categories = try json(try await client.execute(uri: "/data-api/crime-categories?date=2024-01", method: .get)) as! [[String: String]]
            #expect(categories.first == ["url": "all-crime", "name": "All crime"])
            #expect(categories.contains(["url": "violent-crime", "name": "Violence and sexual offences"]))
            #expect(!categories.contains { $0["url"] == "public-disorder-weapons" })
            let updated = try json(try await client.execute(uri: "/data-api/crime-last-updated", method: .get)) as! [String: String]
            #expect(updated == ["date": "2024-04-01"])
            let dates = try json(try await client.execute(uri: "/data-api/crimes-street-dates", method: .get)) as! [[String: Any]]
            #expect(dates.first?["date"] as? String == "2024-04")
            let months = dates.compactMap { $0["date"] as? String }
            #expect(months == months.sorted(by: >))
            let withStops = dates.first { $0["date"] as? String == "2019-06" }
            #expect(withStops?["stop-and-search"] as? [String] == ["city-of-london"])
        }
    }

    @Test("street-level crimes by point, by polygon (GET and POST) and at a location")
    func streetCrimes() async throws {
        try await withTestApp(.sqlite, extra: extra) { client, _ in
            let point = try await client.execute(uri: "/data-api/crimes-street/all-crime?date=2024-01&lat=52.629729&lng=-1.131592", method: .get)
            #expect(point.status == .ok)
            #expect(point.headers[.contentType] == "application/json")
            #expect((try json(point) as! [Any]).count == 1_477)
            let theft = try json(try await client.execute(uri: "/data-api/crimes-street/other-theft?date=2024-01&lat=52.629729&lng=-1.131592", method: .get)) as! [[String: Any]]
            #expect(!theft.isEmpty)
            #expect(theft.allSatisfy { $0["category"] as? String == "other-theft" })

            let poly = "52.268,0.543:52.794,0.238:52.130,0.478"
            let byGet = try json(try await client.execute(uri: "/data-api/crimes-street/all-crime?date=2024-01&poly=\(poly)", method: .get)) as! [Any]
            var headers = HTTPFields()
            headers[.contentType] = "application/x-www-form-urlencoded"
            let byPost = try await client.execute(
                uri: "/data-api/crimes-street/all-crime", method: .post, headers: headers,
                body: ByteBuffer(string: "poly=\(poly.replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C"))&date=2024-01"))
            #expect(byPost.status == .ok)
            #expect((try json(byPost) as! [Any]).count == byGet.count)
            #expect(!byGet.isEmpty)

            let atLocation = try json(try await client.execute(uri: "/data-api/crimes-at-location?date=2024-01&lat=52.629831&lng=-1.132503", method: .get)) as! [[String: Any]]
            #expect(atLocation.count == 2)
            let street = (atLocation[0]["location"] as! [String: Any])["street"] as! [String: Any]
            let byID = try json(try await client.execute(uri: "/data-api/crimes-at-location?date=2024-01&location_id=\(street["id"] as! Int)", method: .get)) as! [Any]
            #expect(byID.count == 2)
            // The latest month by default.
            let latest = try json(try await client.execute(uri: "/data-api/crimes-street/all-crime?lat=52.629729&lng=-1.131592", method: .get)) as! [[String: Any]]
            #expect(latest.first?["month"] as? String == "2024-04")
        }
    }

    @Test("bad input answers with data.police.uk's status codes and a short reason")
    func badInput() async throws {
        try await withTestApp(.sqlite, extra: extra) { client, _ in
            let cases: [(String, HTTPResponse.Status)] = [
                ("/data-api/crimes-street/all-crime?lat=north&lng=-1.1", .badRequest),
                ("/data-api/crimes-street/all-crime?lat=95&lng=-1.1", .badRequest),
                ("/data-api/crimes-street/all-crime?lat=52.6", .badRequest),
                ("/data-api/crimes-street/all-crime", .badRequest),
                ("/data-api/crimes-street/all-crime?date=2024-13&lat=52.6&lng=-1.1", .badRequest),
                ("/data-api/crimes-street/all-crime?date=2010-01&lat=52.6&lng=-1.1", .notFound),
                ("/data-api/crimes-street/made-up?lat=52.6&lng=-1.1", .notFound),
                ("/data-api/crimes-street/all-crime?poly=52,0:53,1", .badRequest),
                ("/data-api/crimes-street/all-crime?poly=52,0:53,1:52,1:53,0", .badRequest),
                ("/data-api/crimes-street/all-crime?poly=52,0:53,x:52,1", .badRequest),
                ("/data-api/crimes-at-location?location_id=999999999", .notFound),
                ("/data-api/outcomes-for-crime/" + String(repeating: "a", count: 64), .notFound),
                ("/data-api/outcomes-for-crime/nonsense", .notFound),
                ("/data-api/crimes-street/all-crime?date=2024-01&poly=" + String(repeating: "52.1,0.1:", count: 500) + "52.1,0.1", .badRequest),
                // All of Norfolk, Suffolk and Cambridgeshire: more than 10,000 crimes.
                ("/data-api/crimes-street/all-crime?date=2024-01&poly=51.9,-0.6:53.2,-0.6:53.2,1.9:51.9,1.9", .serviceUnavailable),
            ]
            for (uri, status) in cases {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == status, "\(uri.prefix(120))")
                let body = try? json(response) as? [String: [String: String]]
                #expect(body?["error"]?["message"]?.isEmpty == false, "\(uri.prefix(120))")
            }
        }
    }

    @Test("the leaky bucket: 30 at once, then 15 a second, per client")
    func leakyBucket() {
        let limiter = RateLimiter(perSecond: 15, burst: 30)
        let start = ContinuousClock.now
        #expect((0..<30).allSatisfy { _ in limiter.allow("a", now: start) })
        #expect(!limiter.allow("a", now: start))
        #expect(limiter.allow("b", now: start))
        // A fifteenth of a second lets one more through, and no more.
        #expect(limiter.allow("a", now: start + .milliseconds(67)))
        #expect(!limiter.allow("a", now: start + .milliseconds(68)))
        #expect((0..<15).allSatisfy { _ in limiter.allow("a", now: start + .milliseconds(1_100)) })
    }

    @Test("more than 30 requests at once from one client are refused with 429")
    func rateLimit() async throws {
        var limited = extra
        // A slow leak (one a second) so the test does not depend on how fast the machine is.
        limited["PEEL_DATA_API_RATE_LIMIT"] = "1/30"
        try await withTestApp(.sqlite, extra: limited) { client, _ in
            // Sixty at once: with one a second leaking, even a machine running the whole suite
            // answers them well inside the half-minute it would take to refill the bucket.
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<60 {
                    group.addTask { try await client.execute(uri: "/data-api/crime-last-updated", method: .get).status }
                }
                var all: [HTTPResponse.Status] = []
                for try await status in group { all.append(status) }
                return all
            }
            #expect(statuses.filter { $0 == .ok }.count >= 30)
            #expect(statuses.contains(.tooManyRequests))
            #expect(statuses.allSatisfy { $0 == .ok || $0 == .tooManyRequests })
        }
    }

    @Test("outcomes at a location and for a crime; stop and search by area, location, no location and force")
    func outcomesAndStops() async throws {
        try await withTestApp(.sqlite, extra: extra) { client, _ in
            let outcomes = try json(try await client.execute(uri: "/data-api/outcomes-at-location?date=2016-01&lat=51.515849&lng=-0.077596", method: .get)) as! [[String: Any]]
            #expect(!outcomes.isEmpty)
            #expect(outcomes.allSatisfy { $0["crime"] is [String: Any] && $0["person_id"] is NSNull })
            let forCrime = try json(try await client.execute(uri: "/data-api/outcomes-for-crime/9a0874c4253249e9b19acf901553a1b2b283306a7d4e8e12ad5970d6d51a1812", method: .get)) as! [String: Any]
            #expect(forCrime["crime"] is [String: Any])
            #expect((forCrime["outcomes"] as? [Any])?.isEmpty == false)

            let stops = try json(try await client.execute(uri: "/data-api/stops-street?date=2019-06&lat=51.514203&lng=-0.094628", method: .get)) as! [[String: Any]]
            #expect(!stops.isEmpty)
            #expect(stops.allSatisfy { $0["outcome_object"] is [String: Any] && $0["involved_person"] is Bool })
            let noLocation = try await client.execute(uri: "/data-api/stops-no-location?force=city-of-london&date=2019-06", method: .get)
            #expect(noLocation.status == .ok)
            let byForce = try json(try await client.execute(uri: "/data-api/stops-force?force=city-of-london&date=2019-06", method: .get)) as! [Any]
            #expect(byForce.count >= stops.count)
            let street = ((stops[0]["location"] as! [String: Any])["street"] as! [String: Any])["id"] as! Int
            let atLocation = try json(try await client.execute(uri: "/data-api/stops-at-location?date=2019-06&location_id=\(street)", method: .get)) as! [Any]
            #expect(!atLocation.isEmpty)
        }
    }
}
