import Foundation
import Hummingbird
import PeelAuth
import PeelCore
import PeelForms
import PeelHub

/// The force administrator's pages: which services the force offers and in whose words, the
/// force's home-page words, its connection to its records system and its deliveries, and its
/// staff (invitations, roles, deactivation).
struct AdminController {
    let security: StaffSecurity
    let forces: any ForceRepository
    let hub: (any HubRepository)?
    let catalogue: ServiceCatalogue
    let serviceSettings: any ForceServiceSettingsRepository
    let forceContent: any ForceContentRepository
    let jobs: any JobEnqueuing
    let pages: PageRenderer
    let publicURL: String
    /// The data folder: file-drop folders chosen here are under its `drops/<force>/`.
    let dataDirectory: String

    static let titleLimit = 120
    static let summaryLimit = 300
    static let introLimit = 1000
    static let invitationLifetime: TimeInterval = 7 * 24 * 3600

    func addRoutes(to routes: StaffRoutes<StaffRequestContext>) {
        routes.get("/admin/services", .manageServices) { _, context in
            try await servicesPage(context, notice: nil, errors: [])
        }
        routes.post("/admin/services/:service", .manageServices) { request, context in
            guard let id = context.parameters.get("service"), let definition = catalogue.service(id) else {
                throw HTTPError(.notFound)
            }
            let form = try await context.form(request)
            var errors: [FormError] = []
            func text(_ name: String, limit: Int) -> String? {
                let value = Clean.text(form[name]?.first ?? "")
                if value.contains(where: \.isNewline) || value.count > limit {
                    errors.append(FormError(field: "\(id)-\(name)", message: "Wording must be one line of \(limit) characters or fewer"))
                }
                return value.isEmpty ? nil : value
            }
            var title: [Language: String] = [:]
            var summary: [Language: String] = [:]
            title[.english] = text("title-en", limit: Self.titleLimit)
            title[.welsh] = text("title-cy", limit: Self.titleLimit)
            summary[.english] = text("summary-en", limit: Self.summaryLimit)
            summary[.welsh] = text("summary-cy", limit: Self.summaryLimit)
            // Wording is given in both languages or neither, so that Welsh pages never fall back silently.
            if (title[.english] == nil) != (title[.welsh] == nil) {
                errors.append(FormError(field: "\(id)-title-en", message: "Give the title in both English and Welsh, or in neither"))
            }
            if (summary[.english] == nil) != (summary[.welsh] == nil) {
                errors.append(FormError(field: "\(id)-summary-en", message: "Give the summary in both English and Welsh, or in neither"))
            }
            guard errors.isEmpty else { return try await servicesPage(context, notice: nil, errors: errors).with(status: .badRequest) }
            let enabled = form["enabled"]?.first == "yes"
            try await serviceSettings.save(
                ForceServiceSetting(
                    forceID: context.force.id, serviceID: id, enabled: enabled,
                    title: title.compactMapValues { $0 }, summary: summary.compactMapValues { $0 }),
                at: security.now())
            try await security.audit.append(
                AuditRecord(
                    forceID: context.force.id, actorID: context.staff.id, action: "service.settings", subject: "service:\(id)",
                    detail: enabled ? "offered" : "turned off"),
                at: security.now())
            return try await servicesPage(context, notice: "\(definition.title.en) saved", errors: [])
        }
        routes.get("/admin/services/:service/pages", .manageServices) { _, context in
            let definition = try offeredDefinition(context)
            let settings = try await serviceSettings.settings(for: context.force.id)
            return pageWordingPage(context, definition, wording: settings[definition.id]?.pages ?? [:], notice: nil, errors: [])
        }
        routes.post("/admin/services/:service/pages", .manageServices) { request, context in
            let definition = try offeredDefinition(context)
            let form = try await context.form(request)
            var errors: [FormError] = []
            var wording: [String: PageWording] = [:]
            func text(_ field: String, limit: Int, lines: Bool) -> String? {
                let value = Clean.text(form[field]?.first ?? "")
                if value.count > limit || (!lines && value.contains(where: \.isNewline)) {
                    errors.append(FormError(field: field, message: lines ? "Text must be \(limit) characters or fewer" : "A title must be one line of \(limit) characters or fewer"))
                }
                return value.isEmpty ? nil : value
            }
            for page in definition.pages where page.heading != nil || page.body != nil {
                let titleEN = text("\(page.id)-title-en", limit: Self.titleLimit * 2, lines: false)
                let titleCY = text("\(page.id)-title-cy", limit: Self.titleLimit * 2, lines: false)
                let bodyEN = text("\(page.id)-body-en", limit: Self.introLimit * 2, lines: true)
                let bodyCY = text("\(page.id)-body-cy", limit: Self.introLimit * 2, lines: true)
                if (titleEN == nil) != (titleCY == nil) {
                    errors.append(FormError(field: "\(page.id)-title-en", message: "Give the title of '\(page.id)' in both English and Welsh, or in neither"))
                }
                if (bodyEN == nil) != (bodyCY == nil) {
                    errors.append(FormError(field: "\(page.id)-body-en", message: "Give the text of '\(page.id)' in both English and Welsh, or in neither"))
                }
                let entry = PageWording(titleEN: titleEN, titleCY: titleCY, bodyEN: bodyEN, bodyCY: bodyCY)
                if !entry.isEmpty { wording[page.id] = entry }
            }
            // The force's wording is checked as a definition is: a worded service must pass the
            // validator that checks the national catalogue.
            if errors.isEmpty {
                let worded = ServiceOffer.worded(definition, wording)
                for problem in DefinitionValidator.problems(in: worded, file: "\(definition.id).json") {
                    errors.append(FormError(field: "\(problem.path.split(separator: ".").first ?? "")-title-en", message: problem.reason))
                }
            }
            guard errors.isEmpty else {
                return pageWordingPage(context, definition, wording: wording, notice: nil, errors: errors).with(status: .badRequest)
            }
            var setting = try await serviceSettings.settings(for: context.force.id)[definition.id]
                ?? ForceServiceSetting(forceID: context.force.id, serviceID: definition.id)
            setting.pages = wording
            try await serviceSettings.save(setting, at: security.now())
            try await security.audit.append(
                AuditRecord(
                    forceID: context.force.id, actorID: context.staff.id, action: "service.page-wording", subject: "service:\(definition.id)",
                    detail: "\(wording.count) page\(wording.count == 1 ? "" : "s") in the force's words"),
                at: security.now())
            return pageWordingPage(context, definition, wording: wording, notice: "Page wording saved", errors: [])
        }
        routes.get("/admin/force", .manageForce) { request, context in
            let saved = request.uri.queryParameters.get("saved") == "1"
            return try await forcePage(context, notice: saved ? "Force details saved" : nil, errors: [], form: nil)
        }
        routes.post("/admin/force", .manageForce) { request, context in
            let form = try await context.form(request)
            func field(_ name: String) -> String {
                Clean.text(form[name]?.first ?? "")
            }
            let details = ForceDetailsForm(
                onboarding: field("onboarding"), phone: field("phone"), textNumber: field("text-number"), website: field("website"),
                brandColour: field("brand-colour").lowercased(), introEN: field("intro-en"), introCY: field("intro-cy"),
                nationalAccess: field("national-access") == "yes", showsOfficer: field("shows-officer") == "yes")
            let errors = details.errors
            guard errors.isEmpty, let model = OnboardingModel(rawValue: details.onboarding) else {
                return try await forcePage(context, notice: nil, errors: errors, form: details).with(status: .badRequest)
            }
            let now = security.now()
            try await forces.updateDetails(
                context.force.id,
                contact: ForceContact(
                    phone: details.phone.isEmpty ? nil : details.phone, textNumber: details.textNumber.isEmpty ? nil : details.textNumber,
                    website: details.website),
                brandColour: details.brandColour, at: now)
            if model != context.force.onboarding { _ = try await forces.setOnboarding(context.force.id, to: model, at: now) }
            func audit(_ action: String) async throws {
                try await security.audit.append(
                    AuditRecord(forceID: context.force.id, actorID: context.staff.id, action: action, subject: "force:\(context.force.id)"),
                    at: now)
            }
            if details.nationalAccess != context.force.grantsNationalAccess {
                try await forces.setNationalAccess(context.force.id, granted: details.nationalAccess, at: now)
                try await audit(details.nationalAccess ? "force.national-access.granted" : "force.national-access.withdrawn")
            }
            if details.showsOfficer != context.force.showsOfficerInPortal {
                try await forces.setShowsOfficerInPortal(context.force.id, shows: details.showsOfficer, at: now)
                try await audit(details.showsOfficer ? "force.portal-officer.shown" : "force.portal-officer.hidden")
            }
            for (language, text) in [(Language.english, details.introEN), (.welsh, details.introCY)] {
                try await forceContent.saveHomeContent(ForceHomeContent(forceID: context.force.id, language: language, intro: text, updatedAt: now))
            }
            try await security.audit.append(
                AuditRecord(
                    forceID: context.force.id, actorID: context.staff.id, action: "force.details", subject: "force:\(context.force.id)",
                    detail: "\(model.rawValue) services; \(details.brandColour)"),
                at: now)
            return redirect(to: StaffURL.adminForce(context.force.id).path + "?saved=1")
        }
        if let hub {
            routes.get("/admin/delivery", .manageForce) { request, context in
                let replayed = request.uri.queryParameters.get("replayed").flatMap { Int($0) }
                return try await deliveryPage(hub, context, notice: replayed.map { "\($0) dead letter\($0 == 1 ? "" : "s") sent again" })
            }
            routes.post("/admin/delivery/replay", .manageForce) { request, context in
                let form = try await context.form(request)
                let chosen = (form["job"] ?? []).filter { $0.count <= 64 }
                let all = form["all"]?.first == "yes"
                guard all || !chosen.isEmpty else {
                    return try await deliveryPage(
                        hub, context, notice: nil, errors: [FormError(field: "replay", message: "Choose the dead letters to send again")]
                    ).with(status: .badRequest)
                }
                let count = try await hub.replayDeadLetters(force: context.force.id, jobs: all ? nil : chosen, now: Date())
                try await security.audit.append(
                    AuditRecord(
                        forceID: context.force.id, actorID: context.staff.id, action: "hub.replay", subject: "force:\(context.force.id)",
                        detail: "\(count) dead letter\(count == 1 ? "" : "s") sent again"),
                    at: security.now())
                return redirect(to: StaffURL.adminDelivery(context.force.id).path + "?replayed=\(count)")
            }
            routes.get("/admin/delivery/connection", .manageForce) { request, context in
                let saved = request.uri.queryParameters.get("saved") == "1"
                return try await connectionPage(hub, context, notice: saved ? "Connection saved" : nil)
            }
            routes.post("/admin/delivery/connection", .manageForce) { request, context in
                let form = try await context.form(request)
                func field(_ name: String) -> String { form[name]?.first ?? "" }
                // The secret is taken as typed: spaces inside it count.
                let asked = HubConnectionRequest(
                    adapter: field("adapter"), url: Clean.text(field("url")), secret: field("secret"),
                    generateSecret: field("generate-secret") == "yes", directory: Clean.text(field("directory")),
                    email: Clean.text(field("email")))
                let now = security.now()
                let change: HubConnection.Change
                do {
                    change = try HubConnection.settle(
                        asked, force: context.force.id, current: try await hub.endpoint(for: context.force.id),
                        folders: .named(dataDirectory: dataDirectory), secrets: security.secrets, now: now)
                } catch let refused as HubConnection.Refused {
                    let errors = refused.problems.map { problem in
                        FormError(
                            field: problem.field == .adapter ? "adapter-\(HubAdapter.standardAPI.rawValue)" : problem.field.rawValue,
                            message: problem.message)
                    }
                    return try await connectionPage(hub, context, notice: nil, errors: errors, asked: asked).with(status: .badRequest)
                }
                try await HubConnection.apply(change, hub: hub, audit: security.audit, actorID: context.staff.id, at: now)
                // A secret Peel drew is shown once, on this answer, and never again.
                if case .save(_, let generated?, _) = change {
                    return try await connectionPage(hub, context, notice: "Connection saved with a new shared secret", newSecret: generated)
                }
                return redirect(to: StaffURL.adminConnection(context.force.id).path + "?saved=1")
            }
        }
        routes.get("/admin/staff", .manageStaff) { _, context in
            try await staffPage(context, notice: nil, errors: [], invite: ("", "", []))
        }
        routes.post("/admin/staff", .manageStaff) { request, context in
            let form = try await context.form(request)
            let name = Clean.text(form["name"]?.first ?? "")
            let email = (form["email"]?.first ?? "").trimmingCharacters(in: .whitespaces).lowercased()
            let roles = Set((form["roles"] ?? []).compactMap(StaffRole.init(rawValue:)).filter { $0 != .nationalAdministrator })
            var errors: [FormError] = []
            if name.isEmpty || name.count > 100 { errors.append(FormError(field: "name", message: "Enter their name, 100 characters or fewer")) }
            if !EmailAddress.isWellFormed(email) { errors.append(FormError(field: "email", message: "Enter an email address in the correct format, like name@force.police.uk")) }
            if roles.isEmpty { errors.append(FormError(field: "roles", message: "Choose at least one role")) }
            if errors.isEmpty, try await security.staff.find(email: email) != nil {
                errors.append(FormError(field: "email", message: "Someone with this email address already has an account"))
            }
            guard errors.isEmpty else {
                return try await staffPage(context, notice: nil, errors: errors, invite: (name, email, roles)).with(status: .badRequest)
            }
            let token = Tokens.generate()
            try await security.staff.createInvitation(
                StaffInvitation(
                    tokenHash: Tokens.hash(token), forceID: context.force.id, email: email, name: name, roles: roles,
                    invitedBy: context.staff.id, expiresAt: security.now() + Self.invitationLifetime))
            let link = "\(publicURL.trimmingCharacters(in: CharacterSet(charactersIn: "/")))\(StaffURL.join(context.force.id).path)?token=\(token)"
            struct Payload: Encodable { let email, name, force, link: String }
            try await jobs.enqueue(
                NewJob(
                    kind: JobKinds.staffInvitationEmail,
                    payload: String(decoding: try JSONEncoder().encode(Payload(email: email, name: name, force: context.force.id.rawValue, link: link)), as: UTF8.self),
                    forceID: context.force.id, runAt: Date(), maxAttempts: 5))
            try await security.audit.append(
                AuditRecord(
                    forceID: context.force.id, actorID: context.staff.id, action: "staff.invite", subject: "invitation:\(email)",
                    detail: roles.map(\.rawValue).sorted().joined(separator: ",")),
                at: security.now())
            return try await staffPage(context, notice: "Invitation sent to \(email)", errors: [], invite: ("", "", []))
        }
        routes.post("/admin/staff/:staff", .manageStaff) { request, context in
            guard let id = context.parameters.get("staff"), var member = try await security.staff.find(id: id),
                member.forceID == context.force.id
            else { throw HTTPError(.notFound) }
            let form = try await context.form(request)
            let roles = Set((form["roles"] ?? []).compactMap(StaffRole.init(rawValue:)).filter { $0 != .nationalAdministrator })
            let active = form["active"]?.first == "yes"
            if member.id == context.staff.id && (!roles.contains(.forceAdministrator) || !active) {
                return try await staffPage(
                    context, notice: nil,
                    errors: [FormError(field: "roles-\(id)-force-administrator", message: "You cannot remove your own administrator role or deactivate yourself")],
                    invite: ("", "", [])
                ).with(status: .conflict)
            }
            guard !roles.isEmpty else {
                return try await staffPage(
                    context, notice: nil, errors: [FormError(field: "roles-\(id)-contact-handler", message: "Choose at least one role")],
                    invite: ("", "", [])
                ).with(status: .badRequest)
            }
            member.roles = roles
            member.active = active
            try await security.staff.update(member)
            if !active { try await security.staff.deleteSessions(staffID: member.id) }
            try await security.audit.append(
                AuditRecord(
                    forceID: context.force.id, actorID: context.staff.id, action: "staff.update", subject: "staff:\(member.id)",
                    detail: "\(member.rolesText); \(active ? "active" : "deactivated")"),
                at: security.now())
            return try await staffPage(context, notice: "\(member.name) saved", errors: [], invite: ("", "", []))
        }
    }

