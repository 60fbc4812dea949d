import Foundation
import PeelCore
import SQLKit

/// Records-system connections in `hub_endpoints`, and deliveries recorded on reports.
package struct SQLHubRepository: HubRepository {
    package let db: any SQLDatabase
    let engine: DatabaseEngine

    package init(db: any SQLDatabase, engine: DatabaseEngine) {
        self.db = db
        self.engine = engine
    }

    package func endpoint(for force: ForceID) async throws -> HubEndpoint? {
        try await db.raw(
            """
            SELECT adapter, url, secret, directory, email, secret_set_at, updated_at FROM hub_endpoints
            WHERE force_id = \(bind: force.rawValue)
            """
        ).first().map { try Self.endpoint($0, force: force) }
    }

    /// Reads one row: the report, its risk assessment and the force's connection together, as
    /// every delivery needs them.
    package func delivery(reportID: String, force: ForceID) async throws -> DeliveryInput? {
        let columns = SQLReportRepository.columns.split(separator: ",").map { "r." + $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: ", ")
        guard
            let row = try await db.raw(
                """
                SELECT \(unsafeRaw: columns), c.thrive, h.adapter, h.url, h.secret, h.directory, h.email, h.secret_set_at,
                    h.updated_at
                FROM reports r LEFT JOIN cases c ON c.report_id = r.id
                    LEFT JOIN hub_endpoints h ON h.force_id = r.force_id
                WHERE r.id = \(bind: reportID) AND r.force_id = \(bind: force.rawValue)
                """
            ).first()
        else { return nil }
        let risk = try row.decode(column: "thrive", as: String?.self).map {
            try JSONDecoder().decode(ThriveAssessment.self, from: Data($0.utf8))
        }
        let endpoint = try row.decode(column: "adapter", as: String?.self) == nil ? nil : try Self.endpoint(row, force: force)
        return DeliveryInput(report: try SQLReportRepository.report(row), risk: risk, endpoint: endpoint)
    }

    private static func endpoint(_ row: any SQLRow, force: ForceID) throws -> HubEndpoint {
        let adapterText = try row.decode(column: "adapter", as: String.self)
        guard let adapter = HubAdapter(rawValue: adapterText) else {
            throw StoreDataError("hub_endpoints.adapter '\(adapterText)' is unknown")
        }
        return HubEndpoint(
            forceID: force, adapter: adapter, url: try row.decode(column: "url", as: String?.self),
            sealedSecret: try row.decode(column: "secret", as: String?.self),
            directory: try row.decode(column: "directory", as: String?.self), email: try row.decode(column: "email", as: String?.self),
            secretSetAt: try row.decode(column: "secret_set_at", as: Int64?.self).map(Date.init(millisecondsSince1970:)),
            updatedAt: Date(millisecondsSince1970: try row.decode(column: "updated_at", as: Int64.self)))
    }

    package func save(_ endpoint: HubEndpoint, at date: Date) async throws {
        // A secret saved without its date was set now.
        let secretSetAt = endpoint.sealedSecret == nil ? nil : (endpoint.secretSetAt ?? date).millisecondsSince1970
        try await db.raw(
            """
            INSERT INTO hub_endpoints (force_id, adapter, url, secret, directory, email, secret_set_at, updated_at)
            VALUES (\(bind: endpoint.forceID.rawValue), \(bind: endpoint.adapter.rawValue), \(bind: endpoint.url),
                \(bind: endpoint.sealedSecret), \(bind: endpoint.directory), \(bind: endpoint.email), \(bind: secretSetAt),
                \(bind: date.millisecondsSince1970))
            ON CONFLICT (force_id) DO UPDATE SET adapter = excluded.adapter, url = excluded.url, secret = excluded.secret,
                directory = excluded.directory, email = excluded.email, secret_set_at = excluded.secret_set_at,
                updated_at = excluded.updated_at
            """
        ).run()
    }

    package func removeEndpoint(for force: ForceID) async throws {
        try await db.raw("DELETE FROM hub_endpoints WHERE force_id = \(bind: force.rawValue)").run()
    }

    package func recordDelivery(reportID: String, force: ForceID, recordsReference: String?, at date: Date) async throws {
        let engine = engine
        try await inTransaction(on: db, engine: engine) { tx in
            let updated = try await tx.raw(
                """
                UPDATE reports SET status = 'delivered', records_reference = \(bind: recordsReference)
                WHERE id = \(bind: reportID) AND force_id = \(bind: force.rawValue) AND status <> 'delivered'
                RETURNING id
                """
            ).first()
            // A second acknowledgement of the same report adds nothing to its timeline.
            guard updated != nil else { return }
            try await SQLCaseRepository.appendEvent(
                CaseEvent(
                    id: RecordID.make(), reportID: reportID, forceID: force, at: date, actorID: nil, actorName: nil,
                    kind: .delivered,
                    text: recordsReference.map { "Received by the records system as \($0)" } ?? "Delivered to the records system",
                    publicUpdate: PublicUpdate(kind: .delivered, recordsReference: recordsReference)),
                on: tx)
        }
    }

    package func apply(_ callback: RecordsCallback, force: ForceID, at date: Date) async throws -> CallbackOutcome {
        let engine = engine
        return try await inTransaction(on: db, engine: engine) { tx in
            let lock = engine == .postgres ? "FOR UPDATE" : ""
            guard
                let row = try await tx.raw(
                    """
                    SELECT id, records_sequence FROM reports
                    WHERE force_id = \(bind: force.rawValue) AND reference = \(bind: callback.peelReference.uppercased()) \(unsafeRaw: lock)
                    """
                ).first()
            else { return .unknownReference }
            let reportID = try row.decode(column: "id", as: String.self)
            let last = try row.decode(column: "records_sequence", as: Int.self)
            guard callback.sequence > last else { return .outOfOrder(lastApplied: last) }
            try await tx.raw(
                """
                UPDATE reports SET records_sequence = \(bind: callback.sequence),
                    records_reference = COALESCE(\(bind: callback.recordsReference), records_reference)
                WHERE id = \(bind: reportID)
                """
            ).run()
            var said: [String] = []
            if let reference = callback.recordsReference { said.append("reference \(reference)") }
            if let status = callback.status { said.append("status: \(status)") }
            if let officer = callback.officer { said.append("officer in charge: \(officer)") }
            if let outcome = callback.outcome { said.append("outcome: \(outcome)") }
            try await SQLCaseRepository.appendEvent(
                CaseEvent(
                    id: RecordID.make(), reportID: reportID, forceID: force, at: date, actorID: nil, actorName: nil,
                    kind: .records, text: "Records system: " + said.joined(separator: "; "),
                    publicUpdate: callback.recordsReference == nil && callback.status == nil && callback.outcome == nil
                        ? nil
                        : PublicUpdate(
                            kind: .records, recordsReference: callback.recordsReference,
                            recordsStatus: [callback.status, callback.outcome].compactMap { $0 }.joined(separator: ": ").nilIfEmpty)),
                on: tx)
            return .applied
        }
    }

    package func deliveryState(force: ForceID, now: Date) async throws -> DeliveryState {
        let kind = JobKinds.deliverReport
        let counts = try await db.raw(
            """
            SELECT COALESCE(SUM(CASE WHEN state IN ('ready', 'running') THEN 1 ELSE 0 END), 0) AS waiting,
                COALESCE(SUM(CASE WHEN state = 'dead' THEN 1 ELSE 0 END), 0) AS dead
            FROM jobs WHERE kind = \(bind: kind) AND force_id = \(bind: force.rawValue) AND state <> 'done'
            """
        ).first()
        let oldest = try await db.raw(
            """
            SELECT MIN(created_at) AS oldest FROM reports
            WHERE force_id = \(bind: force.rawValue) AND status <> 'delivered'
            """
        ).first()?.decode(column: "oldest", as: Int64?.self)
        let rows = try await db.raw(
            """
            SELECT j.id, j.state, j.attempts, j.last_error, j.run_at, j.updated_at, r.reference
            FROM jobs j JOIN reports r ON r.id = \(unsafeRaw: jsonReportID)
            WHERE j.kind = \(bind: kind) AND j.force_id = \(bind: force.rawValue) AND j.last_error IS NOT NULL
                AND j.state IN ('ready', 'dead')
            ORDER BY j.updated_at DESC LIMIT 50
            """
        ).all()
        return DeliveryState(
            waiting: Int(try counts?.decode(column: "waiting", as: Int64.self) ?? 0),
            dead: Int(try counts?.decode(column: "dead", as: Int64.self) ?? 0),
            oldestUndeliveredSeconds: oldest.map { max(0, Double(now.millisecondsSince1970 - $0) / 1000) },
            failures: try rows.map { row in
                let state = try row.decode(column: "state", as: String.self)
                return DeliveryState.Failure(
                    jobID: try row.decode(column: "id", as: String.self), reference: try row.decode(column: "reference", as: String.self),
                    state: state, attempts: try row.decode(column: "attempts", as: Int.self),
                    error: try row.decode(column: "last_error", as: String?.self) ?? "",
                    nextTry: state == "ready" ? Date(millisecondsSince1970: try row.decode(column: "run_at", as: Int64.self)) : nil,
                    updatedAt: Date(millisecondsSince1970: try row.decode(column: "updated_at", as: Int64.self)))
            })
    }

    /// The report id inside a delivery job's payload (`{"report":"…","force":"…"}`), in each dialect.
    private var jsonReportID: String {
        engine == .postgres ? "(j.payload::json ->> 'report')" : "json_extract(j.payload, '$.report')"
    }

    package func replayDeadLetters(force: ForceID, jobs: [String]?, now: Date) async throws -> Int {
        var query: SQLQueryString = """
            UPDATE jobs SET state = 'ready', run_at = \(bind: now.millisecondsSince1970), max_attempts = attempts + max_attempts,
                updated_at = \(bind: now.millisecondsSince1970)
            WHERE kind = \(bind: JobKinds.deliverReport) AND force_id = \(bind: force.rawValue) AND state = 'dead'
            """
        if let jobs {
            guard !jobs.isEmpty else { return 0 }
            query.appendLiteral(" AND id IN (")
            for (index, id) in jobs.enumerated() {
                if index > 0 { query.appendLiteral(", ") }
                query.appendInterpolation(bind: id)
            }
            query.appendLiteral(")")
        }
        query.appendLiteral(" RETURNING id")
        return try await db.raw(query).all().count
    }

    package func recordDuplicates(
        reportID: String, force: ForceID, candidates: [FoundDuplicate], note: String, at date: Date
    ) async throws {
        guard !candidates.isEmpty else { return }
        let engine = engine
        try await inTransaction(on: db, engine: engine) { tx in
            // Once per report: a delivery that runs again stores nothing twice.
            let noted = try await tx.raw(
                """
                SELECT 1 AS noted FROM case_events
                WHERE report_id = \(bind: reportID) AND kind = \(bind: CaseEvent.Kind.possibleDuplicate.rawValue)
                """
            ).first()
            guard noted == nil else { return }
            // Candidates are found by reference among the force's own reports, never another's.
            var lookup: SQLQueryString = "SELECT id, reference FROM reports WHERE force_id = \(bind: force.rawValue) AND reference IN ("
            for (index, candidate) in candidates.enumerated() {
                if index > 0 { lookup.appendLiteral(", ") }
                lookup.appendInterpolation(bind: candidate.reference)
            }
            lookup.appendLiteral(")")
            var ids: [String: String] = [:]
            for row in try await tx.raw(lookup).all() {
                ids[try row.decode(column: "reference", as: String.self)] = try row.decode(column: "id", as: String.self)
            }
            let found = candidates.filter { ids[$0.reference] != nil && ids[$0.reference] != reportID }
            guard !found.isEmpty else { return }
            var insert: SQLQueryString =
                "INSERT INTO duplicate_candidates (report_id, candidate_id, force_id, candidate_reference, score, reasons, found_at) VALUES "
            for (index, candidate) in found.enumerated() {
                if index > 0 { insert.appendLiteral(", ") }
                let reasons = String(decoding: try JSONEncoder().encode(candidate.reasons), as: UTF8.self)
                insert.appendInterpolation(
                    """
                    (\(bind: reportID), \(bind: ids[candidate.reference] ?? ""), \(bind: force.rawValue), \(bind: candidate.reference),
                    \(bind: candidate.score), \(bind: reasons), \(bind: date.millisecondsSince1970))
                    """ as SQLQueryString)
            }
            insert.appendLiteral(" ON CONFLICT (report_id, candidate_id) DO NOTHING")
            try await tx.raw(insert).run()
            try await SQLCaseRepository.appendEvent(
                CaseEvent(
                    id: RecordID.make(), reportID: reportID, forceID: force, at: date, actorID: nil, actorName: nil,
                    kind: .possibleDuplicate, text: note),
                on: tx)
        }
    }
}
