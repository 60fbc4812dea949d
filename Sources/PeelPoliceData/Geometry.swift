import Foundation

/// Coordinates as whole millionths of a degree: the archive gives six decimal places, so this is
/// exact, and the API's strings ("52.629831") come back unchanged.
package enum Microdegrees {
    /// Parses a decimal degree string such as `-1.132503`; more than six decimals are rounded.
    package static func parse(_ text: some StringProtocol) -> Int32? {
        var bytes = Substring(text).utf8[...]
        while bytes.first == UInt8(ascii: " ") { bytes = bytes.dropFirst() }
        while bytes.last == UInt8(ascii: " ") { bytes = bytes.dropLast() }
        guard !bytes.isEmpty else { return nil }
        var negative = false
        if bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "+") {
            negative = bytes.first == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var roundUp = false
        var seenDigit = false
        var seenPoint = false
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard !seenPoint else { return nil }
                seenPoint = true
                continue
            }
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            seenDigit = true
            let digit = Int64(byte - UInt8(ascii: "0"))
            if !seenPoint {
                whole = whole * 10 + digit
                guard whole <= 1000 else { return nil }
            } else if fractionDigits < 6 {
                fraction = fraction * 10 + digit
                fractionDigits += 1
            } else if fractionDigits == 6 {
                roundUp = digit >= 5
                fractionDigits += 1
            }
        }
        guard seenDigit else { return nil }
        for _ in 0..<max(0, 6 - fractionDigits) { fraction *= 10 }
        var value = whole * 1_000_000 + fraction + (roundUp ? 1 : 0)
        if negative { value = -value }
        return Int32(exactly: value)
    }

    /// `52629831` → `52.629831`; always six decimal places, as data.police.uk writes them.
    package static func format(_ value: Int32) -> String {
        var bytes: [UInt8] = []
        append(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    package static func append(_ value: Int32, to bytes: inout [UInt8]) {
        var magnitude = Int64(value)
        if magnitude < 0 {
            bytes.append(UInt8(ascii: "-"))
            magnitude = -magnitude
        }
        JSONBytes.appendInteger(magnitude / 1_000_000, to: &bytes)
        bytes.append(UInt8(ascii: "."))
        let fraction = magnitude % 1_000_000
        var divisor: Int64 = 100_000
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(fraction / divisor % 10))
            divisor /= 10
        }
    }

    package static func degrees(_ value: Int32) -> Double { Double(value) / 1_000_000 }

    package static func from(degrees: Double) -> Int32 { Int32((degrees * 1_000_000).rounded()) }
}

/// A point in WGS84 degrees.
package struct GeoPoint: Sendable, Hashable {
    package var latitude: Double
    package var longitude: Double

    package init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }

    package var isValid: Bool {
        latitude.isFinite && longitude.isFinite && (-90...90).contains(latitude) && (-180...180).contains(longitude)
    }
}

/// Distances on the sphere.
package enum Haversine {
    /// The mean Earth radius in metres (IUGG).
    package static let earthRadius = 6_371_008.8
    /// data.police.uk's point searches cover one mile.
    package static let oneMile = 1609.344

    package static func distance(_ a: GeoPoint, _ b: GeoPoint) -> Double {
        let p1 = a.latitude * .pi / 180
        let p2 = b.latitude * .pi / 180
        let dp = p2 - p1
        let dl = (b.longitude - a.longitude) * .pi / 180
        let h = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2)
        return 2 * earthRadius * asin(min(1, h.squareRoot()))
    }
}