    /// The national definition of a service the force offers, or 404.
    private func offeredDefinition(_ context: StaffRequestContext) throws -> ServiceDefinition {
        guard let id = context.parameters.get("service"), let definition = catalogue.service(id),
            definition.availability.isOffered(under: context.force.onboarding)
        else { throw HTTPError(.notFound) }
        return definition
    }

    private func pageWordingPage(
        _ context: StaffRequestContext, _ definition: ServiceDefinition, wording: [String: PageWording], notice: String?,
        errors: [FormError]
    ) -> Response {
        let rows = definition.pages.filter { $0.heading != nil || $0.body != nil }.map { page in
            PageWordingRow(
                id: page.id, nationalTitle: page.heading?.en ?? "", nationalBody: page.body?.en,
                hasBody: page.body != nil, titleEN: wording[page.id]?.titleEN ?? "", titleCY: wording[page.id]?.titleCY ?? "",
                bodyEN: wording[page.id]?.bodyEN ?? "", bodyCY: wording[page.id]?.bodyCY ?? "")
        }
        return pages.response(
            PageWordingPage(
                layout: layout("Page wording: \(definition.title.en)", context, current: StaffURL.adminServices(context.force.id).path),
                service: definition.title.en, action: StaffURL.adminService(context.force.id, definition.id).path + "/pages",
                backHref: StaffURL.adminServices(context.force.id).path, rows: rows, notice: notice, errors: errors),
            template: "staff-admin-pages")
    }

