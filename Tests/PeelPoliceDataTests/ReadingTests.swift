import Foundation
import PeelPoliceData
import Testing

@Suite("Reading archive CSV")
struct CSVReaderTests {
    func records(_ text: String) throws -> [[String]] {
        var reader = CSVReader(bytes: Array(text.utf8))
        var rows: [[String]] = []
        while let (_, fields) = try reader.next() { rows.append(fields) }
        return rows
    }

    @Test("CRLF and LF line endings read the same")
    func lineEndings() throws {
        #expect(try records("a,b\r\n1,2\r\n") == [["a", "b"], ["1", "2"]])
        #expect(try records("a,b\n1,2\n") == [["a", "b"], ["1", "2"]])
        #expect(try records("a,b\n1,2") == [["a", "b"], ["1", "2"]])
    }

    @Test("quoted fields keep commas, doubled quotes and line breaks; empty fields stay empty")
    func quoting() throws {
        #expect(try records("x,\"On or near \"\"The\"\" Street, Leicester\",\n") == [["x", "On or near \"The\" Street, Leicester", ""]])
        #expect(try records("\"a\nb\",c\n") == [["a\nb", "c"]])
        #expect(try records(",,\n") == [["", "", ""]])
    }

    @Test("a byte-order mark is ignored")
    func byteOrderMark() throws {
        #expect(try records("\u{FEFF}Crime ID,Month\n") == [["Crime ID", "Month"]])
    }

    @Test("records carry the line they start on")
    func lines() throws {
        var reader = CSVReader(bytes: Array("h\n\n\"x\ny\"\nz\n".utf8))
        #expect(try reader.next()?.line == 1)
        #expect(try reader.next()?.line == 3)
        #expect(try reader.next()?.line == 5)
    }

    @Test("an unclosed quote is an error with its line")
    func unclosedQuote() throws {
        var reader = CSVReader(bytes: Array("h\n\"open,1\n".utf8))
        _ = try reader.next()
        #expect(throws: CSVError.self) { _ = try reader.next() }
    }

    @Test("columns are found by name, in any order")
    func header() {
        let header = CSVHeader(["Latitude", " longitude ", "Crime ID"])
        #expect(header.index("Longitude") == 1)
        #expect(header.index("crime id") == 2)
        #expect(header.index("Context") == nil)
    }
}

@Suite("Coordinates and areas")
struct GeometryTests {
    @Test("six-decimal coordinates round-trip exactly", arguments: ["52.629831", "-1.132503", "-0.327642", "0.000001", "51.000000"])
    func roundTrip(_ text: String) {
        #expect(Microdegrees.parse(text).map(Microdegrees.format) == text)
    }

    @Test("coordinates with fewer decimals, a plus sign or rubbish")
    func parsing() {
        #expect(Microdegrees.parse("52.5") == 52_500_000)
        #expect(Microdegrees.parse("+1") == 1_000_000)
        #expect(Microdegrees.parse("1.1234567") == 1_123_457)
        #expect(Microdegrees.parse("") == nil)
        #expect(Microdegrees.parse("abc") == nil)
        #expect(Microdegrees.parse("1.2.3") == nil)
        #expect(Microdegrees.parse("-") == nil)
    }

    @Test("one mile is a haversine mile")
    func radius() {
        let centre = GeoPoint(latitude: 52.629729, longitude: -1.131592)
        let filter = RadiusFilter(centre: centre, radius: Haversine.oneMile)
        // 0.0144 degrees of latitude is about 1,601 m; 0.0146 about 1,623 m.
        #expect(filter.contains(latitude: 52_629_729 + 14_400, longitude: -1_131_592))
        #expect(!filter.contains(latitude: 52_629_729 + 14_600, longitude: -1_131_592))
        #expect(filter.contains(latitude: 52_629_729, longitude: -1_131_592))
    }

    @Test("a polygon is closed automatically and tests points inside")
    func polygon() throws {
        let open = try SearchPolygon(parsing: "52.0,0.0:52.0,1.0:53.0,1.0:53.0,0.0")
        let closed = try SearchPolygon(parsing: "52.0,0.0:52.0,1.0:53.0,1.0:53.0,0.0:52.0,0.0")
        #expect(open.latitudes == closed.latitudes)
        #expect(open.contains(latitude: 52_500_000, longitude: 500_000))
        #expect(!open.contains(latitude: 53_500_000, longitude: 500_000))
    }

    @Test("too few points, bad points and self-crossing polygons are refused")
    func badPolygons() {
        #expect(throws: PolygonError.tooFewPoints) { try SearchPolygon(parsing: "52.0,0.0:52.0,1.0") }
        #expect(throws: PolygonError.tooFewPoints) { try SearchPolygon(parsing: "52.0,0.0:52.0,1.0:52.0,0.0") }
        #expect(throws: PolygonError.badPoint("52.0")) { try SearchPolygon(parsing: "52.0:52.0,1.0:53.0,1.0") }
        #expect(throws: PolygonError.badPoint("95,0")) { try SearchPolygon(parsing: "95,0:52.0,1.0:53.0,1.0") }
        // A bow tie: the edges 1-2 and 3-4 cross.
        #expect(throws: PolygonError.selfCrossing(edge: 1)) { try SearchPolygon(parsing: "52,0:53,1:52,1:53,0") }
    }

    @Test("the documented polygon is valid")
    func documentedPolygon() throws {
        let polygon = try SearchPolygon(parsing: "52.268,0.543:52.794,0.238:52.130,0.478")
        #expect(polygon.latitudes.count == 3)
    }

    @Test("ONS force area names map to data.police.uk ids")
    func forceNames() {
        #expect(ForceAreas.forceID(fromName: "Leicestershire") == "leicestershire")
        #expect(ForceAreas.forceID(fromName: "Devon & Cornwall") == "devon-and-cornwall")
        #expect(ForceAreas.forceID(fromName: "London, City of") == "city-of-london")
        #expect(ForceAreas.forceID(fromName: "Metropolitan Police") == "metropolitan")
        #expect(ForceAreas.forceID(fromName: "Dyfed-Powys") == "dyfed-powys")
        #expect(ForceAreas.forceID(fromName: "Avon and Somerset") == "avon-and-somerset")
    }

    @Test("vocabularies: category names old and new, outcome name variants")
    func vocabularies() {
        #expect(CrimeCategory.code(name: "Violence and sexual offences") == CrimeCategory.code(slug: "violent-crime"))
        #expect(CrimeCategory.code(name: "Violent crime") == CrimeCategory.code(slug: "violent-crime"))
        #expect(CrimeCategory.code(name: "Public disorder and weapons") == CrimeCategory.code(slug: "public-disorder-weapons"))
        #expect(CrimeCategory.code(name: "Made up") == nil)
        #expect(OutcomeCategory.code(name: "Offender given penalty notice") == "penalty-notice-issued")
        #expect(OutcomeCategory.code(name: "Offender given a penalty notice") == "penalty-notice-issued")
        #expect(OutcomeCategory.code(name: "Unable to prosecute suspect") == "unable-to-prosecute")
        #expect(StopOutcome.id(name: "A no further action disposal") == "bu-no-further-action")
        #expect(StopOutcome.id(name: "") == "")
    }
}
