import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PeelCore
import PeelPoliceData

/// The data.police.uk API under `/data-api/`: the same methods, parameters, JSON and status codes,
/// so a client configured with base URL `http://HOST:PORT/data-api/` works unchanged.
///
/// Errors answer with data.police.uk's status (400 bad input, 404 unknown id or month, 429 too
/// many requests, 503 too many results) and a short JSON reason.
struct PoliceDataAPIController {
    static let base = "data-api"
    /// data.police.uk refuses GET requests longer than this.
    static let maximumGETLength = 4094
    /// Custom-area searches with more results than this answer 503.
    static let maximumResults = 10_000

    let data: PoliceData
    let forces: any ForceRepository
    let limiter: RateLimiter?
    let trustForwardedFor: Bool
    var neighbourhoods: (any NeighbourhoodRepository)?

    func addRoutes(to router: Router<PeelRequestContext>) {
        let api = router.group(RouterPath(Self.base))
        api.get("forces") { request, context in try await answer(request, context) { _ in try await forceList() } }
        api.get("forces/:force") { request, context in
            try await answer(request, context) { _ in try await forceDetail(context.parameters.get("force") ?? "") }
        }
        api.get("forces/:force/people") { request, context in
            try await answer(request, context) { _ in
                _ = try await territorialForce(context.parameters.get("force") ?? "")
                return json([UInt8]("[]".utf8))
            }
        }
        api.get("crime-categories") { request, context in try await answer(request, context) { try categories($0) } }
        api.get("crime-last-updated") { request, context in try await answer(request, context) { _ in try lastUpdated() } }
        api.get("crimes-street-dates") { request, context in try await answer(request, context) { _ in availability() } }
        for method in [HTTPRequest.Method.get, .post] {
            api.on("crimes-street/:category", method: method) { request, context in
                try await answer(request, context) { try streetCrimes($0, category: context.parameters.get("category") ?? "") }
            }
            api.on("outcomes-at-location", method: method) { request, context in
                try await answer(request, context) { try outcomesAtLocation($0) }
            }
            api.on("stops-street", method: method) { request, context in
                try await answer(request, context) { try stopsStreet($0) }
            }
        }
        api.get("crimes-at-location") { request, context in try await answer(request, context) { try crimesAtLocation($0) } }
        api.get("crimes-no-location") { request, context in try await answer(request, context) { try await crimesNoLocation($0) } }
        api.get("outcomes-for-crime/:id") { request, context in
            try await answer(request, context) { _ in try outcomesForCrime(context.parameters.get("id") ?? "") }
        }
        api.get("stops-at-location") { request, context in try await answer(request, context) { try stopsAtLocation($0) } }
        api.get("stops-no-location") { request, context in try await answer(request, context) { try await stopsNoLocation($0) } }
        api.get("stops-force") { request, context in try await answer(request, context) { try await stopsForce($0) } }
        // The catch-all `{force}/{neighbourhood}` comes after the fixed names.
        if let neighbourhoods { addNeighbourhoodRoutes(to: api, neighbourhoods: neighbourhoods) }
    }

    // MARK: The frame every method shares

    /// The request's parameters (query string, or form body for POST) and the snapshot it reads.
    struct Call {
        let parameters: [String: String]
        let snapshot: PoliceDataSnapshot

        func text(_ name: String) -> String? { parameters[name].flatMap { $0.isEmpty ? nil : $0 } }
    }

    /// A refusal with data.police.uk's status and a short reason.
    struct Refusal: Error {
        let status: HTTPResponse.Status
        let code: String
        let message: String
    }

    func answer(
        _ request: Request, _ context: PeelRequestContext, _ body: (Call) async throws -> Response
    ) async throws -> Response {
        if let limiter, !limiter.allow(client(request, context)) {
            return APIError.response(.tooManyRequests, code: "rate_limited", message: "More than 15 requests a second; slow down.")
        }
        if request.method == .get, request.uri.description.utf8.count > Self.maximumGETLength {
            return APIError.response(
                .badRequest, code: "request_too_long",
                message: "GET requests are limited to \(Self.maximumGETLength) characters; send long polygons by POST.")
        }
        var parameters: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { parameters[String(key)] = String(value) }
        if request.method == .post {
            var request = request
            let form: PostedForm?
            do {
                if let posted = context.postedForm { form = posted } else { form = try await PostedForm.read(&request) }
            } catch {
                return APIError.response(.badRequest, code: "bad_form", message: "The form body cannot be read (at most 1 MB).")
            }
            for (key, values) in form?.fields ?? [:] { if let value = values.last { parameters[key] = value } }
        }
        do {
            return try await body(Call(parameters: parameters, snapshot: data.snapshot()))
        } catch let refusal as Refusal {
            return APIError.response(refusal.status, code: refusal.code, message: refusal.message)
        }
    }

    private func client(_ request: Request, _ context: PeelRequestContext) -> String {
        request.clientAddress(peer: context.clientAddress, trustForwardedFor: trustForwardedFor)
    }

    private func json(_ bytes: [UInt8]) -> Response {
        Response.body(ByteBuffer(bytes: bytes), contentType: "application/json", cacheControl: "public, max-age=60")
    }