    private func deliveryPage(
        _ hub: any HubRepository, _ context: StaffRequestContext, notice: String?, errors: [FormError] = []
    ) async throws -> Response {
        let state = try await hub.deliveryState(force: context.force.id, now: Date())
        let endpoint = try await hub.endpoint(for: context.force.id)
        return pages.response(
            DeliveryPage(
                layout: layout("Delivery to the records system", context, current: StaffURL.adminDelivery(context.force.id).path),
                adapter: Self.connectionText(endpoint), connectionHref: StaffURL.adminConnection(context.force.id).path,
                waiting: state.waiting, dead: state.dead,
                oldest: state.oldestUndeliveredSeconds.map(Self.age) ?? "none", replayAction: StaffURL.adminDelivery(context.force.id).path + "/replay",
                failures: state.failures.map {
                    DeliveryFailureRow(
                        jobID: $0.jobID, reference: $0.reference, state: $0.state == "dead" ? "Dead letter" : "Retrying",
                        isDead: $0.state == "dead", attempts: $0.attempts, error: String($0.error.prefix(300)),
                        when: $0.nextTry.map { "next try \($0.staffText)" } ?? "since \($0.updatedAt.staffText)")
                },
                notice: notice, errors: errors),
            template: "staff-admin-delivery")
    }

