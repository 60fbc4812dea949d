import Foundation

/// A force's neighbourhood as police.uk publishes it: name, boundary, team, priorities, events
/// and contact details. Ids are the force's own (`NC04`, `00BKX6`) and unique only within it.
package struct Neighbourhood: Sendable, Codable, Hashable {
    package struct Link: Sendable, Codable, Hashable {
        package var url: String
        package var title: String
        package var description: String?

        package init(url: String, title: String, description: String?) {
            self.url = url
            self.title = title
            self.description = description
        }
    }
    package struct Place: Sendable, Codable, Hashable {
        package var name: String?
        package var type: String?
        package var description: String?
        package var address: String?
        package var postcode: String?
        package var latitude: String?
        package var longitude: String?

        package init(
            name: String?, type: String?, description: String?, address: String?, postcode: String?, latitude: String?, longitude: String?
        ) {
            self.name = name
            self.type = type
            self.description = description
            self.address = address
            self.postcode = postcode
            self.latitude = latitude
            self.longitude = longitude
        }
    }
    package struct Officer: Sendable, Codable, Hashable {
        package var name: String
        package var rank: String?
        package var bio: String?
        package var contactDetails: [String: String] = [:]

        package init(name: String, rank: String?, bio: String?, contactDetails: [String: String]) {
            self.name = name
            self.rank = rank
            self.bio = bio
            self.contactDetails = contactDetails
        }
    }
    package struct Event: Sendable, Codable, Hashable {
        package var title: String
        package var description: String?
        package var address: String?
        package var type: String?
        /// Local time as `YYYY-MM-DDTHH:MM:SS`, no zone, as police.uk gives it.
        package var startDate: String
        package var endDate: String?
        package var contactDetails: [String: String] = [:]

        package init(
            title: String, description: String?, address: String?, type: String?, startDate: String, endDate: String?,
            contactDetails: [String: String]
        ) {
            self.title = title
            self.description = description
            self.address = address
            self.type = type
            self.startDate = startDate
            self.endDate = endDate
            self.contactDetails = contactDetails
        }
    }
    package struct Priority: Sendable, Codable, Hashable {
        package var issue: String
        package var issueDate: String
        package var action: String?
        package var actionDate: String?

        package init(issue: String, issueDate: String, action: String?, actionDate: String?) {
            self.issue = issue
            self.issueDate = issueDate
            self.action = action
            self.actionDate = actionDate
        }
    }

    package var force: ForceID
    package var id: String
    package var name: String
    package var description: String?
    package var urlForce: String = ""
    package var population: Int?
    package var welcomeMessage: String?
    package var contactDetails: [String: String] = [:]
    package var links: [Link] = []
    package var locations: [Place] = []
    /// The boundary ring as `[latitude, longitude]` pairs.
    package var boundary: [[Double]] = []
    package var team: [Officer] = []
    package var events: [Event] = []
    package var priorities: [Priority] = []

    package init(force: ForceID, id: String, name: String) {
        self.force = force
        self.id = id
        self.name = name
    }

    /// A neighbourhood id: 1 to 40 letters, digits, `-` and `_`, and not `neighbourhoods` (the
    /// list's address).
    package static func isValidID(_ id: String) -> Bool {
        (1...40).contains(id.utf8.count) && id != "neighbourhoods"
            && id.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 || $0 == 95 }
    }

    /// Local date and time as police.uk writes it for events and priorities.
    package static func isValidLocalDateTime(_ text: String) -> Bool {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return text.count == 19 && formatter.date(from: text) != nil
    }

    /// The middle of the boundary's extent, as police.uk's `centre` ("may not be exactly in the centre").
    package var centre: (latitude: Double, longitude: Double)? {
        guard let minLat = boundary.map({ $0[0] }).min(), let maxLat = boundary.map({ $0[0] }).max(),
            let minLng = boundary.map({ $0[1] }).min(), let maxLng = boundary.map({ $0[1] }).max()
        else { return nil }
        return ((minLat + maxLat) / 2, (minLng + maxLng) / 2)
    }

    /// Whether the point is inside the boundary (even-odd rule).
    package func contains(latitude: Double, longitude: Double) -> Bool {
        guard boundary.count >= 3 else { return false }
        var inside = false
        var j = boundary.count - 1
        for i in boundary.indices {
            let (yi, xi, yj, xj) = (boundary[i][0], boundary[i][1], boundary[j][0], boundary[j][1])
            if (yi > latitude) != (yj > latitude), longitude < (xj - xi) * (latitude - yi) / (yj - yi) + xi { inside.toggle() }
            j = i
        }
        return inside
    }
}

/// Neighbourhoods, per force.
package protocol NeighbourhoodRepository: Sendable {
    /// A force's neighbourhoods, by name.
    func list(force: ForceID) async throws -> [Neighbourhood]
    func find(force: ForceID, id: String) async throws -> Neighbourhood?
    /// Adds the neighbourhood, or replaces the one with the same force and id.
    func save(_ neighbourhood: Neighbourhood, at date: Date) async throws
    func delete(force: ForceID, id: String) async throws
    /// Every force's neighbourhoods, for finding the one that covers a point.
    func all() async throws -> [Neighbourhood]
}
