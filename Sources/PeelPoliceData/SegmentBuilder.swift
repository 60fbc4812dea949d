import Foundation

/// Collects one archive file's rows, then orders them for the spatial index and writes them as
/// a column file.
struct SegmentBuilder {
    let kind: SegmentKind
    var latitude: [Int32] = []
    var longitude: [Int32] = []
    var location: [UInt32] = []
    var ordinal: [UInt32] = []
    var category: [UInt8] = []
    var outcome: [UInt32] = []
    var outcomeMonth: [Int32] = []
    var persistentID: [UInt8] = []
    var persistentIDText: [UInt32] = []
    var context: [UInt32] = []
    var stop: [StopColumn: [UInt32]] = [:]
    var operation: [Int8] = []
    var linked: [Int8] = []
    var removal: [Int8] = []
    var text = StringTableBuilder()
    var month = Month(ordinal: 0)

    init(kind: SegmentKind) { self.kind = kind }

    var count: Int { ordinal.count }

    static let noLocation = UInt32.max

    // MARK: Rows

    /// A `-street.csv` row; fields: Crime ID, Month, Longitude, Latitude, Location, Crime type,
    /// Last outcome category, Context. Returns why the row is skipped, or `nil`.
    mutating func addCrime(month: Month, fields: (Int) -> String, ordinal: UInt32, registry: inout RegistryBuilder) -> String? {
        guard let code = CrimeCategory.code(name: fields(5)) else { return "unknown crime type '\(fields(5))'" }
        if let problem = addMonthAndPlace(month: month, fields: fields, ordinal: ordinal, registry: &registry) { return problem }
        category.append(code)
        let outcomeName = fields(6).trimmedSpaces
        outcome.append(text.number(outcomeName))
        outcomeMonth.append(outcomeName.isEmpty ? 0 : Int32(month.ordinal))
        appendPersistentID(fields(0))
        context.append(text.number(fields(7)))
        return nil
    }

    /// An `-outcomes.csv` row; fields: Crime ID, Month, Longitude, Latitude, Location, Outcome type.
    mutating func addOutcome(
        month: Month, fields: (Int) -> String, ordinal: UInt32, registry: inout RegistryBuilder, latest: inout [[UInt8]: Int32]
    ) -> String? {
        let id = fields(0).trimmedSpaces
        guard !id.isEmpty else { return "an outcome without a Crime ID" }
        let name = fields(5).trimmedSpaces
        guard !name.isEmpty else { return "an outcome without an Outcome type" }
        if let problem = addMonthAndPlace(month: month, fields: fields, ordinal: ordinal, registry: &registry) { return problem }
        outcome.append(text.number(name))
        appendPersistentID(id)
        if let bytes = PersistentID.bytes(id) { latest[bytes] = max(latest[bytes] ?? 0, Int32(month.ordinal)) }
        return nil
    }

    /// The Month (field 1) and the place (fields 2 to 4: Longitude, Latitude, Location) that
    /// street and outcome rows share; adds the place, or says why the row is skipped.
    private mutating func addMonthAndPlace(
        month: Month, fields: (Int) -> String, ordinal: UInt32, registry: inout RegistryBuilder
    ) -> String? {
        if let problem = Self.checkMonth(fields(1), file: month) { return problem }
        switch Self.place(longitude: fields(2), latitude: fields(3), name: fields(4), registry: &registry) {
        case .failure(let problem): return problem.reason
        case .success(let place):
            self.month = month
            appendPlace(place, ordinal: ordinal)
            return nil
        }
    }