    /// The connection in a line, without its secret.
    static func connectionText(_ endpoint: HubEndpoint?) -> String {
        guard let endpoint else { return "None: the demo records system accepts every report" }
        switch endpoint.adapter {
        case .standardAPI: return "Standard API: \(endpoint.url ?? "no address")"
        case .fileDrop: return "File drop: \(endpoint.directory ?? "no folder")"
        case .email: return "Secure email: \(endpoint.email ?? "no mailbox")"
        }
    }

    /// The connection form: the current connection, or what was asked when it was refused; the
    /// secret is never shown back, only whether one is set and since when (or, once, a new one).
    private func connectionPage(
        _ hub: any HubRepository, _ context: StaffRequestContext, notice: String?, errors: [FormError] = [],
        asked: HubConnectionRequest? = nil, newSecret: String? = nil
    ) async throws -> Response {
        let force = context.force.id
        let endpoint = try await hub.endpoint(for: force)
        let chosen = asked?.adapter ?? endpoint?.adapter.rawValue ?? HubConnection.none
        let currentFolder = endpoint?.adapter == .fileDrop ? endpoint?.directory : nil
        let adapters: [(HubAdapter?, String, String)] = [
            (.standardAPI, "Standard API", "Peel sends each report to the records system's address, signed with the shared secret."),
            (.fileDrop, "File drop", "Peel writes each report as a file into a folder that the records system imports from."),
            (.email, "Secure email", "Peel emails each report to a force mailbox: the last resort."),
            (nil, "None", "The demo records system: it accepts every report and sends nothing anywhere."),
        ]
        return pages.response(
            ConnectionPage(
                layout: layout("Connection to the records system", context, current: StaffURL.adminDelivery(force).path),
                action: StaffURL.adminConnection(force).path, backHref: StaffURL.adminDelivery(force).path,
                adapters: adapters.map { adapter, text, hint in
                    let value = adapter?.rawValue ?? HubConnection.none
                    return AdapterOption(value: value, text: text, hint: hint, checked: value == chosen, fieldID: "adapter-\(value)")
                },
                url: asked?.url ?? endpoint?.url ?? "",
                secretSet: endpoint?.adapter == .standardAPI && endpoint?.sealedSecret != nil
                    ? "A shared secret is set" + (endpoint?.secretSetAt.map { " (since \($0.staffText))" } ?? "") + ". Leave this empty to keep it."
                    : nil,
                directory: asked?.directory
                    ?? currentFolder.flatMap { HubConnection.folderName(of: $0, force: force, dataDirectory: dataDirectory) } ?? "",
                currentFolder: currentFolder.map { "Now: \($0). Leave this empty to keep it." },
                dropsFolder: "\(HubConnection.dropsFolder)/\(force)/",
                email: asked?.email ?? endpoint?.email ?? "",
                updated: endpoint?.updatedAt.map(\.staffText), newSecret: newSecret, notice: notice, errors: errors),
            template: "staff-admin-connection")
    }

