import Foundation

/// A row in a snapshot: which segment of the result's list, and which row in it.
package struct RowRef: Hashable, Sendable {
    package let segment: UInt16
    package let row: UInt32
}

/// Rows found by a query, with the segments they point into.
package struct QueryResult: Sendable {
    package let segments: [Segment]
    package var rows: [RowRef]

    package var count: Int { rows.count }

    /// In API `id` order: forces in order, each force's rows in file order.
    mutating func sort() {
        let segments = segments
        rows.sort { a, b in
            a.segment != b.segment ? a.segment < b.segment : segments[Int(a.segment)].ordinal[Int(a.row)] < segments[Int(b.segment)].ordinal[Int(b.row)]
        }
    }
}

/// An area to search: a circle or a polygon.
package protocol SearchArea: Sendable {
    var minLatitude: Int32 { get }
    var maxLatitude: Int32 { get }
    var minLongitude: Int32 { get }
    var maxLongitude: Int32 { get }
    func contains(latitude: Int32, longitude: Int32) -> Bool
}

extension RadiusFilter: SearchArea {}
extension SearchPolygon: SearchArea {}

/// More rows than the API may answer with (data.police.uk: 503 above 10,000).
package struct TooManyResults: Error {
    package let limit: Int
}

extension PoliceDataSnapshot {
    /// Rows of `kind` in `month` inside `area`, optionally of one crime category; stops early
    /// with `TooManyResults` when there are more than `limit`.
    package func search<Area: SearchArea>(
        _ kind: SegmentKind, month: Month, in area: Area, category: UInt8 = CrimeCategory.allCrime, limit: Int = .max
    ) throws(TooManyResults) -> QueryResult {
        let segments = segments(kind, month)
        var rows: [RowRef] = []
        for (number, segment) in segments.enumerated() {
            let latitude = segment.latitude
            let longitude = segment.longitude
            let location = segment.location
            let categories = segment.category
            var lastLocation = UInt32.max
            var lastInside = false
            var overflow = false
            segment.forEachRun(
                minLatitude: area.minLatitude, maxLatitude: area.maxLatitude, minLongitude: area.minLongitude,
                maxLongitude: area.maxLongitude
            ) { run in
                guard !overflow else { return }
                for row in run {
                    // Rows at one snap point are together; test each point once.
                    let here = location[row]
                    if here != lastLocation {
                        lastLocation = here
                        lastInside = area.contains(latitude: latitude[row], longitude: longitude[row])
                    }
                    guard lastInside else { continue }
                    if category != CrimeCategory.allCrime, categories[row] != category { continue }
                    rows.append(RowRef(segment: UInt16(number), row: UInt32(row)))
                }
                if rows.count > limit { overflow = true }
            }
            if overflow || rows.count > limit { throw TooManyResults(limit: limit) }
        }
        var result = QueryResult(segments: segments, rows: rows)
        result.sort()
        return result
    }

    /// How many rows of `kind` in `month` lie inside `area` (for benchmarks and checks).
    package func count<Area: SearchArea>(_ kind: SegmentKind, month: Month, in area: Area) -> Int {
        (try? search(kind, month: month, in: area))?.count ?? 0
    }

    /// Rows at one snap point (a registry index).
    package func rows(_ kind: SegmentKind, month: Month, atLocation index: UInt32, category: UInt8 = CrimeCategory.allCrime) -> QueryResult {
        guard Int(index) < locations.count else { return QueryResult(segments: [], rows: []) }
        let lat = locations.latitude[Int(index)]
        let lng = locations.longitude[Int(index)]
        let segments = segments(kind, month)
        var rows: [RowRef] = []
        for (number, segment) in segments.enumerated() {
            segment.forEachRun(minLatitude: lat, maxLatitude: lat, minLongitude: lng, maxLongitude: lng) { run in
                for row in run where segment.location[row] == index {
                    if category != CrimeCategory.allCrime, segment.category[row] != category { continue }
                    rows.append(RowRef(segment: UInt16(number), row: UInt32(row)))
                }
            }
        }
        var result = QueryResult(segments: segments, rows: rows)
        result.sort()
        return result
    }

    /// The snap point nearest to `point` among those with rows of `kind` in `month`, searching
    /// up to about five kilometres away.
    package func nearestLocation(_ kind: SegmentKind, month: Month, to point: GeoPoint) -> UInt32? {
        var best: (UInt32, Double)?
        for radius in [400.0, 1_600, 5_000] {
            let area = RadiusFilter(centre: point, radius: radius)
            for segment in segments(kind, month) {
                segment.forEachRun(
                    minLatitude: area.minLatitude, maxLatitude: area.maxLatitude, minLongitude: area.minLongitude,
                    maxLongitude: area.maxLongitude
                ) { run in
                    for row in run {
                        let distance = Haversine.distance(
                            point,
                            GeoPoint(
                                latitude: Microdegrees.degrees(segment.latitude[row]),
                                longitude: Microdegrees.degrees(segment.longitude[row])))
                        if distance <= radius, distance < best?.1 ?? .infinity { best = (segment.location[row], distance) }
                    }
                }
            }
            if let best { return best.0 }
        }
        return nil
    }

    /// Rows of `kind` in `month` without a location, for one force (and category).
    package func rowsWithoutLocation(_ kind: SegmentKind, month: Month, force: String, category: UInt8 = CrimeCategory.allCrime)
        -> QueryResult
    {
        let segments = segments(kind, month).filter { $0.info.force == force }
        var rows: [RowRef] = []
        for (number, segment) in segments.enumerated() {
            for row in segment.info.located..<segment.info.rows {
                if category != CrimeCategory.allCrime, segment.category[row] != category { continue }
                rows.append(RowRef(segment: UInt16(number), row: UInt32(row)))
            }
        }
        var result = QueryResult(segments: segments, rows: rows)
        result.sort()
        return result
    }

    /// Every row of `kind` in `month` for one force, with and without a location.
    package func rows(_ kind: SegmentKind, month: Month, force: String) -> QueryResult {
        let segments = segments(kind, month).filter { $0.info.force == force }
        var rows: [RowRef] = []
        for (number, segment) in segments.enumerated() {
            rows += (0..<segment.info.rows).map { RowRef(segment: UInt16(number), row: UInt32($0)) }
        }
        var result = QueryResult(segments: segments, rows: rows)
        result.sort()
        return result
    }

    /// Where a persistent id occurs in segments of `kind`, oldest month first.
    package func find(_ kind: SegmentKind, persistentID bytes: [UInt8], preferring force: String? = nil) -> [(Segment, Int)] {
        var found: [(Segment, Int)] = []
        for month in months(kind).reversed() {
            for segment in segments(kind, month) {
                for row in segment.rows(persistentID: bytes) { found.append((segment, row)) }
            }
        }
        return found
    }

    /// Forces with stop and search data in `month`.
    package func stopForces(_ month: Month) -> [String] {
        Array(Set(segments(.stops, month).map(\.info.force))).sorted()
    }

    /// Months with any data, newest first: street months and stop and search months together.
    package var availableMonths: [Month] {
        Array(Set(months(.street) + months(.stops))).sorted(by: >)
    }
}
