import Foundation
import PeelCore
import SQLKit

/// The back office's handling of reports: `cases` (status, grade, officer in charge), the
/// timeline in `case_events`, and the search terms in `case_search`. Every query names the force.
package struct SQLCaseRepository: CaseRepository {
    package let db: any SQLDatabase
    let engine: DatabaseEngine

    package init(db: any SQLDatabase, engine: DatabaseEngine) {
        self.db = db
        self.engine = engine
    }

    /// The statements that open a new report's case, run in the submission's transaction: the
    /// case, its search terms and match keys (one
    /// statement each for all of them: every statement is a turn of the single writer), and its
    /// first timeline event.
    static func openStatements(_ report: Report) throws -> [BoundSQL] {
        let at = report.createdAt.millisecondsSince1970
        var statements: [BoundSQL] = [
            """
            INSERT INTO cases (report_id, force_id, status, risk_rank, service_id, created_at, updated_at)
            VALUES (\(bind: report.id), \(bind: report.forceID.rawValue), 'new', \(bind: ResponseGrade.rank(nil)),
                \(bind: report.serviceID), \(bind: at), \(bind: at))
            """
        ]
        if !report.searchTerms.isEmpty {
            var insert: BoundSQL = "INSERT INTO case_search (force_id, term, report_id) VALUES "
            for (index, term) in report.searchTerms.enumerated() {
                if index > 0 { insert.append(", ") }
                insert.append("(\(bind: report.forceID.rawValue), \(bind: term), \(bind: report.id))")
            }
            statements.append(insert)
        }
        if !report.matchKeys.isEmpty {
            var insert: BoundSQL = "INSERT INTO report_match_keys (force_id, match_key, created_at, report_id) VALUES "
            for (index, key) in Set(report.matchKeys).sorted().enumerated() {
                if index > 0 { insert.append(", ") }
                insert.append("(\(bind: report.forceID.rawValue), \(bind: key), \(bind: at), \(bind: report.id))")
            }
            statements.append(insert)
        }
        statements += try eventStatements(
            CaseEvent(
                id: RecordID.make(), reportID: report.id, forceID: report.forceID, at: report.createdAt,
                actorID: nil, actorName: nil, kind: .submitted, text: "Report \(report.reference) submitted online",
                publicUpdate: PublicUpdate(kind: .submitted)))
        return statements
    }

    private static let selection = """
        SELECT r.id, r.force_id, r.reference, r.service_id, r.service_version, r.answers, r.contact_name, r.contact_email,
            r.contact_phone, r.language, r.created_at, c.status AS case_status, c.grade, c.assigned_to, c.outcome,
            c.updated_at AS case_updated_at, c.unread_messages, s.name AS assigned_name
        FROM cases c JOIN reports r ON r.id = c.report_id LEFT JOIN staff s ON s.id = c.assigned_to
        """

    package func queue(force: ForceID, query: CaseQuery) async throws -> CasePage {
        var conditions: SQLQueryString = "c.force_id = \(bind: force.rawValue)"
        let statuses = query.statuses.isEmpty ? CaseStatus.allCases : query.statuses
        conditions.appendLiteral(" AND c.status IN (")
        for (index, status) in statuses.enumerated() {
            if index > 0 { conditions.appendLiteral(", ") }
            conditions.appendInterpolation(bind: status.rawValue)
        }
        conditions.appendLiteral(")")
        if let service = query.serviceID { conditions.appendInterpolation(" AND c.service_id = \(bind: service)" as SQLQueryString) }
        if let grade = query.grade { conditions.appendInterpolation(" AND c.grade = \(bind: grade.rawValue)" as SQLQueryString) }
        if let staff = query.assignedTo { conditions.appendInterpolation(" AND c.assigned_to = \(bind: staff)" as SQLQueryString) }
        if query.unassignedOnly { conditions.appendLiteral(" AND c.assigned_to IS NULL") }
        if let from = query.from {
            conditions.appendInterpolation(" AND c.created_at >= \(bind: from.millisecondsSince1970)" as SQLQueryString)
        }
        if let to = query.to {
            conditions.appendInterpolation(" AND c.created_at < \(bind: to.millisecondsSince1970)" as SQLQueryString)
        }
        if let search = query.search.map(SearchTerm.normalise), !search.isEmpty {
            // A prefix of any stored term: the terms are normalised, so "~" sorts after them all.
            conditions.appendInterpolation(
                """
                 AND c.report_id IN (SELECT report_id FROM case_search
                    WHERE force_id = \(bind: force.rawValue) AND term >= \(bind: search) AND term < \(bind: search + "~"))
                """ as SQLQueryString)
        }
        let offset = max(0, query.page - 1) * CaseQuery.pageSize
        var select: SQLQueryString = "\(unsafeRaw: Self.selection) WHERE "
        select.appendInterpolation(conditions)
        select.appendInterpolation(
            " ORDER BY c.risk_rank, c.created_at, c.report_id LIMIT \(literal: CaseQuery.pageSize) OFFSET \(literal: offset)"
                as SQLQueryString)
        var count: SQLQueryString = "SELECT COUNT(*) AS n FROM (SELECT 1 FROM cases c WHERE "
        count.appendInterpolation(conditions)
        count.appendInterpolation(" LIMIT \(literal: CasePage.countLimit + 1)) counted" as SQLQueryString)
        let rows = try await db.raw(select).all()
        let counted = Int(try await db.raw(count).first()?.decode(column: "n", as: Int64.self) ?? 0)
        return CasePage(
            cases: try rows.map(Self.summary), total: min(counted, CasePage.countLimit),
            moreThanTotal: counted > CasePage.countLimit)
    }

    package func find(reportID: String, force: ForceID) async throws -> CaseSummary? {
        try await db.raw(
            "\(unsafeRaw: Self.selection) WHERE c.report_id = \(bind: reportID) AND c.force_id = \(bind: force.rawValue)"
        ).first().map(Self.summary)
    }

    package func thrive(reportID: String, force: ForceID) async throws -> ThriveAssessment? {
        guard
            let text = try await db.raw(
                "SELECT thrive FROM cases WHERE report_id = \(bind: reportID) AND force_id = \(bind: force.rawValue)"
            ).first()?.decode(column: "thrive", as: String?.self)
        else { return nil }
        return try JSONDecoder().decode(ThriveAssessment.self, from: Data(text.utf8))
    }

    package func events(reportID: String, force: ForceID) async throws -> [CaseEvent] {
        try await db.raw(
            """
            SELECT e.id, e.report_id, e.force_id, e.at, e.actor_id, e.kind, e.text, s.name AS actor_name
            FROM case_events e LEFT JOIN staff s ON s.id = e.actor_id
            WHERE e.report_id = \(bind: reportID) AND e.force_id = \(bind: force.rawValue)
            ORDER BY e.position
            """
        ).all().map { row in
            let kindText = try row.decode(column: "kind", as: String.self)
            guard let kind = CaseEvent.Kind(rawValue: kindText) else { throw StoreDataError("case_events.kind '\(kindText)' is unknown") }
            return CaseEvent(
                id: try row.decode(column: "id", as: String.self), reportID: reportID, forceID: force,
                at: Date(millisecondsSince1970: try row.decode(column: "at", as: Int64.self)),
                actorID: try row.decode(column: "actor_id", as: String?.self),
                actorName: try row.decode(column: "actor_name", as: String?.self), kind: kind,
                text: try row.decode(column: "text", as: String.self))
        }
    }

    package func apply(_ change: CaseChange, reportID: String, force: ForceID, actor: StaffMember, at date: Date) async throws
        -> CaseSummary
    {
        let engine = engine
        return try await inTransaction(on: db, engine: engine) { tx in
            let lock = engine == .postgres ? "FOR UPDATE" : ""
            guard
                let row = try await tx.raw(
                    """
                    SELECT status FROM cases
                    WHERE report_id = \(bind: reportID) AND force_id = \(bind: force.rawValue) \(unsafeRaw: lock)
                    """
                ).first()
            else { throw CaseChangeError.notFound }
            let statusText = try row.decode(column: "status", as: String.self)
            guard let status = CaseStatus(rawValue: statusText) else { throw StoreDataError("cases.status '\(statusText)' is unknown") }
            let now = date.millisecondsSince1970
            let eventText: String
            let kind: CaseEvent.Kind
            let action: String
            var publicUpdate: PublicUpdate?
            switch change {
            case .assess(let assessment):
                guard status != .closed else { throw CaseChangeError.closedReport }
                let json = String(decoding: try JSONEncoder().encode(assessment), as: UTF8.self)
                let newStatus = status == .new ? CaseStatus.triaged : status
                try await tx.raw(
                    """
                    UPDATE cases SET thrive = \(bind: json), grade = \(bind: assessment.grade.rawValue),
                        risk_rank = \(bind: ResponseGrade.rank(assessment.grade)), status = \(bind: newStatus.rawValue),
                        updated_at = \(bind: now)
                    WHERE report_id = \(bind: reportID)
                    """
                ).run()
                kind = .assessed
                action = "report.assess"
                eventText =
                    "THRIVE assessment: threat \(assessment.threat.rawValue), harm \(assessment.harm.rawValue), risk \(assessment.risk.rawValue); \(assessment.grade.title)"
            case .assign(let staffID, let name):
                guard status != .closed else { throw CaseChangeError.closedReport }
                let newStatus = [.new, .triaged].contains(status) ? CaseStatus.assigned : status
                try await tx.raw(
                    """
                    UPDATE cases SET assigned_to = \(bind: staffID), status = \(bind: newStatus.rawValue), updated_at = \(bind: now)
                    WHERE report_id = \(bind: reportID)
                    """
                ).run()
                kind = .assigned
                action = "report.assign"
                eventText = "Assigned to \(name)"
                publicUpdate = PublicUpdate(kind: .assigned)
            case .status(let target, let outcome):
                guard status.next.contains(target) else { throw CaseChangeError.transitionNotAllowed(from: status, to: target) }
                if target == .closed, outcome == nil { throw CaseChangeError.outcomeRequired }
                let kept = target == .closed ? outcome?.rawValue : nil
                try await tx.raw(
                    """
                    UPDATE cases SET status = \(bind: target.rawValue), outcome = \(bind: kept), updated_at = \(bind: now)
                    WHERE report_id = \(bind: reportID)
                    """
                ).run()
                kind = .status
                action = "report.status"
                publicUpdate = PublicUpdate(kind: .status, status: target, outcome: target == .closed ? outcome : nil)
                eventText = target == .closed
                    ? "Closed: \(outcome?.title ?? "")" : (status == .closed ? "Reopened" : "Status changed to \(target.title.lowercased())")
            case .note(let text):
                try await tx.raw("UPDATE cases SET updated_at = \(bind: now) WHERE report_id = \(bind: reportID)").run()
                kind = .note
                action = "report.note"
                eventText = text
            }
            try await Self.appendEvent(
                CaseEvent(
                    id: RecordID.make(), reportID: reportID, forceID: force, at: date, actorID: actor.id,
                    actorName: actor.name, kind: kind, text: eventText, publicUpdate: publicUpdate),
                on: tx)
            try await SQLAuditLog(db: tx, engine: engine).append(
                AuditRecord(
                    forceID: force, actorID: actor.id, action: action, subject: "report:\(reportID)",
                    detail: kind == .note ? "note of \(eventText.count) characters" : eventText),
                at: date)
            guard let summary = try await SQLCaseRepository(db: tx, engine: engine).find(reportID: reportID, force: force) else {
                throw CaseChangeError.notFound
            }
            return summary
        }
    }

    package func duplicates(reportID: String, force: ForceID) async throws -> DuplicateLinks {
        let rows = try await db.raw(
            """
            SELECT d.candidate_id, d.candidate_reference, d.score, d.reasons, d.decision, d.decided_by, d.decided_at,
                s.name AS decided_by_name
            FROM duplicate_candidates d LEFT JOIN staff s ON s.id = d.decided_by
            WHERE d.report_id = \(bind: reportID) AND d.force_id = \(bind: force.rawValue)
            ORDER BY d.score DESC, d.candidate_reference
            """
        ).all()
        let later = try await db.raw(
            """
            SELECT d.report_id, r.reference FROM duplicate_candidates d JOIN reports r ON r.id = d.report_id
            WHERE d.candidate_id = \(bind: reportID) AND d.force_id = \(bind: force.rawValue) AND d.decision = 'confirmed'
            ORDER BY r.reference
            """
        ).all()
        return DuplicateLinks(
            candidates: try rows.map { try Self.candidate($0, reportID: reportID, force: force) },
            confirmedLater: try later.map {
                DuplicateLinks.Later(
                    reportID: try $0.decode(column: "report_id", as: String.self), reference: try $0.decode(column: "reference", as: String.self))
            })
    }

    package func decideDuplicate(
        reportID: String, candidateID: String, force: ForceID, decision: DuplicateDecision, actor: StaffMember, at date: Date
    ) async throws -> DuplicateCandidate {
        guard decision != .undecided else { throw DuplicateDecisionError.undecidedChosen }
        let engine = engine
        return try await inTransaction(on: db, engine: engine) { tx in
            // Both reports' timelines change: hold both case rows (on PostgreSQL; SQLite has one
            // writer), in one order so that two decisions cannot wait on each other.
            if engine == .postgres {
                try await tx.raw(
                    """
                    SELECT report_id FROM cases WHERE report_id IN (\(bind: reportID), \(bind: candidateID))
                        AND force_id = \(bind: force.rawValue)
                    ORDER BY report_id FOR UPDATE
                    """
                ).run()
            }
            guard
                let row = try await tx.raw(
                    """
                    SELECT d.candidate_id, d.candidate_reference, d.score, d.reasons, d.decision, d.decided_by, d.decided_at,
                        s.name AS decided_by_name, r.reference
                    FROM duplicate_candidates d JOIN reports r ON r.id = d.report_id LEFT JOIN staff s ON s.id = d.decided_by
                    WHERE d.report_id = \(bind: reportID) AND d.candidate_id = \(bind: candidateID) AND d.force_id = \(bind: force.rawValue)
                    """
                ).first()
            else { throw DuplicateDecisionError.notFound }
            var candidate = try Self.candidate(row, reportID: reportID, force: force)
            let reference = try row.decode(column: "reference", as: String.self)
            guard candidate.decision == .undecided else {
                throw DuplicateDecisionError.alreadyDecided(candidate.decision, reference: candidate.candidateReference)
            }
            // Decided once: the condition on `undecided` holds even against a decision made meanwhile.
            let updated = try await tx.raw(
                """
                UPDATE duplicate_candidates SET decision = \(bind: decision.rawValue), decided_by = \(bind: actor.id),
                    decided_at = \(bind: date.millisecondsSince1970)
                WHERE report_id = \(bind: reportID) AND candidate_id = \(bind: candidateID) AND decision = 'undecided'
                RETURNING report_id
                """
            ).first()
            guard updated != nil else { throw DuplicateDecisionError.alreadyDecided(decision, reference: candidate.candidateReference) }
            let confirmed = decision == .confirmed
            try await tx.raw("UPDATE cases SET updated_at = \(bind: date.millisecondsSince1970) WHERE report_id = \(bind: reportID)").run()
            for (id, text) in [
                (reportID, confirmed ? "Confirmed as a duplicate of \(candidate.candidateReference)" : "Not a duplicate of \(candidate.candidateReference)"),
                (candidateID, confirmed ? "\(reference) confirmed as a duplicate of this report" : "\(reference) judged not a duplicate of this report"),
            ] {
                try await Self.appendEvent(
                    CaseEvent(
                        id: RecordID.make(), reportID: id, forceID: force, at: date, actorID: actor.id,
                        actorName: actor.name, kind: .duplicateDecision, text: text),
                    on: tx)
            }
            try await SQLAuditLog(db: tx, engine: engine).append(
                AuditRecord(
                    forceID: force, actorID: actor.id, action: confirmed ? "report.duplicate.confirmed" : "report.duplicate.rejected",
                    subject: "report:\(reportID)", detail: "\(confirmed ? "duplicate" : "not a duplicate") of \(candidate.candidateReference) (report:\(candidateID))"),
                at: date)
            candidate.decision = decision
            candidate.decidedBy = actor.id
            candidate.decidedByName = actor.name
            candidate.decidedAt = date
            return candidate
        }
    }

    private static func candidate(_ row: any SQLRow, reportID: String, force: ForceID) throws -> DuplicateCandidate {
        let decisionText = try row.decode(column: "decision", as: String.self)
        guard let decision = DuplicateDecision(rawValue: decisionText) else {
            throw StoreDataError("duplicate_candidates.decision '\(decisionText)' is unknown")
        }
        return DuplicateCandidate(
            reportID: reportID, forceID: force, candidateID: try row.decode(column: "candidate_id", as: String.self),
            candidateReference: try row.decode(column: "candidate_reference", as: String.self),
            score: try row.decode(column: "score", as: Double.self),
            reasons: try JSONDecoder().decode([String].self, from: Data(try row.decode(column: "reasons", as: String.self).utf8)),
            decision: decision, decidedBy: try row.decode(column: "decided_by", as: String?.self),
            decidedByName: try row.decode(column: "decided_by_name", as: String?.self),
            decidedAt: try row.decode(column: "decided_at", as: Int64?.self).map(Date.init(millisecondsSince1970:)))
    }

    /// Appends to the report's timeline; the caller's transaction holds the report (its case row
    /// on PostgreSQL, the single writer on SQLite), so positions follow one another.
    /// Appends an event to a report's timeline. One with a public update that notifies also
    /// enqueues, on the same transaction, the job that tells the person who made the report.
    static func appendEvent(_ event: CaseEvent, on tx: any SQLDatabase) async throws {
        for statement in try eventStatements(event) { try await tx.execute(sql: statement) { _ in } }
    }

    /// The statements that add `event` to its case's timeline, and the job that tells the person
    /// when the event is one they hear of.
    static func eventStatements(_ event: CaseEvent) throws -> [BoundSQL] {
        let update = try event.publicUpdate.map { String(decoding: try JSONEncoder.sorted.encode($0), as: UTF8.self) }
        var statements: [BoundSQL] = [
            """
            INSERT INTO case_events (id, report_id, position, force_id, at, actor_id, kind, text, public_update)
            VALUES (\(bind: event.id), \(bind: event.reportID),
                (SELECT COALESCE(MAX(position), 0) + 1 FROM case_events WHERE report_id = \(bind: event.reportID)),
                \(bind: event.forceID.rawValue), \(bind: event.at.millisecondsSince1970), \(bind: event.actorID),
                \(bind: event.kind.rawValue), \(bind: event.text), \(bind: update))
            """
        ]
        if let publicUpdate = event.publicUpdate, publicUpdate.notifies {
            let payload = PortalUpdateJobPayload(report: event.reportID, force: event.forceID, event: event.id, audience: .person)
            if let insert = SQLJobQueue.insertStatement([try payload.job(at: Date())])?.statement { statements.append(insert) }
        }
        return statements
    }

    private static func summary(_ row: any SQLRow) throws -> CaseSummary {
        let statusText = try row.decode(column: "case_status", as: String.self)
        guard let status = CaseStatus(rawValue: statusText) else { throw StoreDataError("cases.status '\(statusText)' is unknown") }
        return CaseSummary(
            report: try SQLReportRepository.report(row), status: status,
            grade: try row.decode(column: "grade", as: String?.self).flatMap(ResponseGrade.init(rawValue:)),
            assignedTo: try row.decode(column: "assigned_to", as: String?.self),
            assignedName: try row.decode(column: "assigned_name", as: String?.self),
            outcome: try row.decode(column: "outcome", as: String?.self).flatMap(CaseOutcome.init(rawValue:)),
            updatedAt: Date(millisecondsSince1970: try row.decode(column: "case_updated_at", as: Int64.self)),
            unreadMessages: try row.decode(column: "unread_messages", as: Int.self))
    }
}