    static func age(_ seconds: Double) -> String {
        switch seconds {
        case ..<120: "\(Int(seconds)) seconds"
        case ..<7200: "\(Int(seconds / 60)) minutes"
        case ..<172_800: "\(Int(seconds / 3600)) hours"
        default: "\(Int(seconds / 86_400)) days"
        }
    }

    private func layout(_ title: String, _ context: StaffRequestContext, current: String) -> StaffLayout {
        StaffLayout(title: title, force: context.force, csrfToken: context.csrfToken, staff: context.staff, current: current)
    }

    private func servicesPage(_ context: StaffRequestContext, notice: String?, errors: [FormError]) async throws -> Response {
        let settings = try await serviceSettings.settings(for: context.force.id)
        let rows = catalogue.offered(under: context.force.onboarding).map { definition in
            let setting = settings[definition.id]
            return ServiceAdminRow(
                id: definition.id, title: definition.title.en, enabled: setting?.enabled ?? true,
                action: StaffURL.adminService(context.force.id, definition.id).path,
                pagesHref: StaffURL.adminService(context.force.id, definition.id).path + "/pages",
                titleEN: setting?.title[.english] ?? "", titleCY: setting?.title[.welsh] ?? "",
                summaryEN: setting?.summary[.english] ?? "", summaryCY: setting?.summary[.welsh] ?? "")
        }
        return pages.response(
            ServicesAdminPage(
                layout: layout("Online services", context, current: StaffURL.adminServices(context.force.id).path), rows: rows,
                notice: notice, errors: errors),
            template: "staff-admin-services")
    }

