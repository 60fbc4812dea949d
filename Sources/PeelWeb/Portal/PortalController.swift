import Foundation
import Hummingbird
import PeelAuth
import PeelCore
import PeelForms

/// MyPolice on each force's site: sign-in with an emailed code, the person's reports with
/// their updates, messages with the officer in charge, "ask for an update", and the person's
/// account (consent, their data, sign-out). Every page works without JavaScript, in English and
/// Welsh, and is `no-store`.
struct PortalController {
    let security: PortalSecurity
    let portal: any PortalRepository
    let forces: any ForceRepository
    let catalogue: ServiceCatalogue
    let pages: PageRenderer
    let secureCookies: Bool
    /// Whether the per-client code limit reads the client's address from `X-Forwarded-For`.
    let trustForwardedFor: Bool

    /// How often the person may ask for an update on one report.
    static let updateRequestInterval: TimeInterval = 24 * 60 * 60

    func addRoutes(to routes: PortalRoutes) {
        routes.open(.get, "/sign-in") { request, context in
            if context.citizenSession != nil { return redirect(to: PortalURL.home(context.force.id).path) }
            return signInPage(request, context, email: "", bySMS: false, errors: [])
        }
        routes.open(.post, "/sign-in") { request, context in try await requestCode(request, context) }
        routes.open(.get, "/sign-in/code") { request, context in
            guard let pending = request.cookie(PortalSessionMiddleware.pendingCookieName),
                let code = try await security.pendingCode(pending)
            else { return redirect(to: PortalURL.signIn(context.force.id).path) }
            return codePage(request, context, code: code, errors: [])
        }
        routes.open(.post, "/sign-in/code") { request, context in try await enterCode(request, context) }
        routes.open(.get, "/privacy") { request, context in
            info(.myPrivacy, request, context)
        }
        routes.open(.get, "/victims-code") { request, context in
            info(.victimsCode, request, context)
        }
        routes.signedIn(.get, "/") { request, context in try await home(request, context) }
        routes.signedIn(.get, "/account") { request, context in
            accountPage(request, context, citizen: context.citizen, notice: nil, errors: [])
        }
        routes.signedIn(.post, "/account") { request, context in try await saveAccount(request, context) }
        routes.signedIn(.get, "/account/data.json") { _, context in
            guard let export = try await portal.export(citizenID: context.citizen.id, at: security.now()) else {
                throw HTTPError(.notFound)
            }
            var response = try Response.json(export, cacheControl: "no-store")
            response.headers[.contentDisposition] = "attachment; filename=\"mypolice-data.json\""
            return response
        }
        routes.signedIn(.post, "/sign-out") { _, context in
            try await security.citizens.deleteSession(idHash: Tokens.hash(context.token))
            var response = redirect(to: PortalURL.signIn(context.force.id).path)
            response.setCookie(clearedCookie(PortalSessionMiddleware.cookieName))
            return response
        }
        let find: @Sendable (String, PortalRequestContext) async throws -> PortalReport? = { reference, context in
            try await portal.report(reference: reference, force: context.force.id, citizenID: context.citizen.id)
        }
        routes.ownReport(.get, "/reports/:\(PortalURL.referenceParameter)", { request, context, report in
            // A write only when there is something to mark: most views have nothing new.
            if report.summary.unread > 0 {
                try await portal.markReadByPerson(reportID: report.summary.reportID, citizenID: context.citizen.id, at: security.now())
            }
            let notice: String? =
                switch request.uri.queryParameters["done"].map(String.init) {
                case "sent": PortalWording(catalogue: pages.catalogue, language: context.language).text("my_message_sent")
                case "requested": PortalWording(catalogue: pages.catalogue, language: context.language).text("my_update_requested")
                default: nil
                }
            return reportPage(request, context, report: report, notice: notice, draft: "", errors: [])
        }, find: find)
        routes.ownReport(.post, "/reports/:\(PortalURL.referenceParameter)/messages", { request, context, report in
            let form = try await context.form(request)
            let body = (form["message"]?.first ?? "").replacingOccurrences(of: "\r\n", with: "\n")
            let wording = PortalWording(catalogue: pages.catalogue, language: context.language)
            if let problem = PortalMessage.problem(body) {
                let message: String =
                    switch problem {
                    case .empty: wording.text("my_message_error_empty")
                    case .tooLong: wording.text("my_message_error_tooLong")
                    case .markup: wording.text("my_message_error_markup")
                    }
                return reportPage(
                    request, context, report: report, notice: nil, draft: String(body.prefix(PortalMessage.maximumLength * 2)),
                    errors: [FormError(field: "message", message: message)]
                ).with(status: .badRequest)
            }
            try await portal.send(
                PortalMessage(
                    id: RecordID.make(), reportID: report.summary.reportID, forceID: context.force.id, sender: .person,
                    staffName: nil, kind: .message, body: body.trimmingCharacters(in: .whitespacesAndNewlines),
                    createdAt: security.now(), readAt: nil),
                citizenID: context.citizen.id)
            return redirect(to: PortalURL.report(context.force.id, report.summary.reference).path + "?done=sent")
        }, find: find)
        routes.ownReport(.post, "/reports/:\(PortalURL.referenceParameter)/request-update", { request, context, report in
            let now = security.now()
            if let last = report.lastUpdateRequest, now.timeIntervalSince(last) < Self.updateRequestInterval {
                let wording = PortalWording(catalogue: pages.catalogue, language: context.language)
                return reportPage(
                    request, context, report: report, notice: nil, draft: "",
                    errors: [FormError(field: "request-update", message: wording.text("my_update_tooSoon", ["date": wording.when(last)]))]
                ).with(status: .tooManyRequests)
            }
            try await portal.send(
                PortalMessage(
                    id: RecordID.make(), reportID: report.summary.reportID, forceID: context.force.id, sender: .person,
                    staffName: nil, kind: .updateRequest, body: "", createdAt: now, readAt: nil),
                citizenID: context.citizen.id)
            return redirect(to: PortalURL.report(context.force.id, report.summary.reference).path + "?done=requested")
        }, find: find)
    }

