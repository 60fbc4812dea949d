import Foundation
import Logging
import NIOCore
import NIOPosix
import PeelPoliceData
import PostgresKit
import SQLKit
import SQLiteKit

/// Street-level crimes within one mile, for one month, at random points inside the loaded
/// forces: Peel's engine, SQLite with its R*Tree module and PostGIS with a GiST index, on the
/// same rows and the same points in one run, and the whole HTTP answer from a running server.
///
///     peel-bench police-data --police-data DIR [--points 2000] [--seed 7]
///                [--sqlite FILE] [--postgres URL] [--base-url http://127.0.0.1:8080]
///     peel-bench police-csv-read PATH...      (rows a second of a plain CSV read)
enum PoliceDataBench {
    struct Options {
        var folder = "peel-data/police-data"
        var points = 2_000
        var seed: UInt64 = 7
        var sqlite: String?
        var postgres: String?
        var baseURL: String?

        init(_ arguments: [String]) {
            var iterator = arguments.dropFirst(2).makeIterator()
            while let flag = iterator.next() {
                let value = iterator.next() ?? ""
                switch flag {
                case "--police-data": folder = value
                case "--points": points = Int(value) ?? points
                case "--seed": seed = UInt64(value) ?? seed
                case "--sqlite": sqlite = value
                case "--postgres": postgres = value
                case "--base-url": baseURL = value
                default: break
                }
            }
        }
    }

    /// One query: a month and a point.
    struct Probe: Sendable {
        let month: Month
        let point: GeoPoint
    }

    /// A crime row as the SQL engines hold it.
    struct Row: Sendable {
        let id: Int64
        let month: String
        let latitude: Double
        let longitude: Double
        let category: String
        let persistentID: String
        let streetID: Int
        let streetName: String
        let outcome: String
        let force: String
    }

    static func run(_ arguments: [String]) async throws {
        let options = Options(arguments)
        let data = try PoliceData(folder: URL(fileURLWithPath: options.folder))
        let snapshot = data.snapshot()
        guard let areas = snapshot.forceAreas else {
            throw BenchError(message: "no force areas in \(options.folder): run peel police-data boundaries import first")
        }
        let months = snapshot.months(.street).sorted()
        let loadedForces = Set(months.flatMap { snapshot.segments(.street, $0).map(\.info.force) })
        let forces = areas.areas.map(\.force).filter(loadedForces.contains).sorted()
        var generator = SeededGenerator(seed: options.seed)
        var probes: [Probe] = []
        while probes.count < options.points {
            let force = forces[Int.random(in: 0..<forces.count, using: &generator)]
            let month = months[Int.random(in: 0..<months.count, using: &generator)]
            if let point = areas.randomPoint(in: force, using: &generator) { probes.append(Probe(month: month, point: point)) }
        }
        let rows = exportRows(snapshot)
        print("police data: \(rows.count) located street rows, months \(months.map(\.description).joined(separator: " ")), forces with areas \(forces.joined(separator: " "))")
        print("\(probes.count) random points inside those forces' areas (seed \(options.seed)), one month each; one client, one query at a time\n")

        // Peel's engine: the search and the JSON answer, in process.
        var engineCounts: [Int] = []
        let engine = try measure(probes) { probe in
            let result = try snapshot.search(.street, month: probe.month, in: RadiusFilter(centre: probe.point, radius: Haversine.oneMile))
            let bytes = WireFormat(snapshot).crimes(result)
            engineCounts.append(result.count)
            return bytes.count
        }
        report("Peel engine (search + JSON)", engine)
        let searchOnly = try measure(probes) { probe in
            try snapshot.search(.street, month: probe.month, in: RadiusFilter(centre: probe.point, radius: Haversine.oneMile)).count
        }
        report("Peel engine (search only)", searchOnly)
        let counts = engineCounts
        print(String(format: "    results per query: mean %.0f, max %d, empty %d of %d", Double(counts.reduce(0, +)) / Double(counts.count), counts.max() ?? 0, counts.filter { $0 == 0 }.count, counts.count))

        if let path = options.sqlite {
            let result = try await SQLiteRTree.run(path: path, rows: rows, probes: probes, expected: counts)
            report("SQLite R*Tree", result)
        }
        if let url = options.postgres {
            let result = try await PostGIS.run(url: url, rows: rows, probes: probes, expected: counts)
            report("PostGIS GiST", result)
        }
        if let base = options.baseURL {
            let connection = try await BenchConnection.connect(to: base)
            defer { connection.close() }
            // Warm the connection and the server.
            for probe in probes.prefix(50) { _ = try await connection.send(method: "GET", path: path(probe), headers: [], body: nil) }
            var failures = 0
            let http = try await measureAsync(probes) { probe in
                let response = try await connection.send(method: "GET", path: path(probe), headers: [], body: nil)
                if response.status != 200 { failures += 1 }
                return response.status
            }
            report("HTTP GET /data-api/crimes-street/all-crime (whole answer)", http)
            if failures > 0 { print("    \(failures) answers were not 200") }
        }
    }