    private func forcePage(
        _ context: StaffRequestContext, notice: String?, errors: [FormError], form: ForceDetailsForm?
    ) async throws -> Response {
        let english = try await forceContent.homeContent(for: context.force.id, language: .english)?.intro ?? ""
        let welsh = try await forceContent.homeContent(for: context.force.id, language: .welsh)?.intro ?? ""
        let contact = context.force.definition.contact
        let shown =
            form
            ?? ForceDetailsForm(
                onboarding: context.force.onboarding.rawValue, phone: contact.phone ?? "", textNumber: contact.textNumber ?? "",
                website: contact.website, brandColour: context.force.definition.brandColour, introEN: english, introCY: welsh,
                nationalAccess: context.force.grantsNationalAccess, showsOfficer: context.force.showsOfficerInPortal)
        return pages.response(
            ForceAdminPage(
                layout: layout("Force details", context, current: StaffURL.adminForce(context.force.id).path),
                action: StaffURL.adminForce(context.force.id).path, form: shown,
                models: [
                    Option(value: "core", text: "Core: the national core services", selected: shown.onboarding == "core"),
                    Option(value: "full", text: "Full: the whole national catalogue", selected: shown.onboarding == "full"),
                ],
                notice: notice, errors: errors),
            template: "staff-admin-force")
    }

