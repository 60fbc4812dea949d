import Crypto
import Foundation
import PeelCore
import SQLKit
import Synchronization

/// Journeys in `journeys`.
package struct SQLJourneyRepository: JourneyRepository {
    package let db: any SQLDatabase

    package init(db: any SQLDatabase) { self.db = db }

    // A journey and its pages are saved with deferred durability: on disk a moment after the page
    // that follows is shown, never torn (decision 0036).

    package func create(_ journey: StoredJourney) async throws {
        let now = Date().millisecondsSince1970
        let insert: SQLQueryString = """
            INSERT INTO journeys (id, force_id, service_id, service_version, state, created_at, updated_at, expires_at)
            VALUES (\(bind: journey.id), \(bind: journey.forceID.rawValue), \(bind: journey.serviceID),
                \(bind: journey.serviceVersion), \(bind: journey.state), \(bind: now), \(bind: now),
                \(bind: journey.expiresAt.millisecondsSince1970))
            """
        try await withDeferredDurability { try await db.raw(insert).run() }
    }

    package func find(_ id: String, force: ForceID) async throws -> StoredJourney? {
        guard
            let row = try await db.raw(
                """
                SELECT id, service_id, service_version, state, report_id, expires_at FROM journeys
                WHERE id = \(bind: id) AND force_id = \(bind: force.rawValue)
                    AND expires_at > \(bind: Date().millisecondsSince1970)
                """
            ).first()
        else { return nil }
        return StoredJourney(
            id: id, forceID: force,
            serviceID: try row.decode(column: "service_id", as: String.self),
            serviceVersion: try row.decode(column: "service_version", as: Int.self),
            state: try row.decode(column: "state", as: String.self),
            reportID: try row.decode(column: "report_id", as: String?.self),
            expiresAt: Date(millisecondsSince1970: try row.decode(column: "expires_at", as: Int64.self)))
    }

    package func saveState(_ id: String, force: ForceID, state: String, expiresAt: Date?) async throws {
        // Without a new expiry the statement leaves `expires_at`, and so its index, alone.
        var changes: SQLQueryString = "state = \(bind: state), updated_at = \(bind: Date().millisecondsSince1970)"
        if let expiresAt { changes.appendInterpolation(", expires_at = \(bind: expiresAt.millisecondsSince1970)" as SQLQueryString) }
        let update: SQLQueryString = """
            UPDATE journeys SET \(changes)
            WHERE id = \(bind: id) AND force_id = \(bind: force.rawValue) AND report_id IS NULL
            """
        try await withDeferredDurability { try await db.raw(update).run() }
    }
}

extension SQLJourneyRepository {
    package func setReturnCode(_ code: String, for id: String, force: ForceID, expiresAt: Date) async throws {
        try await db.raw(
            """
            UPDATE journeys SET return_code_hash = \(bind: Self.hash(code)), expires_at = \(bind: expiresAt.millisecondsSince1970),
                updated_at = \(bind: Date().millisecondsSince1970)
            WHERE id = \(bind: id) AND force_id = \(bind: force.rawValue) AND report_id IS NULL
            """
        ).run()
    }

    package func find(returnCode: String, service: String, force: ForceID) async throws -> StoredJourney? {
        guard
            let row = try await db.raw(
                """
                SELECT id FROM journeys
                WHERE return_code_hash = \(bind: Self.hash(returnCode)) AND force_id = \(bind: force.rawValue)
                    AND service_id = \(bind: service) AND report_id IS NULL
                """
            ).first()
        else { return nil }
        return try await find(try row.decode(column: "id", as: String.self), force: force)
    }

    package func purgeExpired(before date: Date) async throws -> Int {
        let cutoff = date.millisecondsSince1970
        try await db.raw(
            """
            DELETE FROM journey_files
            WHERE report_id IS NULL AND journey_id IN (SELECT id FROM journeys WHERE expires_at < \(bind: cutoff))
            """
        ).run()
        return try await db.raw("DELETE FROM journeys WHERE expires_at < \(bind: cutoff) RETURNING id").all().count
    }