    // MARK: Sign-in

    private func requestCode(_ request: Request, _ context: ForceRequestContext) async throws -> Response {
        let form = try await context.form(request)
        let email = (form["email"]?.first ?? "").trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let bySMS = form["channel"]?.first == "sms"
        let wording = PortalWording(catalogue: pages.catalogue, language: context.language)
        var errors: [FormError] = []
        if email.isEmpty {
            errors.append(FormError(field: "email", message: wording.text("my_signIn_error_empty")))
        } else if email.count > 254 || !Validate.email(email) {
            errors.append(FormError(field: "email", message: wording.text("my_signIn_error_format")))
        }
        guard errors.isEmpty else {
            return signInPage(request, context, email: String(email.prefix(254)), bySMS: bySMS, errors: errors).with(status: .badRequest)
        }
        // A text message only to a number the person added to their account themselves.
        var phone: String?
        if bySMS, let citizen = try await security.citizens.find(email: email), citizen.smsConsent {
            phone = citizen.phone
        }
        // The client's address, hashed: what the per-client limit counts by.
        let client = Tokens.hash("client:" + request.clientAddress(peer: context.clientAddress, trustForwardedFor: trustForwardedFor))
        switch try await security.issueCode(email: email, phone: phone, language: context.language, force: context.force, client: client) {
        case .success(let pending):
            var response = redirect(to: PortalURL.code(context.force.id).path)
            response.setCookie(
                Cookie(
                    name: PortalSessionMiddleware.pendingCookieName, value: pending, maxAge: Int(SignInCode.lifetime), path: "/",
                    secure: secureCookies, httpOnly: true, sameSite: .strict))
            return response
        case .failure(let refusal):
            let key = refusal == .tooManyForAddress ? "my_signIn_error_tooManyForAddress" : "my_signIn_error_tooManyForClient"
            return signInPage(
                request, context, email: email, bySMS: bySMS, errors: [FormError(field: "email", message: wording.text(key))]
            ).with(status: .tooManyRequests)
        }
    }