    /// A `-stop-and-search.csv` row, fields in the order of the archive's 15 columns.
    mutating func addStop(month: Month, fields: (Int) -> String, ordinal: UInt32, registry: inout RegistryBuilder) -> String? {
        let type = fields(0).trimmedSpaces
        guard !type.isEmpty else { return "a stop and search without a Type" }
        let date = fields(1).trimmedSpaces
        guard date.count >= 10, Month(date.prefix(7)) != nil else { return "the Date '\(date)' is not an ISO date" }
        var flags: [Int8] = []
        for index in [2, 13, 14] {
            switch fields(index).trimmedSpaces.lowercased() {
            case "true": flags.append(1)
            case "false": flags.append(0)
            case "": flags.append(-1)
            default: return "'\(fields(index))' is not True, False or empty"
            }
        }
        var place: (Int32, Int32, UInt32)?
        switch Self.coordinates(longitude: fields(5), latitude: fields(4)) {
        case .failure(let problem): return problem.reason
        case .success(let point?): place = (point.0, point.1, registry.snap(latitude: point.0, longitude: point.1))
        case .success(nil): place = nil
        }
        self.month = month
        appendPlace(place, ordinal: ordinal)
        let values: [(StopColumn, Int)] = [
            (.type, 0), (.datetime, 1), (.operationName, 3), (.gender, 6), (.ageRange, 7), (.selfDefinedEthnicity, 8),
            (.officerDefinedEthnicity, 9), (.legislation, 10), (.objectOfSearch, 11), (.outcome, 12),
        ]
        for (column, index) in values {
            stop[column, default: []].append(text.number(fields(index).trimmedSpaces))
        }
        operation.append(flags[0])
        linked.append(flags[1])
        removal.append(flags[2])
        return nil
    }

    private mutating func appendPlace(_ place: (Int32, Int32, UInt32)?, ordinal: UInt32) {
        latitude.append(place?.0 ?? 0)
        longitude.append(place?.1 ?? 0)
        location.append(place?.2 ?? Self.noLocation)
        self.ordinal.append(ordinal)
    }

    private mutating func appendPersistentID(_ text: String) {
        let trimmed = text.trimmedSpaces
        if let bytes = PersistentID.bytes(trimmed) {
            persistentID += bytes
            persistentIDText.append(0)
        } else {
            persistentID += [UInt8](repeating: 0, count: 32)
            persistentIDText.append(self.text.number(trimmed))
        }
    }

    static func checkMonth(_ text: String, file: Month) -> String? {
        let trimmed = text.trimmedSpaces
        guard let month = Month(trimmed) else { return "the Month '\(trimmed)' is not YYYY-MM" }
        return month == file ? nil : "the Month \(month) is not the file's month \(file)"
    }

    struct RowProblem: Error { let reason: String }

    /// Coordinates from the archive: both empty is no location; anything else must be valid.
    static func coordinates(longitude: String, latitude: String) -> Result<(Int32, Int32)?, RowProblem> {
        let lngText = longitude.trimmedSpaces
        let latText = latitude.trimmedSpaces
        if lngText.isEmpty, latText.isEmpty { return .success(nil) }
        guard let lat = Microdegrees.parse(latText), let lng = Microdegrees.parse(lngText), abs(lat) <= 90_000_000,
            abs(lng) <= 180_000_000
        else { return .failure(RowProblem(reason: "the coordinates '\(latText)', '\(lngText)' are not a latitude and longitude")) }
        return .success((lat, lng))
    }

    static func place(longitude: String, latitude: String, name: String, registry: inout RegistryBuilder) -> Result<
        (Int32, Int32, UInt32)?, RowProblem
    > {
        switch coordinates(longitude: longitude, latitude: latitude) {
        case .failure(let problem): return .failure(problem)
        case .success(nil): return .success(nil)
        case .success(let point?):
            return .success((point.0, point.1, registry.id(latitude: point.0, longitude: point.1, name: name.trimmedSpaces)))
        }
    }

