import Foundation
import PeelCore
import SQLKit

/// MyPolice accounts in `citizens`, their sign-in codes in `citizen_codes` and sessions in
/// `citizen_sessions`.
package struct SQLCitizenRepository: CitizenRepository {
    package let db: any SQLDatabase
    let engine: DatabaseEngine

    package init(db: any SQLDatabase, engine: DatabaseEngine) {
        self.db = db
        self.engine = engine
    }

    package func issue(_ code: SignInCode, sending job: NewJob) async throws -> Result<Void, CodeIssueRefusal> {
        let engine = engine
        return try await inTransaction(on: db, engine: engine) { tx in
            let since = (code.createdAt - 3600).millisecondsSince1970
            let counts = try await tx.raw(
                """
                SELECT
                    (SELECT COUNT(*) FROM citizen_codes WHERE email = \(bind: code.email) AND created_at > \(bind: since)) AS by_address,
                    (SELECT COUNT(*) FROM citizen_codes WHERE client = \(bind: code.client) AND created_at > \(bind: since)) AS by_client
                """
            ).first()
            if try counts?.decode(column: "by_address", as: Int.self) ?? 0 >= SignInCode.perAddressPerHour {
                return .failure(.tooManyForAddress)
            }
            if try counts?.decode(column: "by_client", as: Int.self) ?? 0 >= SignInCode.perClientPerHour {
                return .failure(.tooManyForClient)
            }
            try await tx.raw(
                """
                INSERT INTO citizen_codes (id, email, pending_hash, code_hash, channel, client, created_at, expires_at)
                VALUES (\(bind: code.id), \(bind: code.email), \(bind: code.pendingHash), \(bind: code.codeHash),
                    \(bind: code.channel.rawValue), \(bind: code.client), \(bind: code.createdAt.millisecondsSince1970),
                    \(bind: code.expiresAt.millisecondsSince1970))
                """
            ).run()
            try await SQLJobQueue(db: tx, engine: engine).enqueue(job)
            return .success(())
        }
    }

    package func code(pendingHash: String) async throws -> SignInCode? {
        guard
            let row = try await db.raw(
                """
                SELECT id, email, pending_hash, code_hash, channel, client, created_at, expires_at, used_at, failed_attempts
                FROM citizen_codes WHERE pending_hash = \(bind: pendingHash)
                """
            ).first()
        else { return nil }
        return SignInCode(
            id: try row.decode(column: "id", as: String.self), email: try row.decode(column: "email", as: String.self),
            pendingHash: try row.decode(column: "pending_hash", as: String.self),
            codeHash: try row.decode(column: "code_hash", as: String.self),
            channel: NotificationChannel(rawValue: try row.decode(column: "channel", as: String.self)) ?? .email,
            client: try row.decode(column: "client", as: String.self),
            createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self)),
            expiresAt: Date(millisecondsSince1970: try row.decode(column: "expires_at", as: Int64.self)),
            usedAt: try row.decode(column: "used_at", as: Int64?.self).map(Date.init(millisecondsSince1970:)),
            failedAttempts: try row.decode(column: "failed_attempts", as: Int.self))
    }

    package func recordFailedAttempt(codeID: String) async throws -> Int {
        try await db.raw(
            "UPDATE citizen_codes SET failed_attempts = failed_attempts + 1 WHERE id = \(bind: codeID) RETURNING failed_attempts"
        ).first()?.decode(column: "failed_attempts", as: Int.self) ?? SignInCode.maximumAttempts
    }

    package func use(codeID: String, at date: Date) async throws -> Bool {
        try await db.raw(
            """
            UPDATE citizen_codes SET used_at = \(bind: date.millisecondsSince1970)
            WHERE id = \(bind: codeID) AND used_at IS NULL RETURNING id
            """
        ).first() != nil
    }

    package func signIn(email: String, language: Language, sessionHash: String, at date: Date) async throws -> Citizen {
        let engine = engine
        return try await inTransaction(on: db, engine: engine) { tx in
            let repository = SQLCitizenRepository(db: tx, engine: engine)
            let now = date.millisecondsSince1970
            var citizen: Citizen
            if let found = try await repository.find(email: email) {
                citizen = found
                citizen.language = language
                try await tx.raw("UPDATE citizens SET language = \(bind: language.rawValue) WHERE id = \(bind: citizen.id)").run()
            } else {
                citizen = Citizen(
                    id: RecordID.make(), email: email, phone: nil, language: language, emailConsent: true,
                    smsConsent: true, createdAt: date)
                try await tx.raw(
                    """
                    INSERT INTO citizens (id, email, language, created_at)
                    VALUES (\(bind: citizen.id), \(bind: email), \(bind: language.rawValue), \(bind: now))
                    """
                ).run()
            }
            // The address is now verified: reports made with it are the person's.
            try await tx.raw(
                """
                UPDATE reports SET citizen_id = \(bind: citizen.id)
                WHERE lower(contact_email) = \(bind: email) AND citizen_id IS NULL
                """
            ).run()
            try await tx.raw(
                """
                INSERT INTO citizen_sessions (id_hash, citizen_id, created_at, last_seen_at)
                VALUES (\(bind: sessionHash), \(bind: citizen.id), \(bind: now), \(bind: now))
                """
            ).run()
            return citizen
        }
    }

    package func session(idHash: String) async throws -> CitizenSession? {
        guard
            let row = try await db.raw(
                "SELECT id_hash, citizen_id, created_at, last_seen_at FROM citizen_sessions WHERE id_hash = \(bind: idHash)"
            ).first()
        else { return nil }
        return CitizenSession(
            idHash: try row.decode(column: "id_hash", as: String.self),
            citizenID: try row.decode(column: "citizen_id", as: String.self),
            createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self)),
            lastSeenAt: Date(millisecondsSince1970: try row.decode(column: "last_seen_at", as: Int64.self)))
    }

    package func touchSession(idHash: String, at date: Date) async throws {
        try await db.raw(
            "UPDATE citizen_sessions SET last_seen_at = \(bind: date.millisecondsSince1970) WHERE id_hash = \(bind: idHash)"
        ).run()
    }

    package func deleteSession(idHash: String) async throws {
        try await db.raw("DELETE FROM citizen_sessions WHERE id_hash = \(bind: idHash)").run()
    }

    package func deleteSessions(citizenID: String) async throws {
        try await db.raw("DELETE FROM citizen_sessions WHERE citizen_id = \(bind: citizenID)").run()
    }

    /// Deletes sessions past their idle or absolute timeout, and sign-in codes two hours old
    /// (kept an hour past their ten minutes for the per-address and per-client limits).
    /// Returns how many rows went.
    package func purge(now: Date) async throws -> Int {
        let idle = (now - CitizenSession.idleTimeout).millisecondsSince1970
        let absolute = (now - CitizenSession.absoluteTimeout).millisecondsSince1970
        let sessions = try await db.raw(
            "DELETE FROM citizen_sessions WHERE last_seen_at < \(bind: idle) OR created_at < \(bind: absolute) RETURNING id_hash"
        ).all().count
        let codes = try await db.raw(
            "DELETE FROM citizen_codes WHERE created_at < \(bind: (now - 2 * 3600).millisecondsSince1970) RETURNING id"
        ).all().count
        return sessions + codes
    }

    private static let columns = "id, email, phone, language, email_consent, sms_consent, created_at"

    package func find(id: String) async throws -> Citizen? {
        try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM citizens WHERE id = \(bind: id)").first().map(Self.citizen)
    }

    package func find(email: String) async throws -> Citizen? {
        try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM citizens WHERE email = \(bind: email)").first().map(Self.citizen)
    }

    package func update(_ citizen: Citizen) async throws {
        try await db.raw(
            """
            UPDATE citizens SET phone = \(bind: citizen.phone), language = \(bind: citizen.language.rawValue),
                email_consent = \(bind: citizen.emailConsent ? 1 : 0), sms_consent = \(bind: citizen.smsConsent ? 1 : 0)
            WHERE id = \(bind: citizen.id)
            """
        ).run()
    }

    package func owner(reportID: String, force: ForceID) async throws -> Citizen? {
        try await db.raw(
            """
            SELECT \(unsafeRaw: Self.columns.split(separator: ",").map { "c." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", "))
            FROM citizens c JOIN reports r ON r.citizen_id = c.id
            WHERE r.id = \(bind: reportID) AND r.force_id = \(bind: force.rawValue)
            """
        ).first().map(Self.citizen)
    }

    package func claim(reportID: String, force: ForceID, citizenID: String, email: String) async throws {
        try await db.raw(
            """
            UPDATE reports SET citizen_id = \(bind: citizenID)
            WHERE id = \(bind: reportID) AND force_id = \(bind: force.rawValue) AND lower(contact_email) = \(bind: email)
                AND citizen_id IS NULL
            """
        ).run()
    }

    static func citizen(_ row: any SQLRow) throws -> Citizen {
        Citizen(
            id: try row.decode(column: "id", as: String.self), email: try row.decode(column: "email", as: String.self),
            phone: try row.decode(column: "phone", as: String?.self),
            language: Language(rawValue: try row.decode(column: "language", as: String.self)) ?? .english,
            emailConsent: try row.decode(column: "email_consent", as: Int.self) == 1,
            smsConsent: try row.decode(column: "sms_consent", as: Int.self) == 1,
            createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self)))
    }
}

