import Foundation

/// data.police.uk's JSON, written byte by byte: field names, types and nulls as the reference
/// gives them (strings for coordinates, integers for ids, hyphenated keys where the API has them).
package struct WireFormat {
    let snapshot: PoliceDataSnapshot

    package init(_ snapshot: PoliceDataSnapshot) { self.snapshot = snapshot }

    // MARK: Crimes

    /// `[crime, …]` for street-level crimes, crimes at a location and crimes with no location.
    package func crimes(_ result: QueryResult) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(result.count * 420 + 2)
        bytes.append(UInt8(ascii: "["))
        for (index, ref) in result.rows.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            crime(result.segments[Int(ref.segment)], Int(ref.row), outcome: true, into: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
        return bytes
    }

    /// One crime object; `outcome` adds `outcome_status` (outcome objects' nested crimes lack it).
    package func crime(_ segment: Segment, _ row: Int, outcome: Bool, into bytes: inout [UInt8]) {
        JSONBytes.appendLiteral(#"{"category":""#, to: &bytes)
        let category = Int(segment.category[row])
        bytes += CrimeCategory.slugBytes[category < CrimeCategory.slugBytes.count ? category : 0]
        bytes.append(UInt8(ascii: "\""))
        typeAndLocation(segment, row, into: &bytes)
        JSONBytes.appendLiteral(#","context":"#, to: &bytes)
        JSONBytes.appendString(segment.text.utf8(segment.context[row]), to: &bytes)
        if outcome {
            JSONBytes.appendLiteral(#","outcome_status":"#, to: &bytes)
            let name = segment.text.utf8(segment.outcome[row])
            if name.isEmpty {
                JSONBytes.appendLiteral("null", to: &bytes)
            } else {
                JSONBytes.appendLiteral(#"{"category":"#, to: &bytes)
                JSONBytes.appendString(name, to: &bytes)
                JSONBytes.appendLiteral(#","date":""#, to: &bytes)
                let month = segment.outcomeMonth[row]
                if month > 0 { Month(ordinal: Int(month)).append(to: &bytes) } else { bytes += segment.monthBytes }
                JSONBytes.appendLiteral(#""}"#, to: &bytes)
            }
        }
        idsAndMonth(segment, row, into: &bytes)
    }

    /// `,"persistent_id": …, "id": …, "location_subtype": "", "month": "…"}`: how every crime object ends.
    func idsAndMonth(_ segment: Segment, _ row: Int, into bytes: inout [UInt8]) {
        JSONBytes.appendLiteral(#","persistent_id":"#, to: &bytes)
        persistentID(segment, row, into: &bytes)
        JSONBytes.appendLiteral(#","id":"#, to: &bytes)
        JSONBytes.appendInteger(segment.apiID(row), to: &bytes)
        JSONBytes.appendLiteral(#","location_subtype":"","month":""#, to: &bytes)
        bytes += segment.monthBytes
        JSONBytes.appendLiteral(#""}"#, to: &bytes)
    }

    /// `,"location_type": "Force"|"BTP"|null, "location": {…}|null`
    func typeAndLocation(_ segment: Segment, _ row: Int, into bytes: inout [UInt8]) {
        if segment.location[row] != SegmentBuilder.noLocation {
            JSONBytes.appendLiteral(segment.isBTP ? #","location_type":"BTP","location":"# : #","location_type":"Force","location":"#, to: &bytes)
            location(segment, row, into: &bytes)
        } else {
            JSONBytes.appendLiteral(#","location_type":null,"location":null"#, to: &bytes)
        }
    }

    /// `{"latitude": "…", "street": {"id": …, "name": "…"}, "longitude": "…"}`
    func location(_ segment: Segment, _ row: Int, into bytes: inout [UInt8]) {
        JSONBytes.appendLiteral(#"{"latitude":""#, to: &bytes)
        Microdegrees.append(segment.latitude[row], to: &bytes)
        JSONBytes.appendLiteral(#"","street":{"id":"#, to: &bytes)
        let index = segment.location[row]
        JSONBytes.appendInteger(Int64(index) + 1, to: &bytes)
        JSONBytes.appendLiteral(#","name":"#, to: &bytes)
        JSONBytes.appendString(Int(index) < snapshot.locations.count ? snapshot.locations.streetName(index) : .init(start: nil, count: 0), to: &bytes)
        JSONBytes.appendLiteral(#"},"longitude":""#, to: &bytes)
        Microdegrees.append(segment.longitude[row], to: &bytes)
        JSONBytes.appendLiteral(#""}"#, to: &bytes)
    }

    func persistentID(_ segment: Segment, _ row: Int, into bytes: inout [UInt8]) {
        let text = segment.persistentIDText[row]
        if text == 0, segment.hasBinaryID(row) {
            bytes.append(UInt8(ascii: "\""))
            PersistentID.appendHex(segment.persistentID, row: row, to: &bytes)
            bytes.append(UInt8(ascii: "\""))
        } else {
            JSONBytes.appendString(segment.text.utf8(text), to: &bytes)
        }
    }

    // MARK: Outcomes

    /// `[outcome, …]` for street-level outcomes.
    package func outcomes(_ result: QueryResult) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        for (index, ref) in result.rows.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            let segment = result.segments[Int(ref.segment)]
            let row = Int(ref.row)
            outcomeCategory(segment, row, into: &bytes)
            JSONBytes.appendLiteral(#","crime":"#, to: &bytes)
            crimeForOutcome(segment, row, into: &bytes)
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: "]"))
        return bytes
    }

    /// `{"category": {"code", "name"}, "date", "person_id"` (left open for a `crime`).
    func outcomeCategory(_ segment: Segment, _ row: Int, into bytes: inout [UInt8]) {
        let name = segment.text[segment.outcome[row]]
        JSONBytes.appendLiteral(#"{"category":{"code":"#, to: &bytes)
        JSONBytes.appendString(OutcomeCategory.code(name: name) ?? OutcomeCategory.fallbackCode(name: name), to: &bytes)
        JSONBytes.appendLiteral(#","name":"#, to: &bytes)
        JSONBytes.appendString(name, to: &bytes)
        JSONBytes.appendLiteral(#"},"date":""#, to: &bytes)
        bytes += segment.monthBytes
        JSONBytes.appendLiteral(#"","person_id":null"#, to: &bytes)
    }

    /// The crime an outcome row belongs to: from the street data when it is loaded, otherwise
    /// what the outcome row itself says.
    func crimeForOutcome(_ segment: Segment, _ row: Int, into bytes: inout [UInt8]) {
        if segment.hasBinaryID(row) {
            let id = Array(segment.persistentID[row * 32..<row * 32 + 32])
            if let (crimeSegment, crimeRow) = snapshot.find(.street, persistentID: id).first {
                crime(crimeSegment, crimeRow, outcome: false, into: &bytes)
                return
            }
        }
        JSONBytes.appendLiteral(#"{"category":"""#, to: &bytes)
        typeAndLocation(segment, row, into: &bytes)
        JSONBytes.appendLiteral(#","context":"""#, to: &bytes)
        idsAndMonth(segment, row, into: &bytes)
    }

    /// `outcomes-for-crime`: `{"crime": …, "outcomes": [{category, date, person_id}, …]}`, or
    /// `nil` when the id is unknown.
    package func outcomesForCrime(_ id: String) -> [UInt8]? {
        guard let bytesOfID = PersistentID.bytes(id) else { return nil }
        let crimes = snapshot.find(.street, persistentID: bytesOfID)
        let outcomes = snapshot.find(.outcomes, persistentID: bytesOfID)
        guard !crimes.isEmpty || !outcomes.isEmpty else { return nil }
        var bytes: [UInt8] = []
        JSONBytes.appendLiteral(#"{"crime":"#, to: &bytes)
        if let (segment, row) = crimes.last {
            crime(segment, row, outcome: false, into: &bytes)
        } else if let (segment, row) = outcomes.first {
            crimeForOutcome(segment, row, into: &bytes)
        }
        JSONBytes.appendLiteral(#","outcomes":["#, to: &bytes)
        for (index, (segment, row)) in outcomes.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            outcomeCategory(segment, row, into: &bytes)
            bytes.append(UInt8(ascii: "}"))
        }
        JSONBytes.appendLiteral("]}", to: &bytes)
        return bytes
    }

    // MARK: Stop and search

    /// `[stop, …]` for the four stop and search methods.
    package func stops(_ result: QueryResult) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        for (index, ref) in result.rows.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            stop(result.segments[Int(ref.segment)], Int(ref.row), into: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
        return bytes
    }

    func stop(_ segment: Segment, _ row: Int, into bytes: inout [UInt8]) {
        func text(_ column: StopColumn) -> UnsafeBufferPointer<UInt8> {
            guard let values = segment.stopColumns[column], row < values.count else { return .init(start: nil, count: 0) }
            return segment.text.utf8(values[row])
        }
        JSONBytes.appendLiteral(#"{"age_range":"#, to: &bytes)
        JSONBytes.appendStringOrNull(text(.ageRange), to: &bytes)
        JSONBytes.appendLiteral(#","officer_defined_ethnicity":"#, to: &bytes)
        JSONBytes.appendStringOrNull(text(.officerDefinedEthnicity), to: &bytes)
        JSONBytes.appendLiteral(#","involved_person":"#, to: &bytes)
        let type = String(decoding: text(.type), as: UTF8.self)
        JSONBytes.appendLiteral(type == "Vehicle search" ? "false" : "true", to: &bytes)
        JSONBytes.appendLiteral(#","self_defined_ethnicity":"#, to: &bytes)
        JSONBytes.appendStringOrNull(text(.selfDefinedEthnicity), to: &bytes)
        JSONBytes.appendLiteral(#","gender":"#, to: &bytes)
        JSONBytes.appendStringOrNull(text(.gender), to: &bytes)
        JSONBytes.appendLiteral(#","legislation":"#, to: &bytes)
        JSONBytes.appendStringOrNull(text(.legislation), to: &bytes)
        JSONBytes.appendLiteral(#","outcome_linked_to_object_of_search":"#, to: &bytes)
        JSONBytes.appendOptionalBool(segment.linked[row], to: &bytes)
        JSONBytes.appendLiteral(#","datetime":"#, to: &bytes)
        JSONBytes.appendString(text(.datetime), to: &bytes)
        let outcome = text(.outcome)
        JSONBytes.appendLiteral(#","outcome_object":{"id":"#, to: &bytes)
        JSONBytes.appendString(StopOutcome.id(name: String(decoding: outcome, as: UTF8.self)), to: &bytes)
        JSONBytes.appendLiteral(#","name":"#, to: &bytes)
        JSONBytes.appendString(outcome, to: &bytes)
        JSONBytes.appendLiteral(#"},"location":"#, to: &bytes)
        if segment.location[row] != SegmentBuilder.noLocation {
            location(segment, row, into: &bytes)
        } else {
            JSONBytes.appendLiteral("null", to: &bytes)
        }
        JSONBytes.appendLiteral(#","object_of_search":"#, to: &bytes)
        JSONBytes.appendStringOrNull(text(.objectOfSearch), to: &bytes)
        JSONBytes.appendLiteral(#","operation":"#, to: &bytes)
        JSONBytes.appendOptionalBool(segment.operation[row], to: &bytes)
        JSONBytes.appendLiteral(#","outcome":"#, to: &bytes)
        JSONBytes.appendString(outcome, to: &bytes)
        JSONBytes.appendLiteral(#","type":"#, to: &bytes)
        JSONBytes.appendStringOrNull(text(.type), to: &bytes)
        JSONBytes.appendLiteral(#","operation_name":"#, to: &bytes)
        JSONBytes.appendStringOrNull(text(.operationName), to: &bytes)
        JSONBytes.appendLiteral(#","removal_of_more_than_outer_clothing":"#, to: &bytes)
        JSONBytes.appendOptionalBool(segment.removal[row], to: &bytes)
        bytes.append(UInt8(ascii: "}"))
    }
}