    private func enterCode(_ request: Request, _ context: ForceRequestContext) async throws -> Response {
        guard let pending = request.cookie(PortalSessionMiddleware.pendingCookieName),
            let code = try await security.pendingCode(pending)
        else { return redirect(to: PortalURL.signIn(context.force.id).path) }
        let form = try await context.form(request)
        let typed = (form["code"]?.first ?? "").trimmingCharacters(in: .whitespaces)
        let wording = PortalWording(catalogue: pages.catalogue, language: context.language)
        func refused(_ key: String, _ values: [String: String] = [:], status: HTTPResponse.Status) -> Response {
            codePage(request, context, code: code, errors: [FormError(field: "code", message: wording.text(key, values))])
                .with(status: status)
        }
        if typed.isEmpty { return refused("my_code_error_empty", status: .badRequest) }
        switch try await security.verify(code: String(typed.prefix(20)), pending: pending, language: context.language) {
        case .signedIn(let token, _):
            var response = redirect(to: PortalURL.home(context.force.id).path)
            response.setCookie(
                Cookie(
                    name: PortalSessionMiddleware.cookieName, value: token, path: "/", secure: secureCookies, httpOnly: true,
                    sameSite: .strict))
            response.setCookie(clearedCookie(PortalSessionMiddleware.pendingCookieName))
            return response
        case .wrong(let remaining): return refused("my_code_error_wrong", ["remaining": String(remaining)], status: .badRequest)
        case .expired: return refused("my_code_error_expired", status: .badRequest)
        case .used: return refused("my_code_error_used", status: .badRequest)
        case .tooManyAttempts: return refused("my_code_error_tooMany", status: .tooManyRequests)
        case .unknown: return redirect(to: PortalURL.signIn(context.force.id).path)
        }
    }

    private func clearedCookie(_ name: String) -> Cookie {
        Cookie(name: name, value: "", maxAge: 0, path: "/", secure: secureCookies, httpOnly: true, sameSite: .strict)
    }

    private func signInPage(
        _ request: Request, _ context: ForceRequestContext, email: String, bySMS: Bool, errors: [FormError]
    ) -> Response {
        let layout = pages.layout(for: context, request: request)
        let title = pages.catalogue.text("my_signIn_title", context.language)
        return pages.response(
            PortalSignInPage(
                layout: layout.titled(title), action: PortalURL.signIn(context.force.id).path, email: email, bySMS: bySMS,
                errors: errors, hasErrors: !errors.isEmpty, emailError: errors.first?.message,
                privacyHref: PortalURL.privacy(context.force.id).path),
            template: "portal-sign-in")
    }

    private func codePage(_ request: Request, _ context: ForceRequestContext, code: SignInCode, errors: [FormError]) -> Response {
        let wording = PortalWording(catalogue: pages.catalogue, language: context.language)
        let heading = wording.text(code.channel == .sms ? "my_code_titleSMS" : "my_code_title")
        return pages.response(
            PortalCodePage(
                layout: pages.layout(for: context, request: request).titled(heading), action: PortalURL.code(context.force.id).path,
                heading: heading,
                sentTo: code.channel == .sms ? wording.text("my_code_sentSMS") : wording.text("my_code_sent", ["email": code.email]),
                newCodeHref: PortalURL.signIn(context.force.id).path, errors: errors, hasErrors: !errors.isEmpty,
                codeError: errors.first?.message),
            template: "portal-code")
    }

    // MARK: Signed-in pages

