import Foundation
import PeelPoliceData
import Testing

/// A scratch archive and police data folder for one test.
struct ScratchArchive {
    let root: URL
    var archive: URL { root.appendingPathComponent("archive") }
    var store: URL { root.appendingPathComponent("police-data") }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("peel-police-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    /// Writes `YYYY-MM/name` in the archive folder.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> URL {
        let month = String(name.prefix(7))
        let folder = archive.appendingPathComponent(month)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    func importArchive(_ paths: [String]? = nil) throws -> ImportSummary {
        try PoliceDataImporter(folder: store).run(paths: paths ?? [archive.path])
    }
}

let streetHeader = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context"
let crimeA = "aa" + String(repeating: "0", count: 61) + "1"
let crimeB = "bb" + String(repeating: "0", count: 61) + "2"

@Suite("Importing archives")
struct ImporterTests {
    @Test("archive quirks: CRLF, empty crime ids, No Location rows, old names; bad rows are reported with file and line")
    func quirks() throws {
        let scratch = try ScratchArchive()
        defer { scratch.remove() }
        try scratch.write(
            "2024-01-leicestershire-street.csv",
            [
                streetHeader,
                "\(crimeA),2024-01,Leicestershire Police,Leicestershire Police,-1.132503,52.629831,On or near Marquis Street,E01034020,Leicester 040F,Other theft,Unable to prosecute suspect,",
                ",2024-01,Leicestershire Police,Leicestershire Police,-1.209332,52.626530,On or near Packer Avenue,E01025633,Blaby 002C,Anti-social behaviour,,",
                "\(crimeB),2024-01,Leicestershire Police,Leicestershire Police,,,No Location,,,Violent crime,Investigation complete; no suspect identified,",
                "x,2024-01,Leicestershire Police,Leicestershire Police,-1.1,52.6,On or near Somewhere,,,Made-up crime,,",
                "x,2024-01,Leicestershire Police,Leicestershire Police,-1.1,north,On or near Somewhere,,,Burglary,,",
                "x,2024-02,Leicestershire Police,Leicestershire Police,-1.1,52.6,On or near Somewhere,,,Burglary,,",
                "too,few,fields",
            ].joined(separator: "\r\n") + "\r\n")
        let summary = try scratch.importArchive()
        #expect(summary.rows == 3)
        let file = scratch.archive.appendingPathComponent("2024-01/2024-01-leicestershire-street.csv").path
        #expect(summary.problems.map(\.line) == [5, 6, 7, 8])
        #expect(summary.problems.allSatisfy { $0.file == file })
        #expect(summary.problems[0].reason.contains("Made-up crime"))
        #expect(summary.problems[2].reason.contains("2024-02"))

        let snapshot = try PoliceData(folder: scratch.store).snapshot()
        let month = Month("2024-01")!
        let near = RadiusFilter(centre: GeoPoint(latitude: 52.629831, longitude: -1.132503), radius: Haversine.oneMile)
        let found = try snapshot.search(.street, month: month, in: near)
        #expect(found.count == 1)
        let json = try JSONSerialization.jsonObject(with: Data(WireFormat(snapshot).crimes(found))) as! [[String: Any]]
        #expect(json[0]["persistent_id"] as? String == crimeA)
        #expect(json[0]["category"] as? String == "other-theft")
        #expect((json[0]["location"] as? [String: Any])?["latitude"] as? String == "52.629831")

        let unlocated = snapshot.rowsWithoutLocation(.street, month: month, force: "leicestershire")
        let noLocation = try JSONSerialization.jsonObject(with: Data(WireFormat(snapshot).crimes(unlocated))) as! [[String: Any]]
        #expect(noLocation.count == 1)
        #expect(noLocation[0]["category"] as? String == "violent-crime")
        #expect(noLocation[0]["location"] is NSNull)
        #expect(noLocation[0]["location_type"] is NSNull)

        let wide = RadiusFilter(centre: GeoPoint(latitude: 52.626530, longitude: -1.209332), radius: 100)
        let asb = try JSONSerialization.jsonObject(with: Data(WireFormat(snapshot).crimes(try snapshot.search(.street, month: month, in: wide)))) as! [[String: Any]]
        #expect(asb.count == 1)
        #expect(asb[0]["persistent_id"] as? String == "")
        #expect(asb[0]["outcome_status"] is NSNull)
    }

    @Test("columns in another order and LF endings read the same")
    func columnOrder() throws {
        let scratch = try ScratchArchive()
        defer { scratch.remove() }
        try scratch.write(
            "2024-01-norfolk-street.csv",
            """
            Crime type,Latitude,Longitude,Location,Month,Crime ID,Last outcome category
            Burglary,52.6,1.3,On or near High Street,2024-01,\(crimeA),Under investigation

            """)
        let summary = try scratch.importArchive()
        #expect(summary.rows == 1)
        #expect(summary.problems.isEmpty)
        let snapshot = try PoliceData(folder: scratch.store).snapshot()
        let found = try snapshot.search(.street, month: Month("2024-01")!, in: RadiusFilter(centre: GeoPoint(latitude: 52.6, longitude: 1.3), radius: 10))
        #expect(found.count == 1)
    }

