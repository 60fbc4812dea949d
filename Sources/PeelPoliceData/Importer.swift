import Foundation
import PeelCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A row the importer skipped, and why: the file and line let someone find and fix it.
package struct ImportProblem: Sendable, CustomStringConvertible, Equatable {
    package let file: String
    package let line: Int
    package let reason: String
    package var description: String { line > 0 ? "\(file):\(line): \(reason)" : "\(file): \(reason)" }
}

/// What the importer reports as it goes.
package enum ImportEvent: Sendable {
    /// A file was read: its name, its position in the import, how many files, rows kept and skipped.
    case file(name: String, number: Int, of: Int, rows: Int, skipped: Int)
    case problem(ImportProblem)
}

/// The outcome of an import.
package struct ImportSummary: Sendable {
    package var files = 0
    package var rows = 0
    package var skipped = 0
    package var bytes = 0
    package var segments: [SegmentInfo] = []
    package var problems: [ImportProblem] = []
    package var seconds = 0.0

    package var months: [Month] { Array(Set(segments.map(\.month))).sorted() }
}

/// Reads data.police.uk archives (folders or zips laid out as `YYYY-MM/YYYY-MM-<force>-<kind>.csv`)
/// into Peel's column files.
///
/// Each archive file becomes one segment (kind, month, force). An import writes all its new
/// segments, then the manifest in one rename: a month imported again is replaced whole, and a
/// reader never sees half an import. A row that cannot be read is reported with its file and
/// line and skipped; the rest of the file is kept.
package struct PoliceDataImporter {
    package let folder: URL
    package var progress: (ImportEvent) -> Void

    package init(folder: URL, progress: @escaping (ImportEvent) -> Void = { _ in }) {
        self.folder = folder
        self.progress = progress
    }

    /// An archive file found by name.
    struct ArchiveFile {
        let url: URL
        let month: Month
        let force: String
        let kind: SegmentKind
        var name: String { url.lastPathComponent }
    }

    package func run(paths: [String]) throws -> ImportSummary {
        let started = ContinuousClock.now
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let lock = try ImportLock(folder: folder)
        defer { lock.release() }

        var summary = ImportSummary()
        var temporaryFolders: [URL] = []
        defer { for folder in temporaryFolders { try? FileManager.default.removeItem(at: folder) } }
        var found: [String: ArchiveFile] = [:]
        for path in paths {
            for url in try csvFiles(at: URL(fileURLWithPath: path), temporaryFolders: &temporaryFolders) {
                guard let file = Self.classify(url) else {
                    report(ImportProblem(file: url.path, line: 0, reason: "not an archive file name (YYYY-MM-<force>-street|outcomes|stop-and-search.csv); skipped"), &summary)
                    continue
                }
                let key = "\(file.kind.rawValue)/\(file.month)/\(file.force)"
                if let earlier = found[key] {
                    report(ImportProblem(file: earlier.url.path, line: 0, reason: "also given as \(url.path); the later one is imported"), &summary)
                }
                found[key] = file
            }
        }
        guard !found.isEmpty else {
            throw PoliceDataError.input("no archive CSV files found in \(paths.joined(separator: ", "))")
        }

        var manifest = try Manifest.read(from: folder)
        let current = try PoliceDataSnapshot(folder: folder)
        var registry = RegistryBuilder(current.locations)
        let generation = manifest.generation + 1
        // Outcomes first, so each crime's latest outcome month is known when its month is built.
        let order: [SegmentKind] = [.outcomes, .street, .stops]
        let files = found.values.sorted { (order.firstIndex(of: $0.kind)!, $0.month, $0.force) < (order.firstIndex(of: $1.kind)!, $1.month, $1.force) }
        var latestOutcome: [[UInt8]: Int32] = [:]
        var written: [SegmentInfo] = []
        for (number, file) in files.enumerated() {
            let bytes = try Array(Data(contentsOf: file.url))
            summary.bytes += bytes.count
            var reader = CSVReader(bytes: bytes)
            let problemsBefore = summary.problems.count
            var segment = SegmentBuilder(kind: file.kind)
            do {
                try read(file, &reader, into: &segment, registry: &registry, latestOutcome: &latestOutcome, summary: &summary)
            } catch let error as CSVError {
                report(ImportProblem(file: file.url.path, line: error.line, reason: error.reason + "; the rest of the file is skipped"), &summary)
            }
            if file.kind == .street {
                segment.fillOutcomeMonths(latestOutcome, existing: current)
            }
            let name = "\(file.kind.rawValue)-\(file.month)-\(file.force)-g\(generation).col"
            var info = SegmentInfo(
                kind: file.kind, month: file.month, force: file.force, file: name, rows: segment.count, located: 0,
                baseID: manifest.nextID)
            info.located = try segment.write(to: folder.appendingPathComponent(name))
            manifest.nextID += Int64(segment.count)
            written.append(info)
            summary.files += 1
            summary.rows += segment.count
            progress(.file(name: file.name, number: number + 1, of: files.count, rows: segment.count, skipped: summary.problems.count - problemsBefore))
        }

        if registry.changed || manifest.locations == nil {
            let name = "locations-g\(generation).col"
            try registry.write(to: folder.appendingPathComponent(name))
            manifest.locations = name
        }
        let replaced = Set(written.map { "\($0.kind.rawValue)/\($0.month)/\($0.force)" })
        manifest.segments = manifest.segments.filter { !replaced.contains("\($0.kind.rawValue)/\($0.month)/\($0.force)") } + written
        manifest.generation = generation
        manifest.importedAt = Date().formatted(.iso8601)
        try manifest.write(to: folder)
        removeUnreferenced(manifest)

        summary.segments = written
        summary.seconds = (ContinuousClock.now - started).timeInterval
        return summary
    }

    private func report(_ problem: ImportProblem, _ summary: inout ImportSummary) {
        summary.problems.append(problem)
        progress(.problem(problem))
    }

    /// Reads one archive file's rows into `segment`.
    private func read(
        _ file: ArchiveFile, _ reader: inout CSVReader, into segment: inout SegmentBuilder, registry: inout RegistryBuilder,
        latestOutcome: inout [[UInt8]: Int32], summary: inout ImportSummary
    ) throws {
        guard let (_, headerFields) = try reader.next() else {
            report(ImportProblem(file: file.url.path, line: 1, reason: "the file is empty"), &summary)
            return
        }
        let header = CSVHeader(headerFields)
        let columns: [String]
        switch file.kind {
        case .street:
            columns = ["Crime ID", "Month", "Longitude", "Latitude", "Location", "Crime type", "Last outcome category", "Context"]
        case .outcomes:
            columns = ["Crime ID", "Month", "Longitude", "Latitude", "Location", "Outcome type"]
        case .stops:
            columns = [
                "Type", "Date", "Part of a policing operation", "Policing operation", "Latitude", "Longitude", "Gender",
                "Age range", "Self-defined ethnicity", "Officer-defined ethnicity", "Legislation", "Object of search", "Outcome",
                "Outcome linked to object of search", "Removal of more than just outer clothing",
            ]
        }
        // Context and the stop and search extras are optional: older files lack some of them.
        let optional: Set<String> = [
            "Context", "Policing operation", "Part of a policing operation", "Self-defined ethnicity",
            "Outcome linked to object of search", "Removal of more than just outer clothing", "Last outcome category",
        ]
        var positions: [Int?] = []
        for name in columns {
            let position = header.index(name)
            if position == nil, !optional.contains(name) {
                report(ImportProblem(file: file.url.path, line: 1, reason: "no '\(name)' column; the file is skipped"), &summary)
                return
            }
            positions.append(position)
        }
        var ordinal: UInt32 = 0
        while let (line, fields) = try reader.next() {
            guard fields.count == headerFields.count else {
                report(ImportProblem(file: file.url.path, line: line, reason: "\(fields.count) fields where the header has \(headerFields.count)"), &summary)
                continue
            }
            func field(_ index: Int) -> String { positions[index].map { fields[$0] } ?? "" }
            let problem: String?
            switch file.kind {
            case .street:
                problem = segment.addCrime(
                    month: file.month, fields: field, ordinal: ordinal, registry: &registry)
            case .outcomes:
                problem = segment.addOutcome(month: file.month, fields: field, ordinal: ordinal, registry: &registry, latest: &latestOutcome)
            case .stops:
                problem = segment.addStop(month: file.month, fields: field, ordinal: ordinal, registry: &registry)
            }
            if let problem {
                report(ImportProblem(file: file.url.path, line: line, reason: problem), &summary)
            } else {
                ordinal += 1
            }
        }
    }

    /// The CSV files at `url`: the file itself, every CSV below a folder, or every CSV in a zip.
    private func csvFiles(at url: URL, temporaryFolders: inout [URL]) throws -> [URL] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw PoliceDataError.input("\(url.path) does not exist")
        }
        if isDirectory.boolValue {
            guard let enumerator = FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil) else { return [] }
            var found: [URL] = []
            for case let item as URL in enumerator {
                let name = item.lastPathComponent.lowercased()
                if name.hasSuffix(".csv") { found.append(item) }
                if name.hasSuffix(".zip") { found += try csvFiles(at: item, temporaryFolders: &temporaryFolders) }
            }
            return found.sorted { $0.path < $1.path }
        }
        if url.pathExtension.lowercased() == "zip" {
            let target = FileManager.default.temporaryDirectory.appendingPathComponent("peel-police-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            temporaryFolders.append(target)
            let unzip = Process()
            unzip.executableURL = URL(fileURLWithPath: "/usr/bin/unzip")
            unzip.arguments = ["-qq", "-o", url.path, "*.csv", "-d", target.path]
            unzip.standardOutput = FileHandle.nullDevice
            unzip.standardError = FileHandle.nullDevice
            do {
                try unzip.run()
            } catch {
                throw PoliceDataError.input("cannot open \(url.lastPathComponent): /usr/bin/unzip is needed for zip archives")
            }
            unzip.waitUntilExit()
            // 11: no CSV files matched; anything else but 0 is a damaged or unreadable zip.
            guard unzip.terminationStatus == 0 || unzip.terminationStatus == 11 else {
                throw PoliceDataError.input("\(url.path) is not a readable zip archive (unzip status \(unzip.terminationStatus))")
            }
            return try csvFiles(at: target, temporaryFolders: &temporaryFolders)
        }
        return [url]
    }

    /// Recognises `YYYY-MM-<force>-street.csv`, `-outcomes.csv` and `-stop-and-search.csv`.
    static func classify(_ url: URL) -> ArchiveFile? {
        let name = url.lastPathComponent.lowercased()
        guard name.hasSuffix(".csv"), name.count > 12, let month = Month(name.prefix(7)), name.dropFirst(7).first == "-" else { return nil }
        let rest = name.dropFirst(8).dropLast(4)
        for kind in [SegmentKind.stops, .outcomes, .street] where rest.hasSuffix("-" + kind.rawValue) {
            let force = String(rest.dropLast(kind.rawValue.count + 1))
            guard !force.isEmpty, force.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }) else { return nil }
            return ArchiveFile(url: url, month: month, force: force, kind: kind)
        }
        return nil
    }

    private func removeUnreferenced(_ manifest: Manifest) {
        let keep = Set(manifest.segments.map(\.file) + [manifest.locations].compactMap { $0 })
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name.hasSuffix(".col") && !keep.contains(name) {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }
}