    package func addFile(_ file: JourneyFile) async throws {
        try await db.raw(
            """
            INSERT INTO journey_files (id, force_id, journey_id, question_id, file_name, content_type, size, content, sha256,
                created_at)
            VALUES (\(bind: file.id), \(bind: file.forceID.rawValue), \(bind: file.journeyID), \(bind: file.questionID),
                \(bind: file.fileName), \(bind: file.contentType), \(bind: file.size), \(bind: file.content),
                \(bind: Self.sha256(file.content)), \(bind: Date().millisecondsSince1970))
            """
        ).run()
    }

    package func files(journey: String, force: ForceID) async throws -> [JourneyFile] {
        try await db.raw(
            """
            SELECT id, journey_id, question_id, file_name, content_type, size FROM journey_files
            WHERE journey_id = \(bind: journey) AND force_id = \(bind: force.rawValue) ORDER BY created_at, id
            """
        ).all().map { try Self.file($0, force: force, content: false) }
    }

    /// A `journey_files` row; its bytes only when asked for (and selected).
    static func file(_ row: any SQLRow, force: ForceID, content: Bool) throws -> JourneyFile {
        JourneyFile(
            id: try row.decode(column: "id", as: String.self), forceID: force,
            journeyID: try row.decode(column: "journey_id", as: String.self),
            questionID: try row.decode(column: "question_id", as: String.self),
            fileName: try row.decode(column: "file_name", as: String.self),
            contentType: try row.decode(column: "content_type", as: String.self),
            size: try row.decode(column: "size", as: Int.self),
            content: content ? try row.decode(column: "content", as: Data.self) : Data())
    }

    /// Return codes are stored only as SHA-256 hashes, so the table alone does not open a journey.
    static func hash(_ code: String) -> String {
        sha256(Data(code.utf8))
    }

    /// Lower-case hex SHA-256.
    static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).lowercaseHex
    }
}