/// A circle around a point, ready for testing many stored points against it quickly: the
/// haversine test with the centre's terms worked out once.
package struct RadiusFilter: Sendable {
    let latitude: Double
    let longitude: Double
    let cosLatitude: Double
    /// The largest haversine `h` inside the radius.
    let limit: Double
    /// The bounding box in microdegrees, for the index.
    package let minLatitude, maxLatitude, minLongitude, maxLongitude: Int32

    package init(centre: GeoPoint, radius: Double) {
        latitude = centre.latitude * .pi / 180
        longitude = centre.longitude * .pi / 180
        cosLatitude = cos(latitude)
        let half = sin(radius / Haversine.earthRadius / 2)
        limit = half * half
        let degreesLatitude = radius / Haversine.earthRadius * 180 / .pi
        let widest = min(89.9, abs(centre.latitude) + degreesLatitude)
        let degreesLongitude = min(180, degreesLatitude / cos(widest * .pi / 180))
        // One microdegree of slack each way: the box must never cut off a point inside.
        minLatitude = Microdegrees.from(degrees: max(-90, centre.latitude - degreesLatitude)) - 1
        maxLatitude = Microdegrees.from(degrees: min(90, centre.latitude + degreesLatitude)) + 1
        minLongitude = Microdegrees.from(degrees: max(-180, centre.longitude - degreesLongitude)) - 1
        maxLongitude = Microdegrees.from(degrees: min(180, centre.longitude + degreesLongitude)) + 1
    }

    @inline(__always)
    package func contains(latitude lat: Int32, longitude lng: Int32) -> Bool {
        guard lat >= minLatitude, lat <= maxLatitude, lng >= minLongitude, lng <= maxLongitude else { return false }
        let p2 = Double(lat) * (.pi / 180_000_000)
        let dp = p2 - latitude
        let dl = Double(lng) * (.pi / 180_000_000) - longitude
        let sdp = sin(dp / 2)
        let sdl = sin(dl / 2)
        return sdp * sdp + cosLatitude * cos(p2) * sdl * sdl <= limit
    }
}