    private func layout(_ request: Request, _ context: PortalRequestContext) -> Layout {
        Layout(
            language: context.language, request: request, catalogue: pages.catalogue, force: context.force,
            csrfToken: context.csrfToken)
    }

    private func home(_ request: Request, _ context: PortalRequestContext) async throws -> Response {
        let wording = PortalWording(catalogue: pages.catalogue, language: context.language)
        let summaries = try await portal.reports(citizenID: context.citizen.id)
        var forceNames: [ForceID: String] = [:]
        for summary in summaries where forceNames[summary.forceID] == nil {
            forceNames[summary.forceID] = try await forces.find(summary.forceID)?.name(in: context.language) ?? summary.forceID.rawValue
        }
        let rows = summaries.map { summary in
            var status = wording.status(summary.status)
            if let outcome = summary.outcome { status += ": " + wording.outcome(outcome) }
            return PortalHomePage.Row(
                reference: summary.reference, href: PortalURL.report(summary.forceID, summary.reference).path,
                service: catalogue.service(summary.serviceID)?.title.text(context.language) ?? summary.serviceID,
                force: forceNames[summary.forceID] ?? summary.forceID.rawValue, reported: wording.day(summary.createdAt),
                status: status, unread: summary.unread > 0 ? wording.text("my_home_unread", ["count": String(summary.unread)]) : nil)
        }
        let title = wording.text("my_home_title")
        return pages.response(
            PortalHomePage(
                layout: layout(request, context).titled(title),
                signedInAs: wording.text("my_home_signedInAs", ["email": context.citizen.email]), rows: rows, hasRows: !rows.isEmpty,
                empty: wording.text("my_home_empty", ["email": context.citizen.email]), accountHref: PortalURL.account(context.force.id).path,
                signOutAction: PortalURL.signOut(context.force.id).path, victimsCodeHref: PortalURL.victimsCode(context.force.id).path),
            template: "portal-home")
    }