    static func path(_ probe: Probe) -> String {
        String(format: "/data-api/crimes-street/all-crime?date=%@&lat=%.6f&lng=%.6f", probe.month.description, probe.point.latitude, probe.point.longitude)
    }

    /// Every located street row, as the SQL engines will hold it.
    static func exportRows(_ snapshot: PoliceDataSnapshot) -> [Row] {
        var rows: [Row] = []
        for month in snapshot.months(.street) {
            for segment in snapshot.segments(.street, month) {
                for row in 0..<segment.info.located {
                    var id: [UInt8] = []
                    if segment.hasBinaryID(row) { PersistentID.appendHex(segment.persistentID, row: row, to: &id) }
                    rows.append(
                        Row(
                            id: segment.apiID(row), month: month.description, latitude: Microdegrees.degrees(segment.latitude[row]),
                            longitude: Microdegrees.degrees(segment.longitude[row]),
                            category: CrimeCategory.all[Int(segment.category[row])].slug, persistentID: String(decoding: id, as: UTF8.self),
                            streetID: Int(segment.location[row]) + 1, streetName: snapshot.locations.names[snapshot.locations.name[Int(segment.location[row])]],
                            outcome: segment.text[segment.outcome[row]], force: segment.info.force))
                }
            }
        }
        return rows
    }

    struct Measurement {
        var latencies: [Double]
        var seconds: Double
        var mismatches = 0
    }

    static func measure(_ probes: [Probe], _ body: (Probe) throws -> Int) rethrows -> Measurement {
        var latencies: [Double] = []
        latencies.reserveCapacity(probes.count)
        let start = ContinuousClock.now
        for probe in probes {
            let before = ContinuousClock.now
            _ = try body(probe)
            latencies.append((ContinuousClock.now - before).seconds)
        }
        return Measurement(latencies: latencies, seconds: (ContinuousClock.now - start).seconds)
    }

    static func measureAsync(_ probes: [Probe], _ body: (Probe) async throws -> Int) async rethrows -> Measurement {
        var latencies: [Double] = []
        let start = ContinuousClock.now
        for probe in probes {
            let before = ContinuousClock.now
            _ = try await body(probe)
            latencies.append((ContinuousClock.now - before).seconds)
        }
        return Measurement(latencies: latencies, seconds: (ContinuousClock.now - start).seconds)
    }

    static func report(_ name: String, _ measurement: Measurement) {
        let sorted = measurement.latencies.sorted()
        func percentile(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1000 }
        print(
            String(
                format: "%-58@ %10.0f queries/s   p50 %8.3f ms   p99 %8.3f ms", name as NSString, Double(sorted.count) / measurement.seconds,
                percentile(0.5), percentile(0.99)))
        if measurement.mismatches > 0 { print("    \(measurement.mismatches) answers differ from the engine's count") }
    }