    private func staffPage(
        _ context: StaffRequestContext, notice: String?, errors: [FormError], invite: (String, String, Set<StaffRole>)
    ) async throws -> Response {
        let assignable = StaffRole.allCases.filter { $0 != .nationalAdministrator }
        let members = try await security.staff.list(force: context.force.id)
        let rows = members.map { member in
            StaffAdminRow(
                id: member.id, name: member.name, email: member.email,
                roles: member.roles.map(\.title).sorted().joined(separator: ", "), active: member.active,
                action: StaffURL.adminMember(context.force.id, member.id).path,
                roleOptions: assignable.map {
                    RoleOption(value: $0.rawValue, text: $0.title, checked: member.roles.contains($0), fieldID: "roles-\(member.id)-\($0.rawValue)")
                },
                isSelf: member.id == context.staff.id)
        }
        return pages.response(
            StaffAdminPage(
                layout: layout("Staff", context, current: StaffURL.adminStaff(context.force.id).path), rows: rows,
                inviteAction: StaffURL.adminStaff(context.force.id).path,
                inviteRoles: assignable.map {
                    RoleOption(value: $0.rawValue, text: $0.title, checked: invite.2.contains($0), fieldID: "roles-invite-\($0.rawValue)")
                },
                inviteName: invite.0, inviteEmail: invite.1, notice: notice, errors: errors),
            template: "staff-admin-staff")
    }
}

/// The force details form as posted, and what is wrong with it.
struct ForceDetailsForm: Sendable {
    let onboarding: String
    let phone: String
    let textNumber: String
    let website: String
    let brandColour: String
    let introEN: String
    let introCY: String
    /// Whether the national team may read the force's reports.
    let nationalAccess: Bool
    /// Whether MyPolice shows the officer in charge's name and collar number.
    let showsOfficer: Bool

    var errors: [FormError] {
        var errors: [FormError] = []
        if OnboardingModel(rawValue: onboarding) == nil || onboarding == OnboardingModel.notOnboarded.rawValue {
            errors.append(FormError(field: "onboarding-core", message: "Choose which services the force offers"))
        }
        let dialable = { (text: String) in text.count <= 20 && text.allSatisfy { $0.isASCII && ($0.isNumber || $0 == " " || $0 == "+") } }
        if !dialable(phone) { errors.append(FormError(field: "phone", message: "Enter a phone number of digits and spaces only, like 101")) }
        if !dialable(textNumber) {
            errors.append(FormError(field: "text-number", message: "Enter a text number of digits and spaces only, like 61016"))
        }
        if !(website.hasPrefix("https://") && website.count <= 200 && URL(string: website)?.host != nil && !website.contains(" ")) {
            errors.append(FormError(field: "website", message: "Enter the force's website address, starting https://"))
        }
        if !BrandColour.isValid(brandColour) {
            errors.append(FormError(field: "brand-colour", message: "Enter the brand colour as # and six hexadecimal digits, like #1d3c78"))
        } else if (BrandColour.contrastWithWhite(brandColour) ?? 0) < 4.5 {
            errors.append(FormError(field: "brand-colour", message: "Choose a darker brand colour: white text on it must have a contrast ratio of 4.5 or more"))
        }
        for (field, value, name) in [("intro-en", introEN, "English"), ("intro-cy", introCY, "Welsh")] {
            if value.isEmpty { errors.append(FormError(field: field, message: "Enter the \(name) introduction")) }
            if value.count > AdminController.introLimit {
                errors.append(FormError(field: field, message: "The \(name) introduction must be \(AdminController.introLimit) characters or fewer"))
            }
        }
        return errors
    }
}