/// Reports, timelines and messages as MyPolice shows them. Every query of the person's side
/// names the person (`reports.citizen_id`); staff's side names the force.
package struct SQLPortalRepository: PortalRepository {
    package let db: any SQLDatabase
    let engine: DatabaseEngine

    package init(db: any SQLDatabase, engine: DatabaseEngine) {
        self.db = db
        self.engine = engine
    }

    private static let summarySelection = """
        SELECT r.id, r.force_id, r.reference, r.service_id, r.created_at, c.status, c.outcome, c.updated_at,
            (SELECT COUNT(*) FROM report_messages m
                WHERE m.report_id = r.id AND m.sender = 'staff' AND m.read_at IS NULL) AS unread
        FROM reports r JOIN cases c ON c.report_id = r.id
        """

    package func reports(citizenID: String) async throws -> [PortalReportSummary] {
        try await db.raw(
            "\(unsafeRaw: Self.summarySelection) WHERE r.citizen_id = \(bind: citizenID) ORDER BY r.created_at DESC LIMIT 200"
        ).all().map(Self.summary)
    }

    package func report(reference: String, force: ForceID, citizenID: String) async throws -> PortalReport? {
        guard
            let row = try await db.raw(
                """
                SELECT r.id, r.force_id, r.reference, r.service_id, r.created_at, c.status, c.outcome, c.updated_at,
                    (SELECT COUNT(*) FROM report_messages m
                        WHERE m.report_id = r.id AND m.sender = 'staff' AND m.read_at IS NULL) AS unread,
                    r.answers, r.service_version, r.records_reference, c.assigned_to, s.name AS officer_name,
                    s.collar_number, f.portal_shows_officer
                FROM reports r JOIN cases c ON c.report_id = r.id JOIN forces f ON f.id = r.force_id
                    LEFT JOIN staff s ON s.id = c.assigned_to
                WHERE r.force_id = \(bind: force.rawValue) AND r.reference = \(bind: reference.uppercased())
                    AND r.citizen_id = \(bind: citizenID)
                """
            ).first()
        else { return nil }
        let summary = try Self.summary(row)
        let showsOfficer = try row.decode(column: "portal_shows_officer", as: Int.self) == 1
        let messages = try await thread(reportID: summary.reportID, force: force)
        return PortalReport(
            summary: summary, answers: try row.decode(column: "answers", as: String.self),
            serviceVersion: try row.decode(column: "service_version", as: Int.self),
            recordsReference: try row.decode(column: "records_reference", as: String?.self),
            officerName: showsOfficer ? try row.decode(column: "officer_name", as: String?.self) : nil,
            officerCollarNumber: showsOfficer ? try row.decode(column: "collar_number", as: String?.self) : nil,
            hasOfficer: try row.decode(column: "assigned_to", as: String?.self) != nil,
            timeline: try await timeline(reportID: summary.reportID, force: force), messages: messages,
            lastUpdateRequest: messages.last(where: { $0.kind == .updateRequest })?.createdAt)
    }

    func timeline(reportID: String, force: ForceID) async throws -> [PortalTimelineEntry] {
        try await db.raw(
            """
            SELECT at, public_update FROM case_events
            WHERE report_id = \(bind: reportID) AND force_id = \(bind: force.rawValue) AND public_update IS NOT NULL
            ORDER BY position
            """
        ).all().map { row in
            PortalTimelineEntry(
                at: Date(millisecondsSince1970: try row.decode(column: "at", as: Int64.self)),
                update: try JSONDecoder().decode(
                    PublicUpdate.self, from: Data(try row.decode(column: "public_update", as: String.self).utf8)))
        }
    }

    package func markReadByPerson(reportID: String, citizenID: String, at date: Date) async throws {
        try await db.raw(
            """
            UPDATE report_messages SET read_at = \(bind: date.millisecondsSince1970)
            WHERE report_id = \(bind: reportID) AND sender = 'staff' AND read_at IS NULL
                AND report_id IN (SELECT id FROM reports WHERE id = \(bind: reportID) AND citizen_id = \(bind: citizenID))
            """
        ).run()
    }

    package func send(_ message: PortalMessage, citizenID: String) async throws {
        let engine = engine
        try await inTransaction(on: db, engine: engine) { tx in
            guard
                try await tx.raw(
                    """
                    SELECT id FROM reports
                    WHERE id = \(bind: message.reportID) AND force_id = \(bind: message.forceID.rawValue)
                        AND citizen_id = \(bind: citizenID)
                    """
                ).first() != nil
            else { throw PortalNotFound() }
            try await Self.insert(message, staffID: nil, on: tx)
            try await tx.raw(
                """
                UPDATE cases SET unread_messages = unread_messages + 1, updated_at = \(bind: message.createdAt.millisecondsSince1970)
                WHERE report_id = \(bind: message.reportID)
                """
            ).run()
            let eventID = RecordID.make()
            try await SQLCaseRepository.appendEvent(
                CaseEvent(
                    id: eventID, reportID: message.reportID, forceID: message.forceID, at: message.createdAt, actorID: nil,
                    actorName: nil, kind: .message,
                    text: message.kind == .updateRequest
                        ? "The person who made the report asked for an update" : "The person who made the report sent a message"),
                on: tx)
            if message.kind == .updateRequest {
                let payload = PortalUpdateJobPayload(report: message.reportID, force: message.forceID, event: eventID, audience: .officer)
                try await SQLJobQueue(db: tx, engine: engine).enqueue(try payload.job(at: Date()))
            }
        }
    }

    package func thread(reportID: String, force: ForceID) async throws -> [PortalMessage] {
        try await db.raw(
            """
            SELECT m.id, m.report_id, m.force_id, m.sender, m.kind, m.body, m.created_at, m.read_at, s.name AS staff_name
            FROM report_messages m LEFT JOIN staff s ON s.id = m.staff_id
            WHERE m.report_id = \(bind: reportID) AND m.force_id = \(bind: force.rawValue)
            ORDER BY m.created_at, m.id
            """
        ).all().map { row in
            PortalMessage(
                id: try row.decode(column: "id", as: String.self), reportID: reportID, forceID: force,
                sender: PortalMessage.Sender(rawValue: try row.decode(column: "sender", as: String.self)) ?? .person,
                staffName: try row.decode(column: "staff_name", as: String?.self),
                kind: PortalMessage.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .message,
                body: try row.decode(column: "body", as: String.self),
                createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self)),
                readAt: try row.decode(column: "read_at", as: Int64?.self).map(Date.init(millisecondsSince1970:)))
        }
    }

    package func markReadByStaff(reportID: String, force: ForceID, at date: Date) async throws {
        // Every view by staff who may answer calls this; most find nothing unread, and a read
        // costs no turn of the single writer.
        let unread = try await db.raw(
            "SELECT unread_messages FROM cases WHERE report_id = \(bind: reportID) AND force_id = \(bind: force.rawValue)"
        ).first()?.decode(column: "unread_messages", as: Int.self)
        guard let unread, unread > 0 else { return }
        let engine = engine
        try await inTransaction(on: db, engine: engine) { tx in
            try await tx.raw(
                """
                UPDATE report_messages SET read_at = \(bind: date.millisecondsSince1970)
                WHERE report_id = \(bind: reportID) AND force_id = \(bind: force.rawValue) AND sender = 'person' AND read_at IS NULL
                """
            ).run()
            try await tx.raw(
                """
                UPDATE cases SET unread_messages = 0
                WHERE report_id = \(bind: reportID) AND force_id = \(bind: force.rawValue) AND unread_messages <> 0
                """
            ).run()
        }
    }

    package func reply(reportID: String, force: ForceID, staff: StaffMember, body: String, at date: Date) async throws
        -> PortalMessage
    {
        let engine = engine
        return try await inTransaction(on: db, engine: engine) { tx in
            guard
                try await tx.raw(
                    "SELECT report_id FROM cases WHERE report_id = \(bind: reportID) AND force_id = \(bind: force.rawValue)"
                ).first() != nil
            else { throw CaseChangeError.notFound }
            let message = PortalMessage(
                id: RecordID.make(), reportID: reportID, forceID: force, sender: .staff, staffName: staff.name,
                kind: .message, body: body, createdAt: date, readAt: nil)
            try await Self.insert(message, staffID: staff.id, on: tx)
            // The person's messages are answered: staff have read them.
            try await tx.raw(
                """
                UPDATE report_messages SET read_at = \(bind: date.millisecondsSince1970)
                WHERE report_id = \(bind: reportID) AND sender = 'person' AND read_at IS NULL
                """
            ).run()
            try await tx.raw(
                "UPDATE cases SET unread_messages = 0, updated_at = \(bind: date.millisecondsSince1970) WHERE report_id = \(bind: reportID)"
            ).run()
            try await SQLCaseRepository.appendEvent(
                CaseEvent(
                    id: RecordID.make(), reportID: reportID, forceID: force, at: date, actorID: staff.id,
                    actorName: staff.name, kind: .message, text: "Message sent to the person who made the report",
                    publicUpdate: PublicUpdate(kind: .reply)),
                on: tx)
            try await SQLAuditLog(db: tx, engine: engine).append(
                AuditRecord(
                    forceID: force, actorID: staff.id, action: "report.message", subject: "report:\(reportID)",
                    detail: "message of \(body.count) characters to the person who made the report"),
                at: date)
            return message
        }
    }

    package func export(citizenID: String, at date: Date) async throws -> CitizenExport? {
        guard let account = try await SQLCitizenRepository(db: db, engine: engine).find(id: citizenID) else { return nil }
        let rows = try await db.raw(
            """
            SELECT r.id, r.force_id, r.reference, r.service_id, r.created_at, r.answers, r.contact_name, r.contact_email,
                r.contact_phone, r.records_reference, c.status, c.outcome
            FROM reports r JOIN cases c ON c.report_id = r.id
            WHERE r.citizen_id = \(bind: citizenID) ORDER BY r.created_at
            """
        ).all()
        var reports: [CitizenExport.ExportedReport] = []
        for row in rows {
            let id = try row.decode(column: "id", as: String.self)
            let forceText = try row.decode(column: "force_id", as: String.self)
            guard let force = ForceID(validating: forceText) else { throw StoreDataError("reports.force_id '\(forceText)' is malformed") }
            var contact: [String: String] = [:]
            for (key, column) in [("name", "contact_name"), ("email", "contact_email"), ("phone", "contact_phone")] {
                if let value = try row.decode(column: column, as: String?.self) { contact[key] = value }
            }
            reports.append(
                CitizenExport.ExportedReport(
                    reference: try row.decode(column: "reference", as: String.self), force: forceText,
                    service: try row.decode(column: "service_id", as: String.self),
                    submittedAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self)),
                    status: try row.decode(column: "status", as: String.self),
                    outcome: try row.decode(column: "outcome", as: String?.self),
                    forceReference: try row.decode(column: "records_reference", as: String?.self), contact: contact,
                    answers: try row.decode(column: "answers", as: String.self),
                    timeline: try await timeline(reportID: id, force: force).map(\.update),
                    messages: try await thread(reportID: id, force: force)))
        }
        // What Peel sent them: to their address, and to their mobile number if they gave one.
        let recipients = [account.email] + (account.phone.map { [$0] } ?? [])
        var select: SQLQueryString = "SELECT channel, recipient, template, status, created_at FROM notifications WHERE recipient IN ("
        for (index, recipient) in recipients.enumerated() {
            if index > 0 { select.appendLiteral(", ") }
            select.appendInterpolation(bind: recipient)
        }
        select.appendLiteral(") ORDER BY created_at")
        let notifications = try await db.raw(select).all().map { row in
            CitizenExport.ExportedNotification(
                channel: try row.decode(column: "channel", as: String.self), recipient: try row.decode(column: "recipient", as: String.self),
                template: try row.decode(column: "template", as: String.self), status: try row.decode(column: "status", as: String.self),
                createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self)))
        }
        return CitizenExport(account: account, reports: reports, notifications: notifications, exportedAt: date)
    }

    private static func insert(_ message: PortalMessage, staffID: String?, on tx: any SQLDatabase) async throws {
        try await tx.raw(
            """
            INSERT INTO report_messages (id, report_id, force_id, sender, staff_id, kind, body, created_at)
            VALUES (\(bind: message.id), \(bind: message.reportID), \(bind: message.forceID.rawValue),
                \(bind: message.sender.rawValue), \(bind: staffID), \(bind: message.kind.rawValue), \(bind: message.body),
                \(bind: message.createdAt.millisecondsSince1970))
            """
        ).run()
    }

    private static func summary(_ row: any SQLRow) throws -> PortalReportSummary {
        let forceText = try row.decode(column: "force_id", as: String.self)
        guard let force = ForceID(validating: forceText) else { throw StoreDataError("reports.force_id '\(forceText)' is malformed") }
        let statusText = try row.decode(column: "status", as: String.self)
        guard let status = CaseStatus(rawValue: statusText) else { throw StoreDataError("cases.status '\(statusText)' is unknown") }
        return PortalReportSummary(
            reportID: try row.decode(column: "id", as: String.self), forceID: force,
            reference: try row.decode(column: "reference", as: String.self),
            serviceID: try row.decode(column: "service_id", as: String.self), status: status,
            outcome: try row.decode(column: "outcome", as: String?.self).flatMap(CaseOutcome.init(rawValue:)),
            createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: Date(millisecondsSince1970: try row.decode(column: "updated_at", as: Int64.self)),
            unread: try row.decode(column: "unread", as: Int.self))
    }
}

/// A report that is not the person's, or not there: the two look alike.
package struct PortalNotFound: Error {}
