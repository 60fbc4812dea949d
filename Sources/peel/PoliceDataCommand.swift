import ArgumentParser
import Foundation
import PeelApp
import PeelCore
import PeelPoliceData
import PeelStore

/// `peel police-data`: importing data.police.uk archives and force boundaries.
struct PoliceDataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "police-data",
        abstract: "Import police.uk crime, outcome and stop and search data, and force boundaries.",
        subcommands: [Import.self, Boundaries.self, Neighbourhoods.self, Status.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import data.police.uk archives: folders or zips of YYYY-MM/YYYY-MM-<force>-<kind>.csv.",
            discussion: """
                Each file replaces the same month, force and kind if already imported; the import becomes
                visible all at once when it finishes, also to a running 'peel serve'. Rows that cannot be
                read are listed with their file and line and skipped; the full list is kept in
                police-data/last-import-problems.txt in the data folder.
                """)
        @OptionGroup var common: CommonOptions
        @Argument(help: "Archive folders, zip files or CSV files.") var paths: [String]
        @Flag(help: "Print only the summary and the skipped rows.") var quiet = false

        func run() async throws {
            try await runReportingFailures { () async throws -> Void in
                let folder = policeDataFolder(try loadConfiguration(common.commandLine()))
                var shown = 0
                let quiet = quiet
                let importer = PoliceDataImporter(folder: folder) { event in
                    switch event {
                    case .file(let name, let number, let total, let rows, let skipped):
                        if !quiet {
                            let note = skipped > 0 ? ", \(skipped) skipped" : ""
                            print("[\(number)/\(total)] \(name): \(rows.formatted()) rows\(note)")
                        }
                    case .problem(let problem):
                        shown += 1
                        if shown <= 100 { FileHandle.standardError.write(Data("skipped \(problem)\n".utf8)) }
                    }
                }
                let summary: ImportSummary
                do {
                    summary = try importer.run(paths: paths)
                } catch let error as PoliceDataError {
                    throw StartupError(error.description)
                }
                let report = folder.appendingPathComponent("last-import-problems.txt")
                try summary.problems.map(\.description).joined(separator: "\n").appending(summary.problems.isEmpty ? "" : "\n")
                    .write(to: report, atomically: true, encoding: .utf8)
                if summary.problems.count > 100 {
                    FileHandle.standardError.write(Data("… and \(summary.problems.count - 100) more; all are listed in \(report.path)\n".utf8))
                }
                let rate = summary.seconds > 0 ? Int(Double(summary.rows) / summary.seconds) : 0
                let months = summary.months
                print(
                    "Imported \(summary.rows.formatted()) rows from \(summary.files) files"
                        + (months.isEmpty ? "" : " (\(months.first!)…\(months.last!))")
                        + " in \(String(format: "%.2f", summary.seconds)) s (\(rate.formatted()) rows/s); "
                        + "\(summary.problems.count) problems reported.")
            }
        }
    }

    struct Boundaries: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Force area boundaries.", subcommands: [ImportBoundaries.self])
    }

    struct ImportBoundaries: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Load force area boundaries from a GeoJSON file (such as the ONS Police Force Areas), replacing those loaded.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "A GeoJSON FeatureCollection of force areas.") var file: String

        func run() async throws {
            try await runReportingFailures { () async throws -> Void in
                let folder = policeDataFolder(try loadConfiguration(common.commandLine()))
                let data: Data
                do {
                    data = try Data(contentsOf: URL(fileURLWithPath: file))
                } catch {
                    throw StartupError("cannot read \(file)")
                }
                do {
                    let (areas, problems) = try ForceAreas.parse(geoJSON: data)
                    for problem in problems { FileHandle.standardError.write(Data("skipped \(file): \(problem)\n".utf8)) }
                    guard !areas.isEmpty else { throw StartupError("\(file) holds no usable force areas") }
                    try ForceAreas.store(areas, in: folder)
                    print("Loaded \(areas.count) force areas: \(areas.map(\.force).sorted().joined(separator: ", ")).")
                } catch let error as PoliceDataError {
                    throw StartupError("\(file): \(error.description)")
                }
            }
        }
    }

    struct Neighbourhoods: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A force's neighbourhoods: name, boundary, team, priorities, events and contact details.",
            subcommands: [ImportNeighbourhoods.self])
    }

    struct ImportNeighbourhoods: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Add or replace a force's neighbourhoods from a GeoJSON file (see docs/police-data.md for its properties).")
        @OptionGroup var common: CommonOptions
        @Option(help: "The force id (for example leicestershire).") var force: String
        @Argument(help: "A GeoJSON FeatureCollection, one Polygon feature per neighbourhood.") var file: String

        func run() async throws {
            try await runReportingFailures { () async throws -> Void in
                guard let id = ForceID(validating: force) else { throw StartupError("'\(force)' is not a force id") }
                guard let data = FileManager.default.contents(atPath: file) else { throw StartupError("cannot read \(file)") }
                let parsed: (neighbourhoods: [Neighbourhood], problems: [String])
                do {
                    parsed = try NeighbourhoodFile.parse(data, force: id)
                } catch let error as PoliceDataError {
                    throw StartupError("\(file): \(error.description)")
                }
                for problem in parsed.problems { FileHandle.standardError.write(Data("skipped \(file): \(problem)\n".utf8)) }
                try await withStore(common) { store in
                    guard try await store.forces.find(id) != nil else {
                        throw StartupError("there is no force with id '\(force)'. Run 'peel forces list' to see them.")
                    }
                    for neighbourhood in parsed.neighbourhoods { try await store.neighbourhoods.save(neighbourhood, at: Date()) }
                }
                print("Saved \(parsed.neighbourhoods.count) neighbourhoods for \(id); \(parsed.problems.count) skipped.")
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the imported months, forces and row counts.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            try await runReportingFailures { () async throws -> Void in
                let folder = policeDataFolder(try loadConfiguration(common.commandLine()))
                let snapshot: PoliceDataSnapshot
                do {
                    snapshot = try PoliceData(folder: folder).snapshot()
                } catch let error as PoliceDataError {
                    throw StartupError(error.description)
                }
                let segments = snapshot.manifest.segments.sorted { ($0.month, $0.kind.rawValue, $0.force) < ($1.month, $1.kind.rawValue, $1.force) }
                guard !segments.isEmpty else {
                    print("No police data imported in \(folder.path).")
                    return
                }
                for segment in segments {
                    print("\(segment.month)  \(segment.kind.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0))\(segment.force.padding(toLength: 22, withPad: " ", startingAt: 0))\(segment.rows.formatted()) rows")
                }
                print("\(snapshot.locations.count.formatted()) locations; force areas: \(snapshot.forceAreas?.areas.count ?? 0)")
            }
        }
    }
}