    func encoded(_ value: some Encodable) throws -> Response {
        json(Array(try JSONEncoder().encode(value)))
    }

    // MARK: Parameters

    /// `date`: a loaded month of `kind`, or the latest month when absent.
    private func month(_ call: Call, _ kind: SegmentKind = .street) throws -> Month {
        guard let text = call.text("date") else {
            guard let latest = call.snapshot.latestMonth ?? call.snapshot.months(kind).first else {
                throw Refusal(status: .notFound, code: "no_data", message: "No police data has been imported yet.")
            }
            return latest
        }
        guard let month = Month(text) else {
            throw Refusal(status: .badRequest, code: "bad_date", message: "date must be a month as YYYY-MM.")
        }
        guard call.snapshot.availableMonths.contains(month) else {
            throw Refusal(
                status: .notFound, code: "date_not_available",
                message: "There is no data for \(month); crimes-street-dates lists the months available.")
        }
        return month
    }

    private func point(_ call: Call, latitude: String = "lat", longitude: String = "lng") throws -> GeoPoint? {
        let lat = call.text(latitude)
        let lng = call.text(longitude)
        guard lat != nil || lng != nil else { return nil }
        guard let lat, let lng, let latValue = Double(lat), let lngValue = Double(lng) else {
            throw Refusal(status: .badRequest, code: "bad_coordinates", message: "lat and lng must both be decimal degrees.")
        }
        let point = GeoPoint(latitude: latValue, longitude: lngValue)
        guard point.isValid else {
            throw Refusal(
                status: .badRequest, code: "bad_coordinates", message: "lat must be between -90 and 90 and lng between -180 and 180.")
        }
        return point
    }

    private func polygon(_ call: Call) throws -> SearchPolygon? {
        guard let text = call.text("poly") else { return nil }
        do {
            return try SearchPolygon(parsing: text)
        } catch {
            throw Refusal(status: .badRequest, code: "bad_polygon", message: error.description)
        }
    }

    private func category(_ slug: String) throws -> UInt8 {
        guard let code = CrimeCategory.code(slug: slug) else {
            throw Refusal(status: .notFound, code: "unknown_category", message: "There is no crime category '\(slug.prefix(60))'.")
        }
        return code
    }

    private func locationIndex(_ call: Call, _ kind: SegmentKind, month: Month) throws -> UInt32 {
        if let text = call.text("location_id") {
            guard let id = Int(text), id >= 1, id <= call.snapshot.locations.count else {
                throw Refusal(status: .notFound, code: "unknown_location", message: "There is no location \(text.prefix(20)).")
            }
            return UInt32(id - 1)
        }
        guard let point = try point(call) else {
            throw Refusal(status: .badRequest, code: "location_required", message: "Give location_id, or lat and lng.")
        }
        guard let nearest = call.snapshot.nearestLocation(kind, month: month, to: point) else {
            throw Refusal(status: .notFound, code: "no_location_near", message: "No location with data is near that point.")
        }
        return nearest
    }

    /// A force named by `force`, as the registry knows it (British Transport Police included).
    private func force(_ call: Call) async throws -> ForceID {
        guard let text = call.text("force") else {
            throw Refusal(status: .badRequest, code: "force_required", message: "Give the force id: force=leicestershire.")
        }
        guard let id = ForceID(validating: text), try await forces.find(id) != nil else {
            throw Refusal(status: .notFound, code: "unknown_force", message: "There is no force '\(text.prefix(60))'.")
        }
        return id
    }

    /// An area search: a point (one mile) or a polygon (at most 10,000 results).
    private func area<Found>(
        _ call: Call, circle: (RadiusFilter) throws -> Found, polygon search: (SearchPolygon) throws(TooManyResults) -> Found
    ) throws -> Found {
        if let polygon = try polygon(call) {
            do {
                return try search(polygon)
            } catch {
                throw Refusal(
                    status: .serviceUnavailable, code: "too_many_results",
                    message: "The area holds more than \(Self.maximumResults) results; search a smaller one.")
            }
        }
        guard let point = try point(call) else {
            throw Refusal(status: .badRequest, code: "area_required", message: "Give lat and lng, or poly.")
        }
        return try circle(RadiusFilter(centre: point, radius: Haversine.oneMile))
    }

    // MARK: Forces

    private func forceList() async throws -> Response {
        struct Entry: Encodable { let id, name: String }
        let all = try await forces.all().filter { $0.definition.kind == .territorial }.sorted { $0.id < $1.id }
        return try encoded(all.map { Entry(id: $0.id.rawValue, name: $0.name) })
    }

    private func territorialForce(_ text: String) async throws -> Force {
        guard let id = ForceID(validating: text), let force = try await forces.find(id), force.definition.kind == .territorial else {
            throw Refusal(status: .notFound, code: "unknown_force", message: "There is no force '\(text.prefix(60))'.")
        }
        return force
    }

