import Foundation
import PeelPoliceData
import Testing

/// The real data.police.uk archives in the shared data folder, read in place (Open Government
/// Licence v3.0: "Contains public sector information licensed under the Open Government Licence
/// v3.0.").
package enum SharedPoliceArchives {
    package static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/data/policeuk").standardized

    package static var available: Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent("archive-2024").path)
    }

    /// archive-2024, the City of London 2016-17 archive (the one with outcomes) and 2018-20
    /// (stop and search with coordinates), imported once for the whole test run.
    package static let folder: URL? = {
        guard available else { return nil }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("peel-police-shared-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        do {
            _ = try PoliceDataImporter(folder: folder).run(paths: [
                root.appendingPathComponent("archive-2024").path,
                root.appendingPathComponent("archive-city-of-london-2016-2017").path,
                root.appendingPathComponent("archive-2018-2020").path,
            ])
            let areas = try ForceAreas.parse(geoJSON: Data(contentsOf: root.appendingPathComponent("boundaries/police_force_areas_2020_ew.geojson")))
            try ForceAreas.store(areas.areas, in: folder)
            return folder
        } catch {
            Issue.record("importing the shared archives failed: \(error)")
            return nil
        }
    }()

    package static let imported: PoliceData? = folder.flatMap { try? PoliceData(folder: $0) }
}
