import Foundation

/// A place found by name among the imported locations ("On or near Marquis Street").
package struct PlaceMatch: Sendable, Hashable {
    /// The name without "On or near ".
    package let name: String
    package let point: GeoPoint
}

/// What the public "crime in your area" page shows for a point: the month's crimes within a mile
/// by category, where they were, the trend over the loaded months, the latest outcomes and the
/// month's stop and search count.
package struct AreaSummary: Sendable {
    package struct Spot: Sendable {
        package let point: GeoPoint
        package let count: Int
    }

    package let month: Month
    package let total: Int
    /// Category slugs with counts, most first.
    package let categories: [(slug: String, name: String, count: Int)]
    /// Each location with crimes, for the map.
    package let spots: [Spot]
    /// Crimes within the mile in each loaded month, oldest first.
    package let trend: [(month: Month, count: Int)]
    /// The crimes' last outcomes, most first.
    package let outcomes: [(name: String, count: Int)]
    /// Stop and searches within the mile in the month, when the month has stop and search data.
    package let stops: Int?
}

extension PoliceDataSnapshot {
    /// Locations whose street name contains `text` (ignoring case and the "On or near" prefix),
    /// one per distinct name, at most `limit`; an exact name first.
    package func places(matching text: String, limit: Int = 10) -> [PlaceMatch] {
        let wanted = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard wanted.count >= 2 else { return [] }
        var found: [String: PlaceMatch] = [:]
        var exact: PlaceMatch?
        for index in 0..<locations.count {
            let full = locations.names[locations.name[index]]
            let name = full.hasPrefix("On or near ") ? String(full.dropFirst(11)) : full
            let lowered = name.lowercased()
            guard lowered.contains(wanted), found[lowered] == nil else { continue }
            let match = PlaceMatch(
                name: name,
                point: GeoPoint(latitude: Microdegrees.degrees(locations.latitude[index]), longitude: Microdegrees.degrees(locations.longitude[index])))
            found[lowered] = match
            if lowered == wanted { exact = match }
            if found.count >= limit * 4 { break }
        }
        var ordered = found.values.sorted { ($0.name.count, $0.name) < ($1.name.count, $1.name) }
        if let exact {
            ordered.removeAll { $0 == exact }
            ordered.insert(exact, at: 0)
        }
        return Array(ordered.prefix(limit))
    }

    /// The summary of the mile around `point` in `month`.
    package func summary(around point: GeoPoint, month: Month) -> AreaSummary {
        let circle = RadiusFilter(centre: point, radius: Haversine.oneMile)
        let crimes = (try? search(.street, month: month, in: circle)) ?? QueryResult(segments: [], rows: [])
        var byCategory: [UInt8: Int] = [:]
        var byLocation: [UInt32: (GeoPoint, Int)] = [:]
        var byOutcome: [String: Int] = [:]
        for ref in crimes.rows {
            let segment = crimes.segments[Int(ref.segment)]
            let row = Int(ref.row)
            byCategory[segment.category[row], default: 0] += 1
            let location = segment.location[row]
            let spot = byLocation[location] ?? (
                GeoPoint(latitude: Microdegrees.degrees(segment.latitude[row]), longitude: Microdegrees.degrees(segment.longitude[row])), 0
            )
            byLocation[location] = (spot.0, spot.1 + 1)
            let outcome = segment.text[segment.outcome[row]]
            if !outcome.isEmpty { byOutcome[outcome, default: 0] += 1 }
        }
        let categories = byCategory.map { (CrimeCategory.all[Int($0.key)].slug, CrimeCategory.all[Int($0.key)].name, $0.value) }
            .sorted { ($1.2, $0.1) < ($0.2, $1.1) }
        let trend = months(.street).sorted().map { ($0, count(.street, month: $0, in: circle)) }
        let stops = segments(.stops, month).isEmpty ? nil : count(.stops, month: month, in: circle)
        return AreaSummary(
            month: month, total: crimes.count, categories: categories,
            spots: byLocation.values.map { AreaSummary.Spot(point: $0.0, count: $0.1) }.sorted { $0.count > $1.count },
            trend: trend, outcomes: byOutcome.map { ($0.key, $0.value) }.sorted { ($1.1, $0.0) < ($0.1, $1.0) }, stops: stops)
    }
}
