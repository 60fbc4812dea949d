import Foundation
import Hummingbird
import PeelCore

/// police.uk's neighbourhood methods, served from the forces' neighbourhoods:
/// `{force}/neighbourhoods`, `{force}/{id}` and its `boundary`, `people`, `events` and
/// `priorities`, and `locate-neighbourhood?q=lat,lng`.
extension PoliceDataAPIController {
    func addNeighbourhoodRoutes(to api: RouterGroup<PeelRequestContext>, neighbourhoods: any NeighbourhoodRepository) {
        api.get("locate-neighbourhood") { request, context in
            try await answer(request, context) { call in
                let parts = (call.text("q") ?? "").split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
                guard parts.count == 2, let lat = parts[0], let lng = parts[1], (-90...90).contains(lat), (-180...180).contains(lng) else {
                    throw Refusal(status: .badRequest, code: "bad_coordinates", message: "q must be lat,lng in decimal degrees.")
                }
                guard let found = try await neighbourhoods.all().first(where: { $0.contains(latitude: lat, longitude: lng) }) else {
                    throw Refusal(status: .notFound, code: "no_neighbourhood", message: "No neighbourhood covers that point.")
                }
                return try encoded(["force": found.force.rawValue, "neighbourhood": found.id])
            }
        }
        api.get(":force/neighbourhoods") { request, context in
            try await answer(request, context) { _ in
                let force = try await knownForce(context.parameters.get("force") ?? "")
                struct Entry: Encodable { let id, name: String }
                return try encoded(try await neighbourhoods.list(force: force).map { Entry(id: $0.id, name: $0.name) })
            }
        }
        for part in ["", "/boundary", "/people", "/events", "/priorities"] {
            api.get(RouterPath(":force/:neighbourhood" + part)) { request, context in
                try await answer(request, context) { _ in
                    let force = try await knownForce(context.parameters.get("force") ?? "")
                    let id = context.parameters.get("neighbourhood") ?? ""
                    guard Neighbourhood.isValidID(id), let found = try await neighbourhoods.find(force: force, id: id) else {
                        throw Refusal(status: .notFound, code: "unknown_neighbourhood", message: "There is no neighbourhood '\(id.prefix(40))'.")
                    }
                    switch part {
                    case "/boundary":
                        return try encoded(
                            found.boundary.map { ["latitude": NeighbourhoodWire.degrees($0[0]), "longitude": NeighbourhoodWire.degrees($0[1])] })
                    case "/people": return try encoded(found.team.map(NeighbourhoodWire.Officer.init))
                    case "/events": return try encoded(found.events.map(NeighbourhoodWire.Event.init))
                    case "/priorities": return try encoded(found.priorities.map(NeighbourhoodWire.Priority.init))
                    default: return try encoded(NeighbourhoodWire.Detail(found))
                    }
                }
            }
        }
    }

    /// A force in the registry, or 404.
    func knownForce(_ text: String) async throws -> ForceID {
        guard let id = ForceID(validating: text), try await forces.find(id) != nil else {
            throw Refusal(status: .notFound, code: "unknown_force", message: "There is no force '\(text.prefix(60))'.")
        }
        return id
    }
}

/// The neighbourhood objects as police.uk writes them: snake_case and hyphenated keys, strings
/// for coordinates and population.
enum NeighbourhoodWire {
    /// Degrees to ten decimal places at most, without trailing zeros ("52.6394052587", "52.63").
    static func degrees(_ value: Double) -> String {
        var text = String(format: "%.10f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    struct Detail: Encodable {
        let id, name: String
        let description: String?
        let url_force: String
        let population: String
        let welcome_message: String?
        let contact_details: [String: String]
        let links: [Neighbourhood.Link]
        let locations: [Neighbourhood.Place]
        let centre: [String: String]

        init(_ n: Neighbourhood) {
            id = n.id
            name = n.name
            description = n.description
            url_force = n.urlForce
            population = String(n.population ?? 0)
            welcome_message = n.welcomeMessage
            contact_details = n.contactDetails
            links = n.links
            locations = n.locations
            centre = n.centre.map { ["latitude": degrees($0.latitude), "longitude": degrees($0.longitude)] } ?? [:]
        }
    }

    struct Officer: Encodable {
        let name: String
        let rank, bio: String?
        let contact_details: [String: String]
        init(_ o: Neighbourhood.Officer) {
            name = o.name
            rank = o.rank
            bio = o.bio
            contact_details = o.contactDetails
        }
    }

    struct Event: Encodable {
        let title: String
        let description, address, type: String?
        let start_date: String
        let end_date: String?
        let contact_details: [String: String]
        init(_ e: Neighbourhood.Event) {
            title = e.title
            description = e.description
            address = e.address
            type = e.type
            start_date = e.startDate
            end_date = e.endDate
            contact_details = e.contactDetails
        }
    }

    struct Priority: Encodable {
        let issue: String
        let issueDate: String
        let action: String?
        let actionDate: String?
        enum CodingKeys: String, CodingKey {
            case issue, action
            case issueDate = "issue-date"
            case actionDate = "action-date"
        }
        init(_ p: Neighbourhood.Priority) {
            issue = p.issue
            issueDate = p.issueDate
            action = p.action
            actionDate = p.actionDate
        }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(issue, forKey: .issue)
            try container.encode(issueDate, forKey: .issueDate)
            // police-api-client reads these keys directly: present, null when empty.
            try container.encode(action, forKey: .action)
            try container.encode(actionDate, forKey: .actionDate)
        }
    }
}
