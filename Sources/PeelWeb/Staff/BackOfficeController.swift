import Foundation
import Hummingbird
import PeelAuth
import PeelCore
import PeelForms

/// The back office once signed in: the triage queue, a report with its actions and timeline,
/// its audit trail, one's account, and the force administrator's pages.
struct BackOfficeController {
    let security: StaffSecurity
    let forces: any ForceRepository
    let hub: (any HubRepository)?
    let cases: any CaseRepository
    let catalogue: ServiceCatalogue
    let serviceSettings: any ForceServiceSettingsRepository
    let forceContent: any ForceContentRepository
    let jobs: any JobEnqueuing
    /// The messages with the person who made a report (MyPolice), when it runs.
    let portal: (any PortalRepository)?
    let pages: PageRenderer
    let publicURL: String
    let dataDirectory: String

    static let noteLimit = 4000

    func addRoutes(to routes: StaffRoutes<StaffRequestContext>) {
        routes.get("/", .viewReports) { request, context in try await queue(request, desk(context)) }
        routes.get("/reports/:report", .viewReports) { _, context in
            let id = try reportID(context)
            let page = try await reportPage(id, context, errors: [])
            // Seen by someone who can answer (and shown to them as new this once): the person's
            // messages are read.
            if let portal, StaffPermission.messageReporters.isGranted(to: context.staff.roles) {
                try await portal.markReadByStaff(reportID: id, force: context.force.id, at: security.now())
            }
            return page
        }
        routes.post("/reports/:report/messages", .messageReporters) { request, context in
            let id = try reportID(context)
            guard let portal, try await cases.find(reportID: id, force: context.force.id) != nil else { throw HTTPError(.notFound) }
            let text = (try await context.form(request)["message"]?.first ?? "").replacingOccurrences(of: "\r\n", with: "\n")
            if let problem = PortalMessage.problem(text) {
                let message: String =
                    switch problem {
                    case .empty: "Enter the message"
                    case .tooLong: "Message must be \(PortalMessage.maximumLength.formatted()) characters or fewer"
                    case .markup: "Message must be plain text, without HTML tags or codes"
                    }
                return try await reportPage(id, context, errors: [FormError(field: "message", message: message)])
                    .with(status: .badRequest)
            }
            _ = try await portal.reply(
                reportID: id, force: context.force.id, staff: context.staff, body: text.trimmingCharacters(in: .whitespacesAndNewlines),
                at: security.now())
            return redirect(to: StaffURL.report(context.force.id, id).path + "#messages")
        }
        routes.post("/reports/:report/assess", .assessReports) { request, context in
            let id = try reportID(context)
            let form = try await context.form(request)
            switch Self.readAssessment(form) {
            case .failure(let failure): return try await reportPage(id, context, errors: failure.errors).with(status: .badRequest)
            case .success(let assessment): return try await apply(.assess(assessment), id, context)
            }
        }
        routes.post("/reports/:report/assign", .assignReports) { request, context in
            let id = try reportID(context)
            let chosen = try await context.form(request)["officer"]?.first ?? ""
            guard let officer = try await security.staff.assignable(force: context.force.id).first(where: { $0.id == chosen }) else {
                return try await reportPage(id, context, errors: [FormError(field: "officer", message: "Choose an officer of this force")])
                    .with(status: .badRequest)
            }
            return try await apply(.assign(staffID: officer.id, name: officer.name), id, context)
        }
        routes.post("/reports/:report/status", .changeStatus) { request, context in
            let id = try reportID(context)
            let form = try await context.form(request)
            guard let status = form["status"]?.first.flatMap(CaseStatus.init(rawValue:)) else {
                return try await reportPage(id, context, errors: [FormError(field: "status", message: "Choose what happens to the report")])
                    .with(status: .badRequest)
            }
            let outcome = form["outcome"]?.first.flatMap { $0.isEmpty ? nil : CaseOutcome(rawValue: $0) }
            return try await apply(.status(status, outcome: outcome), id, context)
        }
        routes.post("/reports/:report/note", .addNotes) { request, context in
            let id = try reportID(context)
            let text = (try await context.form(request)["note"]?.first ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let problem: String? =
                text.isEmpty
                ? "Enter the note" : text.count > Self.noteLimit ? "Note must be \(Self.noteLimit) characters or fewer" : nil
            if let problem {
                return try await reportPage(id, context, errors: [FormError(field: "note", message: problem)]).with(status: .badRequest)
            }
            return try await apply(.note(Clean.text(text)), id, context)
        }
        // Whoever may change a report's status decides whether it repeats an earlier one.
        routes.post("/reports/:report/duplicates", .changeStatus) { request, context in
            let id = try reportID(context)
            guard try await cases.find(reportID: id, force: context.force.id) != nil else { throw HTTPError(.notFound) }
            let form = try await context.form(request)
            let candidate = String((form["candidate"]?.first ?? "").prefix(64))
            let field = candidate.isEmpty ? "duplicates" : "duplicate-\(candidate)"
            guard let decision = form["decision"]?.first.flatMap(DuplicateDecision.init(rawValue:)), decision != .undecided,
                !candidate.isEmpty
            else {
                return try await reportPage(
                    id, context, errors: [FormError(field: field, message: "Choose whether this is a duplicate or not")]
                ).with(status: .badRequest)
            }
            do {
                _ = try await cases.decideDuplicate(
                    reportID: id, candidateID: candidate, force: context.force.id, decision: decision, actor: context.staff,
                    at: security.now())
                return redirect(to: StaffURL.report(context.force.id, id).path)
            } catch let error as DuplicateDecisionError {
                if error == .notFound { throw HTTPError(.notFound) }
                // Decided already: its buttons are gone, so the summary links to the list.
                return try await reportPage(id, context, errors: [FormError(field: "duplicates", message: error.description)])
                    .with(status: .conflict)
            }
        }
        routes.get("/reports/:report/audit", .viewAudit) { _, context in
            let id = try reportID(context)
            guard let summary = try await cases.find(reportID: id, force: context.force.id) else { throw HTTPError(.notFound) }
            let entries = try await security.audit.entries(subject: "report:\(id)", force: context.force.id)
            let staff = Dictionary(
                try await security.staff.list(force: context.force.id).map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
            return pages.response(
                AuditPage(
                    layout: layout("Audit trail of \(summary.report.reference)", context),
                    reference: summary.report.reference, backHref: StaffURL.report(context.force.id, id).path,
                    rows: entries.map {
                        AuditRow(
                            sequence: String($0.sequence), at: $0.at.staffText, actor: $0.actorID.flatMap { staff[$0] } ?? "Peel",
                            action: $0.action, detail: $0.detail)
                    },
                    exportHref: StaffPermission.exportAudit.isGranted(to: context.staff.roles)
                        ? StaffURL.reportAuditExport(context.force.id, id).path : nil),
                template: "staff-audit")
        }
        routes.get("/reports/:report/audit.json", .exportAudit) { _, context in
            let id = try reportID(context)
            guard try await cases.find(reportID: id, force: context.force.id) != nil else { throw HTTPError(.notFound) }
            let entries = try await security.audit.entries(subject: "report:\(id)", force: context.force.id)
            try await security.audit.append(
                AuditRecord(forceID: context.force.id, actorID: context.staff.id, action: "audit.export", subject: "report:\(id)"),
                at: security.now())
            var response = try Response.json(entries, cacheControl: "no-store")
            response.headers[.contentDisposition] = "attachment; filename=\"audit-\(id).json\""
            return response
        }
        routes.get("/account", .signedIn) { _, context in
            pages.response(
                AccountPage(
                    layout: layout("Your account", context, current: StaffURL.account(context.force.id).path),
                    name: context.staff.name, email: context.staff.email,
                    roles: context.staff.roles.map(\.title).sorted().joined(separator: ", "),
                    recoveryCodesLeft: try await security.staff.unusedRecoveryCodes(staffID: context.staff.id),
                    signOutEverywhereAction: StaffURL.signOutEverywhere(context.force.id).path),
                template: "staff-account")
        }
        routes.post("/sign-out", .signedIn) { _, context in try await signOut(context, everywhere: false) }
        routes.post("/sign-out-everywhere", .signedIn) { _, context in try await signOut(context, everywhere: true) }
        AdminController(security: security, forces: forces, hub: hub, catalogue: catalogue, serviceSettings: serviceSettings, forceContent: forceContent, jobs: jobs, pages: pages, publicURL: publicURL,
            dataDirectory: dataDirectory
        ).addRoutes(to: routes)
    }

    private func signOut(_ context: StaffRequestContext, everywhere: Bool) async throws -> Response {
        try await security.signOutResponse(token: context.token, everywhere: everywhere, then: StaffURL.signIn(context.force.id).path)
    }

    private func reportID(_ context: StaffRequestContext) throws -> String {
        guard let id = context.parameters.get("report"), id.count <= 64,
            id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
        else { throw HTTPError(.notFound) }
        return id
    }

    private func apply(_ change: CaseChange, _ id: String, _ context: StaffRequestContext) async throws -> Response {
        do {
            _ = try await cases.apply(change, reportID: id, force: context.force.id, actor: context.staff, at: security.now())
            return redirect(to: StaffURL.report(context.force.id, id).path)
        } catch let error as CaseChangeError {
            if error == .notFound { throw HTTPError(.notFound) }
            let field: String
            switch change {
            case .status: field = error == .outcomeRequired ? "outcome" : "status"
            case .assess: field = "threat"
            case .assign: field = "officer"
            case .note: field = "note"
            }
            return try await reportPage(id, context, errors: [FormError(field: field, message: error.description)])
                .with(status: .conflict)
        }
    }

    /// The desk of a force's own staff member.
    private func desk(_ context: StaffRequestContext) -> CaseDesk {
        let force = context.force
        return CaseDesk(
            force: force.id, staff: context.staff, queuePath: StaffURL.queue(force.id).path,
            reportPath: { StaffURL.report(force.id, $0).path },
            layout: { [csrf = context.csrfToken, staff = context.staff] title, current in
                StaffLayout(title: title, force: force, csrfToken: csrf, staff: staff, current: current)
            })
    }

    private func layout(_ title: String, _ context: StaffRequestContext, current: String? = nil) -> StaffLayout {
        StaffLayout(title: title, force: context.force, csrfToken: context.csrfToken, staff: context.staff, current: current)
    }

    static func readAssessment(_ form: [String: [String]]) -> Result<ThriveAssessment, StaffFormErrors> {
        var errors: [FormError] = []
        func level(_ name: String, _ label: String) -> ThriveLevel? {
            guard let value = form[name]?.first.flatMap(ThriveLevel.init(rawValue:)) else {
                errors.append(FormError(field: name, message: "Choose the level of \(label)"))
                return nil
            }
            return value
        }
        func text(_ name: String, _ label: String) -> String {
            let value = Clean.text(form[name]?.first ?? "")
            if value.isEmpty { errors.append(FormError(field: name, message: "Enter the \(label)")) }
            if value.count > ThriveAssessment.maximumTextLength {
                errors.append(FormError(field: name, message: "The \(label) must be \(ThriveAssessment.maximumTextLength) characters or fewer"))
            }
            return value
        }
        let threat = level("threat", "threat")
        let harm = level("harm", "harm")
        let risk = level("risk", "risk")
        let investigation = text("investigation", "investigation opportunities")
        let vulnerability = text("vulnerability", "vulnerability")
        let engagement = text("engagement", "engagement")
        let grade = form["grade"]?.first.flatMap(ResponseGrade.init(rawValue:))
        if grade == nil { errors.append(FormError(field: "grade", message: "Choose the response grade")) }
        guard errors.isEmpty, let threat, let harm, let risk, let grade else { return .failure(StaffFormErrors(errors: errors)) }
        return .success(
            ThriveAssessment(
                threat: threat, harm: harm, risk: risk, investigation: investigation, vulnerability: vulnerability,
                engagement: engagement, grade: grade))
    }

    func queue(_ request: Request, _ desk: CaseDesk) async throws -> Response {
        let parameters = request.uri.queryParameters
        var query = CaseQuery()
        var errors: [FormError] = []
        let statusText = parameters.get("status") ?? "open"
        switch statusText {
        case "open": query.statuses = CaseStatus.open
        case "all": query.statuses = CaseStatus.allCases
        default:
            if let status = CaseStatus(rawValue: statusText) { query.statuses = [status] } else {
                errors.append(FormError(field: "status", message: "Choose a status from the list"))
            }
        }
        if let service = parameters.get("service"), !service.isEmpty {
            if catalogue.service(service) != nil { query.serviceID = service } else {
                errors.append(FormError(field: "service", message: "Choose a service from the list"))
            }
        }
        if let grade = parameters.get("grade"), !grade.isEmpty {
            if let value = ResponseGrade(rawValue: grade) { query.grade = value } else {
                errors.append(FormError(field: "grade", message: "Choose a grade from the list"))
            }
        }
        let assignment = parameters.get("assigned") ?? ""
        switch assignment {
        case "": break
        case "me": query.assignedTo = desk.staff.id
        case "none": query.unassignedOnly = true
        default: errors.append(FormError(field: "assigned", message: "Choose who the reports are assigned to"))
        }
        let fromText = parameters.get("from") ?? ""
        let toText = parameters.get("to") ?? ""
        if !fromText.isEmpty {
            if let from = Self.day(fromText) { query.from = from } else {
                errors.append(FormError(field: "from", message: "Enter the start date as YYYY-MM-DD"))
            }
        }
        if !toText.isEmpty {
            if let to = Self.day(toText) { query.to = to + 86_400 } else {
                errors.append(FormError(field: "to", message: "Enter the end date as YYYY-MM-DD"))
            }
        }
        let search = String((parameters.get("q") ?? "").prefix(200))
        if !search.isEmpty {
            if SearchTerm.normalise(search).count < 2 {
                errors.append(FormError(field: "q", message: "Enter at least 2 letters or numbers to search for"))
            } else {
                query.search = search
            }
        }
        let pageNumber = Int(parameters.get("page") ?? "1") ?? 1
        query.page = max(1, min(pageNumber, 10_000))
        let result: CasePage = errors.isEmpty ? try await cases.queue(force: desk.force, query: query) : CasePage(cases: [], total: 0)
        let base = desk.queuePath
        func link(page: Int) -> String {
            var items = URLComponents()
            items.queryItems = parameters.map { URLQueryItem(name: String($0.key), value: String($0.value)) }.filter { $0.name != "page" }
                + [URLQueryItem(name: "page", value: String(page))]
            return base + "?" + (items.percentEncodedQuery ?? "")
        }
        let pageCount = max(1, (result.total + CaseQuery.pageSize - 1) / CaseQuery.pageSize)
        let rows = result.cases.map { summary in
            QueueRow(
                reference: summary.report.reference, href: desk.reportPath(summary.report.id),
                service: catalogue.service(summary.report.serviceID)?.title.en ?? summary.report.serviceID,
                status: summary.status.title, grade: summary.grade?.title ?? "Not assessed",
                assigned: summary.assignedName ?? "Unassigned", received: summary.report.createdAt.staffText,
                contact: summary.report.contactName ?? "Not given",
                unread: summary.unreadMessages == 0
                    ? nil : "\(summary.unreadMessages) new message\(summary.unreadMessages == 1 ? "" : "s")")
        }
        let view = QueuePage(
            layout: desk.layout("Reports", base), heading: "Reports", action: base, rows: rows,
            total: result.total, search: search,
            statuses: [Option(value: "open", text: "Open (not closed)", selected: statusText == "open"),
                       Option(value: "all", text: "All", selected: statusText == "all")]
                + CaseStatus.allCases.map { Option(value: $0.rawValue, text: $0.title, selected: statusText == $0.rawValue) },
            services: [Option(value: "", text: "All services", selected: query.serviceID == nil)]
                + catalogue.services.map { Option(value: $0.id, text: $0.title.en, selected: query.serviceID == $0.id) },
            grades: [Option(value: "", text: "Any grade", selected: query.grade == nil)]
                + ResponseGrade.allCases.map { Option(value: $0.rawValue, text: $0.title, selected: query.grade == $0) },
            assignment: [
                Option(value: "", text: "Anyone or no one", selected: assignment == ""),
                Option(value: "me", text: "Assigned to me", selected: assignment == "me"),
                Option(value: "none", text: "Unassigned", selected: assignment == "none"),
            ],
            from: String(fromText.prefix(10)), to: String(toText.prefix(10)), errors: errors,
            previousHref: query.page > 1 ? link(page: query.page - 1) : nil,
            nextHref: query.page < pageCount || (result.moreThanTotal && result.cases.count == CaseQuery.pageSize)
                ? link(page: query.page + 1) : nil,
            pageSummary: result.moreThanTotal
                ? "Page \(query.page): more than \(CasePage.countLimit.formatted()) reports"
                : "Page \(min(query.page, pageCount)) of \(pageCount): \(result.total) report\(result.total == 1 ? "" : "s")")
        return pages(view, errors: errors)
    }

    private func pages(_ view: QueuePage, errors: [FormError]) -> Response {
        self.pages.response(view, template: "staff-queue", status: errors.isEmpty ? .ok : .badRequest)
    }

    static func day(_ text: String) -> Date? {
        guard text.count == 10, let date = DateText.date(text) else { return nil }
        return date
    }

    private func reportPage(_ id: String, _ context: StaffRequestContext, errors: [FormError]) async throws -> Response {
        try await reportPage(id, desk(context), errors: errors)
    }

    func reportPage(_ id: String, _ desk: CaseDesk, errors: [FormError]) async throws -> Response {
        let force = desk.force
        guard let summary = try await cases.find(reportID: id, force: force) else { throw HTTPError(.notFound) }
        // Every view of a report's personal data is audited.
        try await security.audit.append(
            AuditRecord(forceID: force, actorID: desk.staff.id, action: "report.view", subject: "report:\(id)"),
            at: security.now())
        let report = summary.report
        let definition = catalogue.service(report.serviceID)
        let sections = definition.map { definition in
            ReportDocument.summary(of: report.answers, definition: definition, language: .english, today: DateText.today()).map {
                AnswerSection(title: $0.title, rows: $0.rows.map { AnswerRow(question: $0.question, answer: $0.answer) })
            }
        } ?? []
        let events = try await cases.events(reportID: id, force: force)
        let roles = desk.staff.roles
        let thrive = try await cases.thrive(reportID: id, force: force)
        let officers = try await security.staff.assignable(force: force)
        let duplicates = try await cases.duplicates(reportID: id, force: force)
        let canDecide = StaffPermission.changeStatus.isGranted(to: roles)
        let thread = try await portal?.thread(reportID: id, force: force) ?? []
        let view = ReportPage(
            layout: desk.layout("Report \(report.reference)", nil), reference: report.reference,
            service: definition?.title.en ?? report.serviceID, status: summary.status.title,
            grade: summary.grade?.title ?? "Not assessed", assigned: summary.assignedName ?? "Unassigned",
            outcome: summary.outcome?.title, received: report.createdAt.staffText,
            contact: [
                AnswerRow(question: "Name", answer: [report.contactName ?? "Not given"]),
                AnswerRow(question: "Email", answer: [report.contactEmail ?? "Not given"]),
                AnswerRow(question: "Phone", answer: [report.contactPhone ?? "Not given"]),
                AnswerRow(question: "Language", answer: [report.language == .welsh ? "Welsh" : "English"]),
            ],
            sections: sections,
            timeline: events.map { TimelineRow(at: $0.at.staffText, who: $0.actorName ?? "Peel", text: $0.text) },
            errors: errors,
            canAssess: StaffPermission.assessReports.isGranted(to: roles) && summary.status != .closed,
            canAssign: StaffPermission.assignReports.isGranted(to: roles) && summary.status != .closed,
            canChangeStatus: StaffPermission.changeStatus.isGranted(to: roles),
            canNote: StaffPermission.addNotes.isGranted(to: roles),
            canAudit: StaffPermission.viewAudit.isGranted(to: roles),
            assessAction: StaffURL.reportAction(force, id, "assess").path,
            assignAction: StaffURL.reportAction(force, id, "assign").path,
            statusAction: StaffURL.reportAction(force, id, "status").path,
            noteAction: StaffURL.reportAction(force, id, "note").path,
            auditHref: StaffURL.reportAudit(force, id).path,
            levels: ThriveLevel.allCases.map { Option(value: $0.rawValue, text: $0.title, selected: false) },
            gradeOptions: ResponseGrade.allCases.map { Option(value: $0.rawValue, text: $0.title, selected: summary.grade == $0) },
            officers: officers.map { officer in
                Option(
                    value: officer.id, text: officer.collarNumber.map { "\(officer.name) (\($0))" } ?? officer.name,
                    selected: summary.assignedTo == officer.id)
            },
            nextStatuses: summary.status.next.map { Option(value: $0.rawValue, text: $0 == .triaged && summary.status == .closed ? "Reopen" : $0.title, selected: false) },
            outcomes: CaseOutcome.allCases.map { Option(value: $0.rawValue, text: $0.title, selected: false) },
            duplicateOf: duplicates.candidates.filter { $0.decision == .confirmed }.map {
                LinkRow(text: $0.candidateReference, href: desk.reportPath($0.candidateID))
            },
            confirmedLater: duplicates.confirmedLater.map { LinkRow(text: $0.reference, href: desk.reportPath($0.reportID)) },
            duplicates: duplicates.candidates.map { candidate in
                DuplicateRow(
                    candidateID: candidate.candidateID, reference: candidate.candidateReference,
                    href: desk.reportPath(candidate.candidateID), score: String(format: "%.2f", candidate.score),
                    reasons: candidate.reasons.joined(separator: ", "),
                    decision: Self.decisionText(candidate), canDecide: canDecide && candidate.decision == .undecided,
                    fieldID: "duplicate-\(candidate.candidateID)")
            },
            duplicatesAction: StaffURL.reportAction(force, id, "duplicates").path,
            messages: thread.map { message in
                MessageRow(
                    from: message.sender == .person ? "The person who made the report" : (message.staffName ?? "Staff"),
                    at: message.createdAt.staffText,
                    lines: message.kind == .updateRequest
                        ? ["Asked for an update."] : message.body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init),
                    unread: message.sender == .person && message.readAt == nil)
            },
            canMessage: portal != nil && StaffPermission.messageReporters.isGranted(to: roles),
            messageAction: StaffURL.reportAction(force, id, "messages").path,
            thrive: thrive.map {
                ThriveView(
                    threat: $0.threat.title, harm: $0.harm.title, risk: $0.risk.title, investigation: $0.investigation,
                    vulnerability: $0.vulnerability, engagement: $0.engagement, grade: $0.grade.title)
            })
        return pages.response(view, template: "staff-report")
    }
}

extension BackOfficeController {
    /// What was decided of a likely duplicate, by whom and when; "Not decided yet" before.
    static func decisionText(_ candidate: DuplicateCandidate) -> String {
        let by = [candidate.decidedByName.map { "by \($0)" }, candidate.decidedAt.map { "on \($0.staffText)" }]
            .compactMap { $0 }.joined(separator: " ")
        switch candidate.decision {
        case .undecided: return "Not decided yet"
        case .confirmed: return "Confirmed as a duplicate" + (by.isEmpty ? "" : " \(by)")
        case .rejected: return "Not a duplicate" + (by.isEmpty ? "" : ", decided \(by)")
        }
    }
}

/// Who is looking at a force's reports, and where its pages are: the force's own staff, or the
/// national team where the force has granted it. Actions follow the person's roles, so the
/// national team's view has none.
struct CaseDesk: Sendable {
    let force: ForceID
    let staff: StaffMember
    let queuePath: String
    let reportPath: @Sendable (String) -> String
    let layout: @Sendable (_ title: String, _ current: String?) -> StaffLayout
}