/// One import at a time per folder.
struct ImportLock {
    let descriptor: Int32

    init(folder: URL) throws {
        descriptor = open(folder.appendingPathComponent(".import.lock").path, O_RDWR | O_CREAT, 0o644)
        guard descriptor >= 0 else { throw PoliceDataError.storage("cannot create the import lock in \(folder.path)") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw PoliceDataError.storage("another import is running in \(folder.path); wait for it to finish")
        }
    }

    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

/// The snap-point registry as an import adds to it.
struct RegistryBuilder {
    struct Key: Hashable {
        let latitude: Int32
        let longitude: Int32
        let name: UInt32
    }
    var latitude: [Int32] = []
    var longitude: [Int32] = []
    var name: [UInt32] = []
    var names = StringTableBuilder()
    var index: [Key: UInt32] = [:]
    var changed = false
    /// For snapping stop and search points: registry entries by grid cell.
    var cells: [Int64: [UInt32]]?

    init(_ existing: LocationRegistry) {
        latitude.reserveCapacity(existing.count)
        for entry in 0..<existing.count {
            _ = id(latitude: existing.latitude[entry], longitude: existing.longitude[entry], name: existing.names[existing.name[entry]])
        }
        changed = false
    }

    mutating func id(latitude lat: Int32, longitude lng: Int32, name text: String) -> UInt32 {
        let key = Key(latitude: lat, longitude: lng, name: names.number(text))
        if let known = index[key] { return known }
        let number = UInt32(latitude.count)
        latitude.append(lat)
        longitude.append(lng)
        name.append(key.name)
        index[key] = number
        cells?[Self.cellKey(lat, lng), default: []].append(number)
        changed = true
        return number
    }

