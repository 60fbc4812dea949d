import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The list of what is imported: written last by every import, through a temporary file and a
/// rename, so readers switch from one complete set of files to the next in one step.
package struct Manifest: Codable, Sendable {
    package var format = 1
    package var generation = 0
    package var nextID: Int64 = 1
    package var locations: String?
    package var segments: [SegmentInfo] = []
    package var importedAt: String?

    package init() {}

    static let fileName = "manifest.json"

    static func read(from folder: URL) throws -> Manifest {
        let url = folder.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return Manifest() }
        do {
            return try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: url))
        } catch {
            throw PoliceDataError.storage("the police data manifest \(url.path) cannot be read: \(error)")
        }
    }

    func write(to folder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let url = folder.appendingPathComponent(Self.fileName)
        let temporary = folder.appendingPathComponent(".\(Self.fileName).\(UUID().uuidString).tmp")
        try encoder.encode(self).write(to: temporary)
        try syncFile(temporary)
        guard rename(temporary.path, url.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw PoliceDataError.storage("cannot replace the police data manifest: \(String(cString: strerror(errno)))")
        }
        try syncFile(folder)
    }
}

/// Everything imported, as one consistent set of open files.
package final class PoliceDataSnapshot: Sendable {
    package let manifest: Manifest
    package let locations: LocationRegistry
    /// Segments by kind, then month; each month's list is in force order.
    package let segments: [SegmentKind: [Month: [Segment]]]
    /// Street months, newest first.
    package let streetMonths: [Month]
    package let forceAreas: ForceAreas?

    init(folder: URL) throws {
        manifest = try Manifest.read(from: folder)
        locations = try LocationRegistry(url: manifest.locations.map { folder.appendingPathComponent($0) })
        var segments: [SegmentKind: [Month: [Segment]]] = [:]
        for info in manifest.segments.sorted(by: { ($0.force, $0.month) < ($1.force, $1.month) }) {
            let segment = try Segment(info: info, url: folder.appendingPathComponent(info.file))
            segments[info.kind, default: [:]][info.month, default: []].append(segment)
        }
        self.segments = segments
        streetMonths = (segments[.street] ?? [:]).keys.sorted(by: >)
        let areas = folder.appendingPathComponent(ForceAreas.fileName)
        forceAreas = FileManager.default.fileExists(atPath: areas.path) ? try ForceAreas(url: areas) : nil
    }

    /// An empty snapshot, for a data folder with nothing imported.
    package static func empty() -> PoliceDataSnapshot {
        // A folder that does not exist has no manifest, so this cannot fail.
        try! PoliceDataSnapshot(folder: URL(fileURLWithPath: "/nonexistent-peel-police-data"))
    }

    package func segments(_ kind: SegmentKind, _ month: Month) -> [Segment] { segments[kind]?[month] ?? [] }

    package var latestMonth: Month? { streetMonths.first }

    /// Months with any data of `kind`, newest first.
    package func months(_ kind: SegmentKind) -> [Month] { (segments[kind] ?? [:]).keys.sorted(by: >) }
}

/// Peel's police data: the folder the importer writes and the snapshot queries read.
///
/// A running server notices a finished import by the manifest changing, checked at most once a
/// second, and swaps to the new snapshot; queries already running keep the old one, whose files
/// stay mapped until the last of them finishes.
package final class PoliceData: Sendable {
    package let folder: URL
    private struct State {
        var snapshot: PoliceDataSnapshot
        var signature: String
        var checkedAt: ContinuousClock.Instant
    }
    private let state: Mutex<State>

    /// Opens the police data in `folder` (the data folder's `police-data/`), creating it if needed.
    package init(folder: URL) throws {
        self.folder = folder
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let signature = Self.signature(folder)
        state = Mutex(State(snapshot: try PoliceDataSnapshot(folder: folder), signature: signature, checkedAt: .now))
    }

    /// The current snapshot, reloaded first if an import has finished since the last look.
    package func snapshot() -> PoliceDataSnapshot {
        let now = ContinuousClock.now
        let (current, stale) = state.withLock { state -> (PoliceDataSnapshot, Bool) in
            guard now - state.checkedAt >= .seconds(1) else { return (state.snapshot, false) }
            state.checkedAt = now
            return (state.snapshot, true)
        }
        guard stale else { return current }
        return (try? reload()) ?? current
    }

    /// Reloads now if the manifest has changed.
    @discardableResult
    package func reload() throws -> PoliceDataSnapshot {
        let signature = Self.signature(folder)
        if let unchanged = state.withLock({ $0.signature == signature ? $0.snapshot : nil }) { return unchanged }
        let fresh = try PoliceDataSnapshot(folder: folder)
        state.withLock {
            $0.snapshot = fresh
            $0.signature = signature
            $0.checkedAt = .now
        }
        return fresh
    }

    private static func signature(_ folder: URL) -> String {
        [Manifest.fileName, ForceAreas.fileName].map { name in
            var status = stat()
            guard stat(folder.appendingPathComponent(name).path, &status) == 0 else { return "none" }
            #if canImport(Darwin)
                let modified = status.st_mtimespec
            #else
                let modified = status.st_mtim
            #endif
            return "\(status.st_ino)-\(status.st_size)-\(modified.tv_sec)-\(modified.tv_nsec)"
        }.joined(separator: "/")
    }
}