/// Reports in `reports`, submitted together with their outbox jobs.
package struct SQLReportRepository: ReportRepository {
    package let db: any SQLDatabase
    let engine: DatabaseEngine
    /// Rung once a submission's jobs have committed, so this node's worker starts on them.
    let doorbell: Doorbell?

    package init(db: any SQLDatabase, engine: DatabaseEngine, doorbell: Doorbell? = nil) {
        self.db = db
        self.engine = engine
        self.doorbell = doorbell
    }

    static let columns =
        "id, force_id, reference, service_id, service_version, answers, contact_name, contact_email, contact_phone, language, created_at"

    package func find(_ id: String, force: ForceID) async throws -> Report? {
        try await db.raw(
            "SELECT \(unsafeRaw: Self.columns) FROM reports WHERE id = \(bind: id) AND force_id = \(bind: force.rawValue)"
        ).first().map(Self.report)
    }

    package func find(reference: String, force: ForceID) async throws -> Report? {
        try await db.raw(
            """
            SELECT \(unsafeRaw: Self.columns) FROM reports
            WHERE reference = \(bind: reference.uppercased()) AND force_id = \(bind: force.rawValue)
            """
        ).first().map(Self.report)
    }

    package func submit(_ report: Report, journeyID: String, jobs: [NewJob]) async throws -> SubmissionOutcome {
        let engine = engine
        // What the submission writes is built and made into SQL text here, on the caller's
        // thread, so that the single writer, which every write of the node waits for, only runs it.
        let db = db
        let writes = try Self.submissionStatements(report, journeyID: journeyID, jobs: jobs).map { try SerializedStatement.ready($0, for: db) }
        @Sendable func check(reference: String) throws -> any SQLExpression {
            var check: BoundSQL = """
                SELECT report_id, EXISTS (
                    SELECT 1 FROM reports WHERE force_id = \(bind: report.forceID.rawValue) AND reference = \(bind: reference)
                ) AS taken
                FROM journeys WHERE id = \(bind: journeyID) AND force_id = \(bind: report.forceID.rawValue)
                """
            // The journey row is locked for the transaction (SQLite: BEGIN IMMEDIATE already holds
            // the write lock), so two submits of one journey are serialised here.
            if engine == .postgres { check.append(" FOR UPDATE") }
            return try SerializedStatement.ready(check, for: db)
        }
        let firstCheck = try check(reference: report.reference)
        let outcome = try await inTransaction(on: db, engine: engine) { tx -> SubmissionOutcome in
            func journey(_ check: any SQLExpression) async throws -> (reportID: String?, referenceTaken: Bool) {
                let found = Mutex<(any SQLRow)?>(nil)
                try await tx.execute(sql: check) { row in found.withLock { $0 = $0 ?? row } }
                guard let row = found.withLock({ $0 }) else { throw StoreDataError("journey \(journeyID) does not exist for this force") }
                return (try row.decode(column: "report_id", as: String?.self), try row.decode(column: "taken", as: Bool.self))
            }
            let (existing, referenceTaken) = try await journey(firstCheck)
            if let existing {
                let repository = SQLReportRepository(db: tx, engine: engine)
                guard let found = try await repository.find(existing, force: report.forceID) else {
                    throw StoreDataError("journey \(journeyID) names a missing report")
                }
                return .alreadySubmitted(found)
            }
            guard referenceTaken else {
                for statement in writes { try await tx.execute(sql: statement) { _ in } }
                return .created(report)
            }
            // References are random: a force with a few hundred thousand reports will draw one
            // already given sooner or later, so a taken reference is drawn again here.
            var report = report
            var generator = SystemRandomNumberGenerator()
            var taken = true
            while taken {
                let old = SearchTerm.normalise(report.reference)
                report.reference = ReportReference.make(force: report.forceID, using: &generator)
                report.searchTerms = [SearchTerm.normalise(report.reference)] + report.searchTerms.filter { $0 != old }
                taken = try await journey(try check(reference: report.reference)).referenceTaken
            }
            for statement in try Self.submissionStatements(report, journeyID: journeyID, jobs: jobs) {
                try await tx.execute(sql: statement) { _ in }
            }
            return .created(report)
        }
        if case .created = outcome { doorbell?.ring() }
        return outcome
    }

    /// What a submission writes once its journey is known to be unsent and its reference free:
    /// the report, the journey's link to it, its files, its case and its outbox jobs.
    static func submissionStatements(_ report: Report, journeyID: String, jobs: [NewJob]) throws -> [BoundSQL] {
        var statements: [BoundSQL] = [
            """
            INSERT INTO reports (id, force_id, reference, service_id, service_version, answers, contact_name,
                contact_email, contact_phone, language, journey_id, created_at, match_features)
            VALUES (\(bind: report.id), \(bind: report.forceID.rawValue), \(bind: report.reference),
                \(bind: report.serviceID), \(bind: report.serviceVersion), \(bind: report.answers),
                \(bind: report.contactName), \(bind: report.contactEmail), \(bind: report.contactPhone),
                \(bind: report.language.rawValue), \(bind: journeyID), \(bind: report.createdAt.millisecondsSince1970),
                \(bind: report.matchFeatures))
            """,
            """
            UPDATE journeys SET report_id = \(bind: report.id), updated_at = \(bind: Date().millisecondsSince1970)
            WHERE id = \(bind: journeyID)
            """,
        ]
        // The files its answers name are the report's from now on: the journey's purge leaves them.
        if !report.fileIDs.isEmpty {
            statements.append(
                """
                UPDATE journey_files SET report_id = \(bind: report.id)
                WHERE journey_id = \(bind: journeyID) AND force_id = \(bind: report.forceID.rawValue)
                    AND id IN (\(binds: report.fileIDs))
                """)
        }
        statements += try SQLCaseRepository.openStatements(report)
        if let jobs = SQLJobQueue.insertStatement(jobs) { statements.append(jobs.statement) }
        return statements
    }

    package func files(report: String, force: ForceID) async throws -> [JourneyFile] {
        // Files uploaded before migration 0015 have no stored digest: theirs is read from the bytes.
        try await db.raw(
            """
            SELECT id, journey_id, question_id, file_name, content_type, size, sha256,
                CASE WHEN sha256 IS NULL THEN content END AS content
            FROM journey_files WHERE report_id = \(bind: report) AND force_id = \(bind: force.rawValue) ORDER BY created_at, id
            """
        ).all().map { row in
            var file = try SQLJourneyRepository.file(row, force: force, content: false)
            file.reportID = report
            file.sha256 = try row.decode(column: "sha256", as: String?.self)
                ?? SQLJourneyRepository.sha256(try row.decode(column: "content", as: Data.self))
            return file
        }
    }

    package func file(_ id: String, force: ForceID) async throws -> JourneyFile? {
        try await db.raw(
            """
            SELECT id, journey_id, question_id, file_name, content_type, size, content, report_id FROM journey_files
            WHERE id = \(bind: id) AND force_id = \(bind: force.rawValue) AND report_id IS NOT NULL
            """
        ).first().map { row in
            var file = try SQLJourneyRepository.file(row, force: force, content: true)
            file.reportID = try row.decode(column: "report_id", as: String.self)
            return file
        }
    }

    package func markDelivered(_ id: String, force: ForceID, at date: Date) async throws {
        try await db.raw(
            "UPDATE reports SET status = 'delivered' WHERE id = \(bind: id) AND force_id = \(bind: force.rawValue)"
        ).run()
    }

    /// The statement ``sharingKeys(_:pooled:force:from:to:excluding:perKey:)`` runs; nil when
    /// there are no keys to look for.
    package static func sharingKeysQuery(
        _ keys: [String], pooled: [String], force: ForceID, from: Date, to: Date, excluding: String, perKey: Int
    ) -> SQLQueryString? {
        let keys = Array(Set(keys)).sorted()
        let pooled = Array(Set(pooled).subtracting(keys)).sorted()
        guard !keys.isEmpty || !pooled.isEmpty else { return nil }
        // Each key reads its own short range of the index, newest first and at most `perKey`:
        // a reporter with hundreds of reports costs no more than one with a few.
        func range(_ keys: [String], limit: Int, index: Int) -> SQLQueryString {
            var condition: SQLQueryString = keys.count == 1 ? "match_key = \(bind: keys[0])" : "match_key IN ("
            if keys.count > 1 {
                for (position, key) in keys.enumerated() {
                    if position > 0 { condition.appendLiteral(", ") }
                    condition.appendInterpolation(bind: key)
                }
                condition.appendLiteral(")")
            }
            return """
                SELECT report_id FROM (SELECT report_id FROM report_match_keys
                    WHERE force_id = \(bind: force.rawValue) AND \(condition)
                    AND created_at >= \(bind: from.millisecondsSince1970) AND created_at <= \(bind: to.millisecondsSince1970)
                    ORDER BY created_at DESC LIMIT \(literal: max(1, limit))) AS k\(literal: index)
                """
        }
        var lookup: SQLQueryString = ""
        for (index, key) in keys.enumerated() {
            if index > 0 { lookup.appendLiteral(" UNION ") }
            lookup.appendInterpolation(range([key], limit: perKey, index: index))
        }
        if !pooled.isEmpty {
            if !keys.isEmpty { lookup.appendLiteral(" UNION ") }
            lookup.appendInterpolation(range(pooled, limit: perKey * pooled.count, index: keys.count))
        }
        // The ids found drive the join: each report is then read by its id. Written as
        // `force_id = ? AND id IN (…)`, SQLite without statistics for these tables (a new or
        // growing database) walked every report of the force and tested each against the list:
        // a cost that grew with the force's reports, 25,000 steps a lookup after 4,000. SQLite
        // keeps the order of a CROSS JOIN; PostgreSQL plans it as any inner join.
        return """
            SELECT r.id, r.reference, r.created_at, r.match_features
            FROM (\(lookup)) AS found CROSS JOIN reports r
            WHERE r.id = found.report_id AND r.force_id = \(bind: force.rawValue) AND r.id <> \(bind: excluding)
                AND r.match_features IS NOT NULL
            """
    }

    package func sharingKeys(_ keys: [String], pooled: [String], force: ForceID, from: Date, to: Date, excluding: String, perKey: Int)
        async throws -> [MatchedReport]
    {
        guard
            let query = Self.sharingKeysQuery(
                keys, pooled: pooled, force: force, from: from, to: to, excluding: excluding, perKey: perKey)
        else { return [] }
        return try await db.raw(query).all().map { row in
            MatchedReport(
                id: try row.decode(column: "id", as: String.self), reference: try row.decode(column: "reference", as: String.self),
                createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self)),
                features: try row.decode(column: "match_features", as: String.self))
        }
    }

    static func report(_ row: any SQLRow) throws -> Report {
        let force = try row.decode(column: "force_id", as: String.self)
        guard let forceID = ForceID(validating: force) else { throw StoreDataError("reports.force_id '\(force)' is malformed") }
        return Report(
            id: try row.decode(column: "id", as: String.self), forceID: forceID,
            reference: try row.decode(column: "reference", as: String.self),
            serviceID: try row.decode(column: "service_id", as: String.self),
            serviceVersion: try row.decode(column: "service_version", as: Int.self),
            answers: try row.decode(column: "answers", as: String.self),
            contactName: try row.decode(column: "contact_name", as: String?.self),
            contactEmail: try row.decode(column: "contact_email", as: String?.self),
            contactPhone: try row.decode(column: "contact_phone", as: String?.self),
            language: Language(rawValue: try row.decode(column: "language", as: String.self)) ?? .english,
            createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self)))
    }
}