    static func cellKey(_ lat: Int32, _ lng: Int32) -> Int64 { Int64(Grid.cell(lat)) << 32 | Int64(UInt32(bitPattern: Grid.cell(lng))) }

    /// The registry entry nearest to a point within `limit` metres, or a new nameless one.
    mutating func snap(latitude lat: Int32, longitude lng: Int32, limit: Double = 500) -> UInt32 {
        if cells == nil {
            var built: [Int64: [UInt32]] = [:]
            for entry in latitude.indices { built[Self.cellKey(latitude[entry], longitude[entry]), default: []].append(UInt32(entry)) }
            cells = built
        }
        let point = GeoPoint(latitude: Microdegrees.degrees(lat), longitude: Microdegrees.degrees(lng))
        var best: (UInt32, Double)?
        let y = Grid.cell(lat)
        let x = Grid.cell(lng)
        for dy in -1...1 {
            for dx in -1...1 {
                for entry in cells?[Int64(y + Int32(dy)) << 32 | Int64(UInt32(bitPattern: x + Int32(dx)))] ?? [] {
                    let distance = Haversine.distance(
                        point,
                        GeoPoint(latitude: Microdegrees.degrees(latitude[Int(entry)]), longitude: Microdegrees.degrees(longitude[Int(entry)])))
                    if distance <= limit, distance < best?.1 ?? .infinity { best = (entry, distance) }
                }
            }
        }
        return best?.0 ?? id(latitude: lat, longitude: lng, name: "")
    }

    func write(to url: URL) throws {
        var writer = ColumnFileWriter()
        writer.add("lat", latitude)
        writer.add("lng", longitude)
        writer.add("name", name)
        writer.add("names", strings: names)
        try writer.write(to: url)
    }
}