    /// Each crime's latest outcome month, from the outcomes in this import and those already stored.
    mutating func fillOutcomeMonths(_ latest: [[UInt8]: Int32], existing: PoliceDataSnapshot) {
        let stored = (existing.segments[.outcomes] ?? [:]).values.flatMap { $0 }
        guard !latest.isEmpty || !stored.isEmpty else { return }
        for row in 0..<count where outcome[row] != 0 {
            let bytes = Array(persistentID[row * 32..<row * 32 + 32])
            guard bytes.contains(where: { $0 != 0 }) else { continue }
            var best = latest[bytes] ?? 0
            for segment in stored where !segment.rows(persistentID: bytes).isEmpty {
                best = max(best, Int32(segment.info.month.ordinal))
            }
            if best > 0 { outcomeMonth[row] = max(outcomeMonth[row], best) }
        }
    }

    // MARK: Writing

    /// Orders the rows for the index and writes the file; returns how many rows have a location.
    func write(to url: URL) throws -> Int {
        let located = (0..<count).filter { location[$0] != Self.noLocation }
        let unlocated = (0..<count).filter { location[$0] == Self.noLocation }
        let cellY = located.map { Grid.cell(latitude[$0]) }
        let cellX = located.map { Grid.cell(longitude[$0]) }
        let order = located.indices.sorted {
            (cellY[$0], cellX[$0], location[located[$0]], ordinal[located[$0]])
                < (cellY[$1], cellX[$1], location[located[$1]], ordinal[located[$1]])
        }
        let permutation = order.map { located[$0] } + unlocated

        var writer = ColumnFileWriter()
        writer.metadata["kind"] = kind.rawValue
        if let minY = cellY.min(), let maxY = cellY.max(), let minX = cellX.min(), let maxX = cellX.max() {
            let width = Int(maxX - minX + 1)
            let height = Int(maxY - minY + 1)
            var cellStart = [UInt32](repeating: 0, count: width * height + 1)
            for position in order.indices {
                let source = order[position]
                cellStart[Int(cellY[source] - minY) * width + Int(cellX[source] - minX) + 1] += 1
            }
            for cell in 1..<cellStart.count { cellStart[cell] += cellStart[cell - 1] }
            writer.add("cellStart", cellStart)
            writer.metadata["gridX0"] = String(minX)
            writer.metadata["gridY0"] = String(minY)
            writer.metadata["gridWidth"] = String(width)
            writer.metadata["gridHeight"] = String(height)
        }
        func permuted<T>(_ values: [T]) -> [T] { values.isEmpty ? [] : permutation.map { values[$0] } }
        writer.add("lat", permuted(latitude))
        writer.add("lng", permuted(longitude))
        writer.add("location", permuted(location))
        writer.add("ordinal", permuted(ordinal))
        switch kind {
        case .street, .outcomes:
            if kind == .street {
                writer.add("category", permuted(category))
                writer.add("outcomeMonth", permuted(outcomeMonth))
                writer.add("context", permuted(context))
            }
            writer.add("outcome", permuted(outcome))
            var ids = [UInt8](repeating: 0, count: persistentID.count)
            for (position, source) in permutation.enumerated() {
                ids.replaceSubrange(position * 32..<position * 32 + 32, with: persistentID[source * 32..<source * 32 + 32])
            }
            writer.add("pid", ids)
            writer.add("pidText", permuted(persistentIDText))
            let withID = permutation.indices.filter { persistentIDText[permutation[$0]] == 0 && ids[$0 * 32..<$0 * 32 + 32].contains { $0 != 0 } }
            let idOrder = withID.sorted { ids[$0 * 32..<$0 * 32 + 32].lexicographicallyPrecedes(ids[$1 * 32..<$1 * 32 + 32]) }
            writer.add("idOrder", idOrder.map { UInt32($0) })
        case .stops:
            for column in StopColumn.allCases { writer.add(column.rawValue, permuted(stop[column] ?? [])) }
            writer.add("operation", permuted(operation))
            writer.add("linked", permuted(linked))
            writer.add("removal", permuted(removal))
        }
        writer.add("text", strings: text)
        try writer.write(to: url)
        return located.count
    }
}
