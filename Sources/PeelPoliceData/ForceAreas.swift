import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Force area boundaries ("which force covers this place"), loaded from a GeoJSON file such as
/// the ONS Police Force Areas and kept in the police data folder as `force-areas.json`.
package struct ForceAreas: Sendable {
    package struct Area: Sendable, Codable {
        package let force: String
        package let name: String
        package let code: String
        /// Polygons, each a list of rings (the first the outline, the rest holes), each a list of
        /// `[longitude, latitude]` pairs as in GeoJSON.
        package let polygons: [[[[Double]]]]
    }

    static let fileName = "force-areas.json"

    package let areas: [Area]
    private let shapes: [Shape]

    struct Shape: Sendable {
        let rings: [SearchRing]
        let minLatitude, maxLatitude, minLongitude, maxLongitude: Int32
    }

    package init(areas: [Area]) {
        self.areas = areas
        shapes = areas.map { area in
            let rings = area.polygons.flatMap { $0 }.map(SearchRing.init(pairs:))
            return Shape(
                rings: rings, minLatitude: rings.map(\.minLatitude).min() ?? 0, maxLatitude: rings.map(\.maxLatitude).max() ?? 0,
                minLongitude: rings.map(\.minLongitude).min() ?? 0, maxLongitude: rings.map(\.maxLongitude).max() ?? 0)
        }
    }

    init(url: URL) throws {
        self.init(areas: try JSONDecoder().decode([Area].self, from: Data(contentsOf: url)))
    }

    /// The force whose area holds the point, if any.
    package func force(at point: GeoPoint) -> String? {
        let lat = Microdegrees.from(degrees: point.latitude)
        let lng = Microdegrees.from(degrees: point.longitude)
        return areas.indices.first { contains(area: $0, latitude: lat, longitude: lng) }.map { areas[$0].force }
    }

    /// Whether area `index` holds the point: inside an odd number of its rings (holes count).
    package func contains(area index: Int, latitude lat: Int32, longitude lng: Int32) -> Bool {
        let shape = shapes[index]
        guard lat >= shape.minLatitude, lat <= shape.maxLatitude, lng >= shape.minLongitude, lng <= shape.maxLongitude else {
            return false
        }
        var inside = false
        for ring in shape.rings where ring.contains(latitude: lat, longitude: lng) { inside.toggle() }
        return inside
    }

    /// A uniformly random point inside a force's area (for benchmarks and sampling).
    package func randomPoint(in force: String, using generator: inout some RandomNumberGenerator) -> GeoPoint? {
        guard let index = areas.firstIndex(where: { $0.force == force }) else { return nil }
        let shape = shapes[index]
        for _ in 0..<10_000 {
            let lat = Int32.random(in: shape.minLatitude...shape.maxLatitude, using: &generator)
            let lng = Int32.random(in: shape.minLongitude...shape.maxLongitude, using: &generator)
            if contains(area: index, latitude: lat, longitude: lng) {
                return GeoPoint(latitude: Microdegrees.degrees(lat), longitude: Microdegrees.degrees(lng))
            }
        }
        return nil
    }

    // MARK: Importing

    /// Reads a GeoJSON FeatureCollection of force areas. Each feature's force comes from a
    /// `force` or `id` property holding a force id, or from its name (`PFA20NM`, `PFA23NM`,
    /// `name`: "Leicestershire", "Devon & Cornwall", "London, City of").
    package static func parse(geoJSON data: Data) throws -> (areas: [Area], problems: [String]) {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let features = root["features"] as? [[String: Any]]
        else { throw PoliceDataError.input("not a GeoJSON FeatureCollection") }
        var areas: [Area] = []
        var problems: [String] = []
        for (number, feature) in features.enumerated() {
            let properties = feature["properties"] as? [String: Any] ?? [:]
            let name = ["PFA23NM", "PFA20NM", "PFA21NM", "PFA22NM", "name", "NAME"].lazy.compactMap { properties[$0] as? String }.first
            let code = ["PFA23CD", "PFA20CD", "PFA21CD", "PFA22CD", "code"].lazy.compactMap { properties[$0] as? String }.first ?? ""
            guard let force = (properties["force"] as? String) ?? (properties["id"] as? String) ?? name.map(forceID(fromName:)) else {
                problems.append("feature \(number + 1): no force name or id in its properties; skipped")
                continue
            }
            guard let geometry = feature["geometry"] as? [String: Any], let type = geometry["type"] as? String,
                let coordinates = geometry["coordinates"]
            else {
                problems.append("feature \(number + 1) (\(force)): no geometry; skipped")
                continue
            }
            let polygons: [[[[Double]]]]?
            switch type {
            case "Polygon": polygons = (coordinates as? [[[Double]]]).map { [$0] }
            case "MultiPolygon": polygons = coordinates as? [[[[Double]]]]
            default: polygons = nil
            }
            guard let polygons, !polygons.isEmpty,
                polygons.allSatisfy({ $0.allSatisfy { ring in ring.count >= 4 && ring.allSatisfy { $0.count >= 2 && abs($0[0]) <= 180 && abs($0[1]) <= 90 } } })
            else {
                problems.append("feature \(number + 1) (\(force)): the geometry is not a valid Polygon or MultiPolygon in degrees; skipped")
                continue
            }
            areas.append(Area(force: force, name: name ?? force, code: code, polygons: polygons))
        }
        return (areas, problems)
    }

    /// The data.police.uk force id for an ONS force area name.
    package static func forceID(fromName name: String) -> String {
        let special = [
            "metropolitan police": "metropolitan", "london, city of": "city-of-london", "city of london": "city-of-london",
            "devon & cornwall": "devon-and-cornwall",
        ]
        let lowered = name.lowercased().trimmingCharacters(in: .whitespaces)
        if let known = special[lowered] { return known }
        let words = lowered.replacingOccurrences(of: "&", with: " and ")
            .map { $0.isLetter || $0.isNumber ? String($0) : " " }.joined().split(separator: " ")
        return words.filter { $0 != "police" && $0 != "constabulary" }.joined(separator: "-")
    }

    /// Replaces the stored force areas, atomically.
    package static func store(_ areas: [Area], in folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(fileName)
        let temporary = folder.appendingPathComponent(".\(fileName).\(UUID().uuidString).tmp")
        try JSONEncoder().encode(areas).write(to: temporary)
        try syncFile(temporary)
        guard rename(temporary.path, url.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw PoliceDataError.storage("cannot replace \(fileName)")
        }
    }
}