/// Messages in `outbound_messages`: the local mailbox in demo mode, and the record of what was
/// sent otherwise.
package struct SQLMessageRepository: MessageRepository {
    package let db: any SQLDatabase

    package init(db: any SQLDatabase) { self.db = db }

    package func record(_ message: OutboundMessage, idempotencyKey: String) async throws -> Bool {
        try await db.raw(
            """
            INSERT INTO outbound_messages (id, force_id, idempotency_key, channel, recipient, subject, body, created_at)
            VALUES (\(bind: message.id), \(bind: message.forceID?.rawValue), \(bind: idempotencyKey), \(bind: message.channel.rawValue),
                \(bind: message.to), \(bind: message.subject), \(bind: message.body), \(bind: message.createdAt.millisecondsSince1970))
            ON CONFLICT (idempotency_key) DO NOTHING
            RETURNING id
            """
        ).first() != nil
    }

    package func find(idempotencyKey: String) async throws -> OutboundMessage? {
        try await db.raw(
            """
            SELECT id, force_id, channel, recipient, subject, body, created_at FROM outbound_messages
            WHERE idempotency_key = \(bind: idempotencyKey)
            """
        ).first().map(Self.message)
    }

    package func recent(limit: Int) async throws -> [OutboundMessage] {
        try await db.raw(
            """
            SELECT id, force_id, channel, recipient, subject, body, created_at FROM outbound_messages
            ORDER BY created_at DESC, id LIMIT \(bind: limit)
            """
        ).all().map(Self.message)
    }

    static func message(_ row: any SQLRow) throws -> OutboundMessage {
        OutboundMessage(
            id: try row.decode(column: "id", as: String.self),
            forceID: try row.decode(column: "force_id", as: String?.self).flatMap(ForceID.init(validating:)),
            channel: NotificationChannel(rawValue: try row.decode(column: "channel", as: String.self)) ?? .email,
            to: try row.decode(column: "recipient", as: String.self),
            subject: try row.decode(column: "subject", as: String.self),
            body: try row.decode(column: "body", as: String.self),
            createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self)))
    }
}
