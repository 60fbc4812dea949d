import Foundation
import PeelCore

/// Reads a force's neighbourhoods from a GeoJSON FeatureCollection: one feature each, its
/// boundary a Polygon (the outer ring is used), its details in the properties with police.uk's
/// names: `id` and `name` (required), `description`, `url_force`, `population`,
/// `welcome_message`, `contact_details`, `links`, `locations`, `team`, `events` (`start_date` as
/// `YYYY-MM-DDTHH:MM:SS`) and `priorities` (`issue`, `issue-date`, `action`, `action-date`).
package enum NeighbourhoodFile {
    package static func parse(_ data: Data, force: ForceID) throws -> (neighbourhoods: [Neighbourhood], problems: [String]) {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let features = root["features"] as? [[String: Any]]
        else { throw PoliceDataError.input("not a GeoJSON FeatureCollection") }
        var found: [Neighbourhood] = []
        var problems: [String] = []
        for (number, feature) in features.enumerated() {
            let where_ = "feature \(number + 1)"
            let properties = feature["properties"] as? [String: Any] ?? [:]
            guard let id = properties["id"] as? String, Neighbourhood.isValidID(id) else {
                problems.append("\(where_): 'id' must be 1 to 40 letters, digits, - or _; skipped")
                continue
            }
            guard let name = (properties["name"] as? String)?.trimmingCharacters(in: .whitespaces), !name.isEmpty else {
                problems.append("\(where_) (\(id)): no 'name'; skipped")
                continue
            }
            guard let geometry = feature["geometry"] as? [String: Any], geometry["type"] as? String == "Polygon",
                let rings = geometry["coordinates"] as? [[[Double]]], let outer = rings.first, outer.count >= 4,
                outer.allSatisfy({ $0.count >= 2 && abs($0[0]) <= 180 && abs($0[1]) <= 90 })
            else {
                problems.append("\(where_) (\(id)): the geometry must be a Polygon in degrees; skipped")
                continue
            }
            var neighbourhood = Neighbourhood(force: force, id: id, name: name)
            neighbourhood.boundary = outer.map { [$0[1], $0[0]] }
            neighbourhood.description = properties["description"] as? String
            neighbourhood.urlForce = properties["url_force"] as? String ?? ""
            neighbourhood.population = (properties["population"] as? Int) ?? (properties["population"] as? String).flatMap { Int($0) }
            neighbourhood.welcomeMessage = properties["welcome_message"] as? String
            neighbourhood.contactDetails = strings(properties["contact_details"])
            neighbourhood.links = (properties["links"] as? [[String: Any]] ?? []).compactMap {
                guard let url = $0["url"] as? String, let title = $0["title"] as? String else { return nil }
                return Neighbourhood.Link(url: url, title: title, description: $0["description"] as? String)
            }
            neighbourhood.locations = (properties["locations"] as? [[String: Any]] ?? []).map {
                Neighbourhood.Place(
                    name: $0["name"] as? String, type: $0["type"] as? String, description: $0["description"] as? String,
                    address: $0["address"] as? String, postcode: $0["postcode"] as? String, latitude: $0["latitude"] as? String,
                    longitude: $0["longitude"] as? String)
            }
            neighbourhood.team = (properties["team"] as? [[String: Any]] ?? []).compactMap {
                guard let name = $0["name"] as? String else { return nil }
                return Neighbourhood.Officer(
                    name: name, rank: $0["rank"] as? String, bio: $0["bio"] as? String, contactDetails: strings($0["contact_details"]))
            }
            var valid = true
            neighbourhood.events = (properties["events"] as? [[String: Any]] ?? []).compactMap {
                guard let title = $0["title"] as? String, let start = $0["start_date"] as? String, Neighbourhood.isValidLocalDateTime(start)
                else {
                    valid = false
                    return nil
                }
                return Neighbourhood.Event(
                    title: title, description: $0["description"] as? String, address: $0["address"] as? String, type: $0["type"] as? String,
                    startDate: start, endDate: $0["end_date"] as? String, contactDetails: strings($0["contact_details"]))
            }
            neighbourhood.priorities = (properties["priorities"] as? [[String: Any]] ?? []).compactMap {
                guard let issue = $0["issue"] as? String, let date = $0["issue-date"] as? String, Neighbourhood.isValidLocalDateTime(date)
                else {
                    valid = false
                    return nil
                }
                return Neighbourhood.Priority(issue: issue, issueDate: date, action: $0["action"] as? String, actionDate: $0["action-date"] as? String)
            }
            guard valid else {
                problems.append("\(where_) (\(id)): an event needs a title and start_date, a priority an issue and issue-date, as YYYY-MM-DDTHH:MM:SS; skipped")
                continue
            }
            found.append(neighbourhood)
        }
        return (found, problems)
    }

    private static func strings(_ value: Any?) -> [String: String] {
        (value as? [String: Any] ?? [:]).compactMapValues { $0 as? String }
    }
}