    private func forceDetail(_ text: String) async throws -> Response {
        let force = try await territorialForce(text)
        struct Engagement: Encodable { let title, url, description: String }
        struct Detail: Encodable {
            let description: String?
            let url: String
            let engagement_methods: [Engagement]
            let telephone: String
            let id, name: String
        }
        let contact = force.definition.contact
        let phone = contact.phone ?? ""
        return try encoded(
            Detail(
                description: nil, url: contact.website,
                engagement_methods: phone.isEmpty ? [] : [Engagement(title: "telephone", url: "", description: phone)],
                telephone: phone, id: force.id.rawValue, name: force.name))
    }

    // MARK: Crimes

    private func categories(_ call: Call) throws -> Response {
        struct Entry: Encodable { let url, name: String }
        let month = call.text("date") == nil ? call.snapshot.latestMonth : try month(call)
        // The old combined category only before 2013, when it was split.
        let historic = month.map { $0 < Month(year: 2013, month: 6)! } ?? false
        return try encoded(CrimeCategory.offered(historic: historic).map { Entry(url: $0.slug, name: $0.name) })
    }

    private func lastUpdated() throws -> Response {
        guard let latest = (try? month(Call(parameters: [:], snapshot: data.snapshot()))) else {
            throw Refusal(status: .notFound, code: "no_data", message: "No police data has been imported yet.")
        }
        return try encoded(["date": "\(latest)-01"])
    }

    private func availability() -> Response {
        let snapshot = data.snapshot()
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        for (index, month) in snapshot.availableMonths.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes += Array(#"{"date":"\#(month)","stop-and-search":["#.utf8)
            bytes += Array(snapshot.stopForces(month).map { "\"\($0)\"" }.joined(separator: ",").utf8)
            bytes += Array("]}".utf8)
        }
        bytes.append(UInt8(ascii: "]"))
        return json(bytes)
    }

    private func streetCrimes(_ call: Call, category slug: String) throws -> Response {
        let code = try category(slug)
        let month = try month(call)
        let result = try area(
            call, circle: { try call.snapshot.search(.street, month: month, in: $0, category: code) },
            polygon: { polygon throws(TooManyResults) in
                try call.snapshot.search(.street, month: month, in: polygon, category: code, limit: Self.maximumResults)
            })
        return json(WireFormat(call.snapshot).crimes(result))
    }

    private func crimesAtLocation(_ call: Call) throws -> Response {
        let month = try month(call)
        let index = try locationIndex(call, .street, month: month)
        return json(WireFormat(call.snapshot).crimes(call.snapshot.rows(.street, month: month, atLocation: index)))
    }

    private func crimesNoLocation(_ call: Call) async throws -> Response {
        let code = try category(call.text("category") ?? "all-crime")
        let force = try await force(call)
        let month = try month(call)
        return json(WireFormat(call.snapshot).crimes(call.snapshot.rowsWithoutLocation(.street, month: month, force: force.rawValue, category: code)))
    }

    // MARK: Outcomes

    private func outcomesAtLocation(_ call: Call) throws -> Response {
        let month = try month(call, .outcomes)
        let result: QueryResult
        if call.text("location_id") != nil {
            result = call.snapshot.rows(.outcomes, month: month, atLocation: try locationIndex(call, .outcomes, month: month))
        } else {
            result = try area(
                call, circle: { try call.snapshot.search(.outcomes, month: month, in: $0) },
                polygon: { polygon throws(TooManyResults) in
                    try call.snapshot.search(.outcomes, month: month, in: polygon, limit: Self.maximumResults)
                })
        }
        return json(WireFormat(call.snapshot).outcomes(result))
    }

    private func outcomesForCrime(_ id: String) throws -> Response {
        guard let bytes = WireFormat(data.snapshot()).outcomesForCrime(id) else {
            throw Refusal(status: .notFound, code: "unknown_crime", message: "There is no crime with that persistent id.")
        }
        return json(bytes)
    }

    // MARK: Stop and search

    private func stopsStreet(_ call: Call) throws -> Response {
        let month = try month(call, .stops)
        let result = try area(
            call, circle: { try call.snapshot.search(.stops, month: month, in: $0) },
            polygon: { polygon throws(TooManyResults) in try call.snapshot.search(.stops, month: month, in: polygon) })
        return json(WireFormat(call.snapshot).stops(result))
    }

    private func stopsAtLocation(_ call: Call) throws -> Response {
        let month = try month(call, .stops)
        guard call.text("location_id") != nil else {
            throw Refusal(status: .badRequest, code: "location_required", message: "Give location_id.")
        }
        let index = try locationIndex(call, .stops, month: month)
        return json(WireFormat(call.snapshot).stops(call.snapshot.rows(.stops, month: month, atLocation: index)))
    }

    private func stopsNoLocation(_ call: Call) async throws -> Response {
        let force = try await force(call)
        let month = try month(call, .stops)
        return json(WireFormat(call.snapshot).stops(call.snapshot.rowsWithoutLocation(.stops, month: month, force: force.rawValue)))
    }

    private func stopsForce(_ call: Call) async throws -> Response {
        let force = try await force(call)
        let month = try month(call, .stops)
        return json(WireFormat(call.snapshot).stops(call.snapshot.rows(.stops, month: month, force: force.rawValue)))
    }
}