/// A polygon as data.police.uk takes it (`lat,lng:lat,lng:…`), closed automatically.
package struct SearchPolygon: Sendable {
    /// Vertices in microdegrees, without the closing repeat.
    package let latitudes: [Int32]
    package let longitudes: [Int32]
    package let minLatitude, maxLatitude, minLongitude, maxLongitude: Int32

    /// Reads and checks a `poly` parameter: at least three distinct corners, valid coordinates,
    /// no edge crossing another.
    package init(parsing text: String, maximumPoints: Int = 10_000) throws(PolygonError) {
        let pairs = text.split(separator: ":", omittingEmptySubsequences: false)
        guard pairs.count <= maximumPoints + 1 else { throw .tooManyPoints(maximumPoints) }
        var latitudes: [Int32] = []
        var longitudes: [Int32] = []
        for pair in pairs {
            let parts = pair.split(separator: ",", omittingEmptySubsequences: false)
            guard parts.count == 2, let lat = Microdegrees.parse(parts[0]), let lng = Microdegrees.parse(parts[1]),
                abs(lat) <= 90_000_000, abs(lng) <= 180_000_000
            else { throw .badPoint(String(pair.prefix(40))) }
            // A repeated point adds no edge.
            if latitudes.last == lat, longitudes.last == lng { continue }
            latitudes.append(lat)
            longitudes.append(lng)
        }
        if latitudes.count > 1, latitudes.first == latitudes.last, longitudes.first == longitudes.last {
            latitudes.removeLast()
            longitudes.removeLast()
        }
        guard latitudes.count >= 3 else { throw .tooFewPoints }
        self.latitudes = latitudes
        self.longitudes = longitudes
        minLatitude = latitudes.min()!
        maxLatitude = latitudes.max()!
        minLongitude = longitudes.min()!
        maxLongitude = longitudes.max()!
        if let crossing = Self.firstCrossing(latitudes, longitudes) { throw .selfCrossing(edge: crossing) }
    }

    /// Even-odd rule; points on an edge may fall either way, as in any point-in-polygon test.
    @inline(__always)
    package func contains(latitude lat: Int32, longitude lng: Int32) -> Bool {
        guard lat >= minLatitude, lat <= maxLatitude, lng >= minLongitude, lng <= maxLongitude else { return false }
        return EvenOdd.contains(latitudes, longitudes, latitude: lat, longitude: lng)
    }

    /// The first edge (1-based) that crosses a non-adjacent edge, or `nil`. Edges are sorted by
    /// their lowest longitude so each is compared only with those that overlap it.
    static func firstCrossing(_ lat: [Int32], _ lng: [Int32]) -> Int? {
        let count = lat.count
        struct Edge { let index: Int; let minX, maxX, minY, maxY: Int64 }
        let edges = (0..<count).map { i -> Edge in
            let j = (i + 1) % count
            return Edge(
                index: i, minX: Int64(min(lng[i], lng[j])), maxX: Int64(max(lng[i], lng[j])), minY: Int64(min(lat[i], lat[j])),
                maxY: Int64(max(lat[i], lat[j])))
        }.sorted { $0.minX < $1.minX }
        func point(_ i: Int) -> (Int64, Int64) { (Int64(lng[i % count]), Int64(lat[i % count])) }
        func orientation(_ a: (Int64, Int64), _ b: (Int64, Int64), _ c: (Int64, Int64)) -> Int64 {
            let value = (b.0 - a.0) * (c.1 - a.1) - (b.1 - a.1) * (c.0 - a.0)
            return value == 0 ? 0 : (value > 0 ? 1 : -1)
        }
        func onSegment(_ a: (Int64, Int64), _ b: (Int64, Int64), _ p: (Int64, Int64)) -> Bool {
            min(a.0, b.0) <= p.0 && p.0 <= max(a.0, b.0) && min(a.1, b.1) <= p.1 && p.1 <= max(a.1, b.1)
        }
        var first: Int?
        for (position, edge) in edges.enumerated() {
            var next = position + 1
            while next < edges.count, edges[next].minX <= edge.maxX {
                let other = edges[next]
                next += 1
                guard other.minY <= edge.maxY, edge.minY <= other.maxY else { continue }
                let i = edge.index
                let k = other.index
                // Neighbouring edges share a corner; that is not a crossing.
                if abs(i - k) == 1 || abs(i - k) == count - 1 { continue }
                let a = point(i), b = point(i + 1), c = point(k), d = point(k + 1)
                let o1 = orientation(a, b, c), o2 = orientation(a, b, d)
                let o3 = orientation(c, d, a), o4 = orientation(c, d, b)
                let crosses =
                    (o1 != o2 && o3 != o4) || (o1 == 0 && onSegment(a, b, c)) || (o2 == 0 && onSegment(a, b, d))
                    || (o3 == 0 && onSegment(c, d, a)) || (o4 == 0 && onSegment(c, d, b))
                if crosses {
                    let found = min(i, k) + 1
                    first = min(first ?? found, found)
                }
            }
        }
        return first
    }
}

package enum PolygonError: Error, Equatable, CustomStringConvertible {
    case badPoint(String)
    case tooFewPoints
    case tooManyPoints(Int)
    case selfCrossing(edge: Int)

    package var description: String {
        switch self {
        case .badPoint(let text): "poly: '\(text)' is not a lat,lng pair in degrees"
        case .tooFewPoints: "poly: a polygon needs at least three different points"
        case .tooManyPoints(let limit): "poly: at most \(limit) points"
        case .selfCrossing(let edge): "poly: the polygon crosses itself (edge \(edge))"
        }
    }
}

/// The grid the spatial index uses: cells of 1/64 degree (about 1.7 km north to south and
/// 1.1 km east to west in England), so a one-mile circle touches three or four rows of cells.
package enum Grid {
    package static let cellsPerDegree: Int32 = 64
    package static let microdegreesPerCell: Int32 = 1_000_000 / cellsPerDegree

    @inline(__always)
    package static func cell(_ microdegrees: Int32) -> Int32 {
        // Floor division, so negative longitudes fall in the right cell.
        microdegrees >= 0 ? microdegrees / microdegreesPerCell : -((-microdegrees + microdegreesPerCell - 1) / microdegreesPerCell)
    }
}