/// One ring of a boundary, for point-in-polygon tests in microdegrees.
struct SearchRing: Sendable {
    let latitudes: [Int32]
    let longitudes: [Int32]
    let minLatitude, maxLatitude, minLongitude, maxLongitude: Int32

    init(pairs: [[Double]]) {
        latitudes = pairs.map { Microdegrees.from(degrees: $0[1]) }
        longitudes = pairs.map { Microdegrees.from(degrees: $0[0]) }
        minLatitude = latitudes.min() ?? 0
        maxLatitude = latitudes.max() ?? 0
        minLongitude = longitudes.min() ?? 0
        maxLongitude = longitudes.max() ?? 0
    }

    func contains(latitude lat: Int32, longitude lng: Int32) -> Bool {
        guard lat >= minLatitude, lat <= maxLatitude, lng >= minLongitude, lng <= maxLongitude else { return false }
        return EvenOdd.contains(latitudes, longitudes, latitude: lat, longitude: lng)
    }
}

/// The even-odd point-in-polygon test on microdegrees, in exact integer arithmetic.
enum EvenOdd {
    @inline(__always)
    static func contains(_ latitudes: [Int32], _ longitudes: [Int32], latitude lat: Int32, longitude lng: Int32) -> Bool {
        var inside = false
        var j = latitudes.count - 1
        let y = Int64(lat)
        let x = Int64(lng)
        for i in 0..<latitudes.count {
            let yi = Int64(latitudes[i])
            let yj = Int64(latitudes[j])
            if (yi > y) != (yj > y) {
                let xi = Int64(longitudes[i])
                let xj = Int64(longitudes[j])
                let lhs = (x - xi) * (yj - yi)
                let rhs = (y - yi) * (xj - xi)
                if (yj - yi) > 0 ? lhs < rhs : lhs > rhs { inside.toggle() }
            }
            j = i
        }
        return inside
    }
}