    @Test("importing a month again replaces it whole; other months and forces stay")
    func reimport() throws {
        let scratch = try ScratchArchive()
        defer { scratch.remove() }
        let row = { (id: String, month: String) in
            "\(id),\(month),Norfolk Constabulary,Norfolk Constabulary,1.3,52.6,On or near High Street,,,Burglary,,"
        }
        try scratch.write("2024-01-norfolk-street.csv", [streetHeader, row(crimeA, "2024-01"), row(crimeB, "2024-01")].joined(separator: "\n"))
        try scratch.write("2024-02-norfolk-street.csv", [streetHeader, row(crimeA, "2024-02")].joined(separator: "\n"))
        _ = try scratch.importArchive()
        let data = try PoliceData(folder: scratch.store)
        let point = RadiusFilter(centre: GeoPoint(latitude: 52.6, longitude: 1.3), radius: 10)
        #expect(try data.snapshot().search(.street, month: Month("2024-01")!, in: point).count == 2)
        let streetIDBefore = try data.snapshot().search(.street, month: Month("2024-01")!, in: point).rows.count

        let second = try ScratchArchive()
        defer { second.remove() }
        let replacement = try second.write("2024-01-norfolk-street.csv", [streetHeader, row(crimeB, "2024-01")].joined(separator: "\n"))
        _ = try PoliceDataImporter(folder: scratch.store).run(paths: [replacement.path])
        let after = try data.reload()
        #expect(try after.search(.street, month: Month("2024-01")!, in: point).count == 1)
        #expect(try after.search(.street, month: Month("2024-02")!, in: point).count == 1)
        #expect(streetIDBefore == 2)
        // Old generations' files are gone; only what the manifest names is left.
        let files = try FileManager.default.contentsOfDirectory(atPath: scratch.store.path).filter { $0.hasSuffix(".col") }
        #expect(Set(files) == Set(after.manifest.segments.map(\.file) + [after.manifest.locations!]))
    }

    @Test("a snap point keeps its street id across imports")
    func stableStreetIDs() throws {
        let scratch = try ScratchArchive()
        defer { scratch.remove() }
        let line = "\(crimeA),2024-01,Norfolk Constabulary,Norfolk Constabulary,1.3,52.6,On or near High Street,,,Burglary,,"
        try scratch.write("2024-01-norfolk-street.csv", streetHeader + "\n" + line)
        _ = try scratch.importArchive()
        let first = try PoliceData(folder: scratch.store).snapshot().locations.count
        try scratch.write("2024-02-norfolk-street.csv", streetHeader + "\n" + line.replacingOccurrences(of: "2024-01", with: "2024-02"))
        _ = try scratch.importArchive()
        #expect(try PoliceData(folder: scratch.store).snapshot().locations.count == first)
    }

    @Test("zip archives are read like folders")
    func zip() throws {
        let scratch = try ScratchArchive()
        defer { scratch.remove() }
        try scratch.write("2024-01-norfolk-street.csv", streetHeader + "\n\(crimeA),2024-01,N,N,1.3,52.6,On or near High Street,,,Burglary,,\n")
        let zip = scratch.root.appendingPathComponent("archive.zip")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/zip")
        process.currentDirectoryURL = scratch.archive
        process.arguments = ["-qr", zip.path, "2024-01"]
        try process.run()
        process.waitUntilExit()
        let summary = try scratch.importArchive([zip.path])
        #expect(summary.rows == 1)
    }

    @Test("files whose names are not archive names are reported, not guessed")
    func unknownNames() throws {
        let scratch = try ScratchArchive()
        defer { scratch.remove() }
        try scratch.write("2024-01-norfolk-street.csv", streetHeader + "\n\(crimeA),2024-01,N,N,1.3,52.6,On or near High Street,,,Burglary,,\n")
        try scratch.write("2024-01-notes.csv", "a,b\n")
        let summary = try scratch.importArchive()
        #expect(summary.rows == 1)
        #expect(summary.problems.count == 1)
        #expect(summary.problems[0].file.hasSuffix("2024-01-notes.csv"))
    }

    @Test("stop and search: booleans, empty outcomes, no coordinates")
    func stops() throws {
        let scratch = try ScratchArchive()
        defer { scratch.remove() }
        try scratch.write(
            "2019-06-city-of-london-stop-and-search.csv",
            """
            Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,Age range,Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,Outcome,Outcome linked to object of search,Removal of more than just outer clothing
            Person search,2019-06-01T05:25:52+00:00,,,51.514203,-0.094628,Male,over 34,Other ethnic group - Any other ethnic group,Black,Police and Criminal Evidence Act 1984 (section 1),Stolen goods,Arrest,True,False
            Vehicle search,2019-06-02T10:00:00+00:00,False,,,,,,,,Misuse of Drugs Act 1971 (section 23),Controlled drugs,,,
            Person search,2019-06-03T10:00:00+00:00,Maybe,,,,,,,,,,,,

            """)
        let summary = try scratch.importArchive()
        #expect(summary.rows == 2)
        #expect(summary.problems.map(\.line) == [4])
        let snapshot = try PoliceData(folder: scratch.store).snapshot()
        let month = Month("2019-06")!
        let all = try JSONSerialization.jsonObject(with: Data(WireFormat(snapshot).stops(snapshot.rows(.stops, month: month, force: "city-of-london")))) as! [[String: Any]]
        #expect(all.count == 2)
        #expect(all[0]["outcome_linked_to_object_of_search"] as? Bool == true)
        #expect(all[0]["removal_of_more_than_outer_clothing"] as? Bool == false)
        #expect(all[0]["operation"] is NSNull)
        #expect((all[0]["outcome_object"] as? [String: String])?["id"] == "bu-arrest")
        #expect((all[0]["location"] as? [String: Any])?["latitude"] as? String == "51.514203")
        #expect(all[1]["involved_person"] as? Bool == false)
        #expect(all[1]["outcome"] as? String == "")
        #expect(all[1]["operation"] as? Bool == false)
        #expect(all[1]["location"] is NSNull)
        #expect(all[1]["gender"] is NSNull)
    }
}