    /// The plain read the import is compared with: every CSV file's rows, parsed, nothing kept.
    static func csvRead(_ paths: [String]) throws {
        var files: [URL] = []
        for path in paths {
            let enumerator = FileManager.default.enumerator(at: URL(fileURLWithPath: path), includingPropertiesForKeys: nil)
            while let url = enumerator?.nextObject() as? URL {
                if url.pathExtension == "csv" { files.append(url) }
            }
        }
        let start = ContinuousClock.now
        var rows = 0
        var bytes = 0
        for file in files {
            var reader = try CSVReader(contentsOf: file)
            while try reader.next() != nil { rows += 1 }
            bytes += (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
        }
        let seconds = (ContinuousClock.now - start).seconds
        print(String(format: "plain CSV read: %d rows (headers included) from %d files, %.1f MB in %.2f s: %.0f rows/s", rows, files.count, Double(bytes) / 1e6, seconds, Double(rows) / seconds))
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// A small, fast, seeded generator (SplitMix64), so every run draws the same points.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The bounding box of a one-mile circle, in degrees, for the SQL engines' index lookups.
func boundingBox(_ point: GeoPoint) -> (minLat: Double, maxLat: Double, minLng: Double, maxLng: Double) {
    let filter = RadiusFilter(centre: point, radius: Haversine.oneMile)
    return (
        Microdegrees.degrees(filter.minLatitude), Microdegrees.degrees(filter.maxLatitude), Microdegrees.degrees(filter.minLongitude),
        Microdegrees.degrees(filter.maxLongitude)
    )
}

/// SQLite with the R*Tree module: a three-dimensional R*Tree (latitude, longitude, month) joined
/// to the crime rows, and the exact one-mile test on the rows it returns.
enum SQLiteRTree {
    static func run(path: String, rows: [PoliceDataBench.Row], probes: [PoliceDataBench.Probe], expected: [Int]) async throws
        -> PoliceDataBench.Measurement
    {
        try? FileManager.default.removeItem(atPath: path)
        let source = SQLiteConnectionSource(configuration: .init(storage: .file(path: path)), threadPool: .singleton)
        let connection = try await source.makeConnection(logger: Logger(label: "bench"), on: MultiThreadedEventLoopGroup.singleton.any()).get()
        let sql = connection.sql()
        try await sql.raw("PRAGMA journal_mode=OFF").run()
        try await sql.raw("PRAGMA synchronous=OFF").run()
        try await sql.raw(
            "CREATE TABLE crimes (id INTEGER PRIMARY KEY, month TEXT, latitude REAL, longitude REAL, category TEXT, persistent_id TEXT, street_id INTEGER, street_name TEXT, outcome TEXT, force TEXT)"
        ).run()
        try await sql.raw("CREATE VIRTUAL TABLE crimes_index USING rtree(id, min_lat, max_lat, min_lng, max_lng, min_month, max_month)").run()
        let loadStart = ContinuousClock.now
        try await sql.raw("BEGIN").run()
        for chunk in stride(from: 0, to: rows.count, by: 500) {
            let part = rows[chunk..<min(rows.count, chunk + 500)]
            var insert = SQLQueryString("INSERT INTO crimes VALUES ")
            var index = SQLQueryString("INSERT INTO crimes_index VALUES ")
            for (position, row) in part.enumerated() {
                if position > 0 {
                    insert.appendLiteral(", ")
                    index.appendLiteral(", ")
                }
                insert.appendInterpolation(
                    unsafeRaw: "(\(row.id), '\(row.month)', \(row.latitude), \(row.longitude), '\(row.category)', '\(row.persistentID)', \(row.streetID), ")
                insert.appendInterpolation(bind: row.streetName)
                insert.appendLiteral(", ")
                insert.appendInterpolation(bind: row.outcome)
                insert.appendInterpolation(unsafeRaw: ", '\(row.force)')")
                let month = Double(Month(row.month)!.ordinal)
                index.appendInterpolation(unsafeRaw: "(\(row.id), \(row.latitude), \(row.latitude), \(row.longitude), \(row.longitude), \(month), \(month))")
            }
            try await sql.raw(insert).run()
            try await sql.raw(index).run()
        }
        try await sql.raw("COMMIT").run()
        print(String(format: "SQLite: loaded %d rows with their R*Tree in %.1f s", rows.count, (ContinuousClock.now - loadStart).seconds))
        var mismatches = 0
        var measurement = try await PoliceDataBench.measureAsync(probes) { probe in
            let box = boundingBox(probe.point)
            let month = Double(probe.month.ordinal)
            let query: SQLQueryString = """
                SELECT c.id, c.month, c.latitude, c.longitude, c.category, c.persistent_id, c.street_id, c.street_name, c.outcome, c.force
                FROM crimes_index i JOIN crimes c ON c.id = i.id
                WHERE i.min_lat >= \(bind: box.minLat) AND i.max_lat <= \(bind: box.maxLat)
                  AND i.min_lng >= \(bind: box.minLng) AND i.max_lng <= \(bind: box.maxLng)
                  AND i.min_month >= \(bind: month) AND i.max_month <= \(bind: month)
                """
            let found = try await sql.raw(query).all()
            var count = 0
            for row in found {
                let point = GeoPoint(latitude: try row.decode(column: "latitude", as: Double.self), longitude: try row.decode(column: "longitude", as: Double.self))
                _ = try row.decode(column: "street_name", as: String.self)
                if Haversine.distance(probe.point, point) <= Haversine.oneMile { count += 1 }
            }
            return count
        }
        // Check the answers against the engine's (outside the timing).
        for (index, probe) in probes.enumerated().prefix(200) {
            let box = boundingBox(probe.point)
            let month = Double(probe.month.ordinal)
            let found = try await sql.raw(
                "SELECT c.latitude, c.longitude FROM crimes_index i JOIN crimes c ON c.id = i.id WHERE i.min_lat >= \(bind: box.minLat) AND i.max_lat <= \(bind: box.maxLat) AND i.min_lng >= \(bind: box.minLng) AND i.max_lng <= \(bind: box.maxLng) AND i.min_month >= \(bind: month) AND i.max_month <= \(bind: month)"
            ).all()
            let count = try found.filter {
                Haversine.distance(probe.point, GeoPoint(latitude: try $0.decode(column: "latitude", as: Double.self), longitude: try $0.decode(column: "longitude", as: Double.self))) <= Haversine.oneMile
            }.count
            if count != expected[index] { mismatches += 1 }
        }
        measurement.mismatches = mismatches
        try await connection.close().get()
        return measurement
    }
}

/// PostGIS: a `geography(Point)` column with a GiST index, `ST_DWithin` on the sphere.
enum PostGIS {
    static func run(url: String, rows: [PoliceDataBench.Row], probes: [PoliceDataBench.Probe], expected: [Int]) async throws
        -> PoliceDataBench.Measurement
    {
        let configuration = try SQLPostgresConfiguration(url: url)
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration.coreConfiguration, id: 1, logger: Logger(label: "bench"))
        let sql = connection.sql()
        try await sql.raw("CREATE EXTENSION IF NOT EXISTS postgis").run()
        try await sql.raw("DROP TABLE IF EXISTS bench_crimes").run()
        try await sql.raw(
            "CREATE TABLE bench_crimes (id BIGINT PRIMARY KEY, month TEXT NOT NULL, geog geography(Point, 4326) NOT NULL, category TEXT, persistent_id TEXT, street_id INTEGER, street_name TEXT, outcome TEXT, force TEXT)"
        ).run()
        let loadStart = ContinuousClock.now
        for chunk in stride(from: 0, to: rows.count, by: 1_000) {
            let part = rows[chunk..<min(rows.count, chunk + 1_000)]
            var insert = SQLQueryString("INSERT INTO bench_crimes VALUES ")
            for (position, row) in part.enumerated() {
                if position > 0 { insert.appendLiteral(", ") }
                insert.appendInterpolation(
                    unsafeRaw:
                        "(\(row.id), '\(row.month)', ST_SetSRID(ST_MakePoint(\(row.longitude), \(row.latitude)), 4326)::geography, '\(row.category)', '\(row.persistentID)', \(row.streetID), "
                )
                insert.appendInterpolation(bind: row.streetName)
                insert.appendLiteral(", ")
                insert.appendInterpolation(bind: row.outcome)
                insert.appendInterpolation(unsafeRaw: ", '\(row.force)')")
            }
            try await sql.raw(insert).run()
        }
        try await sql.raw("CREATE INDEX bench_crimes_geog ON bench_crimes USING GIST (geog)").run()
        try await sql.raw("CREATE INDEX bench_crimes_month ON bench_crimes (month)").run()
        try await sql.raw("ANALYZE bench_crimes").run()
        print(String(format: "PostGIS: loaded %d rows with GiST and month indexes in %.1f s", rows.count, (ContinuousClock.now - loadStart).seconds))
        var counts: [Int] = []
        var measurement = try await PoliceDataBench.measureAsync(probes) { probe in
            let query: SQLQueryString = """
                SELECT id, month, ST_Y(geog::geometry) AS latitude, ST_X(geog::geometry) AS longitude, category, persistent_id, street_id, street_name, outcome, force
                FROM bench_crimes
                WHERE month = \(bind: probe.month.description)
                  AND ST_DWithin(geog, ST_SetSRID(ST_MakePoint(\(bind: probe.point.longitude), \(bind: probe.point.latitude)), 4326)::geography, 1609.344, false)
                """
            let found = try await sql.raw(query).all()
            for row in found { _ = try row.decode(column: "street_name", as: String.self) }
            counts.append(found.count)
            return found.count
        }
        // PostGIS's sphere (6,371,008.77 m) is not exactly ours: a point within a few millimetres of
        // the mile may fall either way.
        measurement.mismatches = zip(counts, expected).filter { $0 != $1 }.count
        try await connection.close()
        return measurement
    }
}