    private func reportPage(
        _ request: Request, _ context: PortalRequestContext, report: PortalReport, notice: String?, draft: String,
        errors: [FormError]
    ) -> Response {
        let wording = PortalWording(catalogue: pages.catalogue, language: context.language)
        let summary = report.summary
        let definition = catalogue.service(summary.serviceID)
        let officer: String =
            if let name = report.officerName {
                report.officerCollarNumber.map { wording.text("my_report_officerWithCollar", ["name": name, "collar": $0]) } ?? name
            } else if report.hasOfficer {
                wording.text("my_report_officerUnnamed")
            } else {
                wording.text("my_report_noOfficer")
            }
        let messages = report.messages.map { message in
            PortalReportPage.Message(
                from: message.sender == .person
                    ? wording.text("my_message_fromYou")
                    : wording.text("my_message_fromForce", ["name": message.staffName ?? "", "force": context.force.name(in: context.language)]),
                when: wording.when(message.createdAt),
                lines: message.kind == .updateRequest
                    ? [wording.text("my_message_updateRequest")] : message.body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init),
                isNew: message.sender == .staff && message.readAt == nil, fromPerson: message.sender == .person)
        }
        let now = security.now()
        let canRequest = report.lastUpdateRequest.map { now.timeIntervalSince($0) >= Self.updateRequestInterval } ?? true
        let heading = wording.text("my_report_title", ["reference": summary.reference])
        let sections =
            definition.map { definition in
                ReportDocument.summary(of: report.answers, definition: definition, language: context.language, today: DateText.today(now)).map {
                    PortalReportPage.Section(title: $0.title, rows: $0.rows.map { PortalReportPage.Row(question: $0.question, answer: $0.answer) })
                }
            } ?? []
        return pages.response(
            PortalReportPage(
                layout: layout(request, context).titled(heading), heading: heading,
                service: definition?.title.text(context.language) ?? summary.serviceID, status: wording.status(summary.status),
                outcome: summary.outcome.map(wording.outcome), forceReference: report.recordsReference ?? wording.text("my_report_noForceReference"),
                officer: officer, reported: wording.when(summary.createdAt),
                timeline: report.timeline.reversed().map { PortalReportPage.Entry(when: wording.when($0.at), text: wording.update($0.update)) },
                messages: messages, hasMessages: !messages.isEmpty, sections: sections,
                messageAction: PortalURL.reportMessages(context.force.id, summary.reference).path,
                requestUpdateAction: PortalURL.requestUpdate(context.force.id, summary.reference).path, canRequestUpdate: canRequest,
                requestedNote: canRequest ? nil : report.lastUpdateRequest.map { wording.text("my_update_tooSoon", ["date": wording.when($0)]) },
                notice: notice, draft: draft, errors: errors, hasErrors: !errors.isEmpty,
                messageError: errors.first(where: { $0.field == "message" })?.message, backHref: PortalURL.home(context.force.id).path,
                victimsCodeHref: PortalURL.victimsCode(context.force.id).path),
            template: "portal-report")
    }

    private func accountPage(
        _ request: Request, _ context: PortalRequestContext, citizen: Citizen, notice: String?, errors: [FormError],
        phoneText: String? = nil
    ) -> Response {
        let wording = PortalWording(catalogue: pages.catalogue, language: context.language)
        let title = wording.text("my_account_title")
        return pages.response(
            PortalAccountPage(
                layout: layout(request, context).titled(title), action: PortalURL.account(context.force.id).path, email: citizen.email,
                byEmail: citizen.emailConsent, bySMS: citizen.smsConsent && citizen.phone != nil, phone: phoneText ?? citizen.phone ?? "",
                languages: Language.allCases.map {
                    PortalAccountPage.LanguageChoice(code: $0.rawValue, name: $0.nativeName, checked: $0 == citizen.language)
                },
                notice: notice, errors: errors, hasErrors: !errors.isEmpty, phoneError: errors.first?.message,
                dataHref: PortalURL.accountData(context.force.id).path, privacyHref: PortalURL.privacy(context.force.id).path,
                signOutAction: PortalURL.signOut(context.force.id).path, backHref: PortalURL.home(context.force.id).path),
            template: "portal-account")
    }

    private func saveAccount(_ request: Request, _ context: PortalRequestContext) async throws -> Response {
        let form = try await context.form(request)
        let wording = PortalWording(catalogue: pages.catalogue, language: context.language)
        let channels = Set(form["notify"] ?? [])
        let phoneText = (form["phone"]?.first ?? "").trimmingCharacters(in: .whitespaces)
        var citizen = context.citizen
        citizen.emailConsent = channels.contains("email")
        citizen.smsConsent = channels.contains("sms")
        if let language = form["language"]?.first.flatMap(Language.init(rawValue:)) { citizen.language = language }
        var errors: [FormError] = []
        if phoneText.isEmpty {
            citizen.phone = nil
            if citizen.smsConsent { errors.append(FormError(field: "phone", message: wording.text("my_account_error_smsWithoutPhone"))) }
        } else if let mobile = Validate.ukMobile(String(phoneText.prefix(40))) {
            citizen.phone = mobile
        } else {
            errors.append(FormError(field: "phone", message: wording.text("my_account_error_phone")))
        }
        guard errors.isEmpty else {
            return accountPage(request, context, citizen: citizen, notice: nil, errors: errors, phoneText: String(phoneText.prefix(40)))
                .with(status: .badRequest)
        }
        try await security.citizens.update(citizen)
        return accountPage(request, context, citizen: citizen, notice: wording.text("my_account_saved"), errors: [])
    }

    private func info(_ topic: InfoPage.Topic, _ request: Request, _ context: ForceRequestContext) -> Response {
        pages.response(
            InfoPage(topic: topic, language: context.language, layout: pages.layout(for: context, request: request), catalogue: pages.catalogue,
                force: context.force),
            template: "info")
    }
}
