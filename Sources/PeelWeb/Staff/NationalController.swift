import Foundation
import Hummingbird
import PeelAuth
import PeelCore
import PeelForms

/// The national team's back office: which forces are onboarded on which model, and the national
/// catalogue. National administrators read no force's reports unless that force grants it, and
/// then read only: the queue and report pages without any action.
struct NationalAdminController {
    let security: StaffSecurity
    let forces: any ForceRepository
    let catalogue: ServiceCatalogue
    let pages: PageRenderer
    /// The back office's queue and report pages, shown read-only for a force that grants access.
    let desk: BackOfficeController

    func addRoutes(to routes: StaffRoutes<NationalStaffRequestContext>) {
        routes.get("/", .manageForces) { request, context in
            let saved = request.uri.queryParameters.get("saved")
            return try await forcesPage(context, notice: saved.map { "\($0) saved" }, errors: [])
        }
        routes.post("/forces/:force", .manageForces) { request, context in
            guard let text = context.parameters.get("force"), let id = ForceID(validating: text),
                let force = try await forces.find(id)
            else { throw HTTPError(.notFound) }
            let chosen = try await context.form(request)["onboarding"]?.first ?? ""
            guard let model = OnboardingModel(rawValue: chosen) else {
                return try await forcesPage(
                    context, notice: nil,
                    errors: [FormError(field: "onboarding-\(id)-core", message: "Choose how \(force.name) is onboarded")]
                ).with(status: .badRequest)
            }
            _ = try await forces.setOnboarding(id, to: model, at: security.now())
            try await security.audit.append(
                AuditRecord(
                    forceID: id, actorID: context.staff.id, action: "force.onboarding", subject: "force:\(id)",
                    detail: "\(force.onboarding.rawValue) to \(model.rawValue)"),
                at: security.now())
            let name = force.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            return redirect(to: StaffRealm.national.path("/?saved=\(name)"))
        }
        routes.get("/forces/:force/reports", .readGrantedReports) { request, context in
            try await desk.queue(request, try await grantedDesk(context))
        }
        routes.get("/forces/:force/reports/:report", .readGrantedReports) { _, context in
            guard let id = context.parameters.get("report"), id.count <= 64 else { throw HTTPError(.notFound) }
            return try await desk.reportPage(id, try await grantedDesk(context), errors: [])
        }
        routes.get("/catalogue", .manageForces) { _, context in
            let rows = catalogue.services.map { definition in
                CatalogueRow(
                    id: definition.id, title: definition.title.en, welshTitle: definition.title.cy, version: String(definition.version),
                    availability: definition.availability == .core ? "Core and full" : "Full only",
                    sensitive: definition.sensitivity.quickExit ? "Quick exit; no answers in emails" : "")
            }
            return pages.response(
                NationalCataloguePage(layout: layout("Service catalogue", context, current: "/catalogue"), rows: rows),
                template: "staff-national-catalogue")
        }
        routes.get("/account", .signedIn) { _, context in
            pages.response(
                AccountPage(
                    layout: layout("Your account", context, current: "/account"), name: context.staff.name,
                    email: context.staff.email, roles: context.staff.roles.map(\.title).sorted().joined(separator: ", "),
                    recoveryCodesLeft: try await security.staff.unusedRecoveryCodes(staffID: context.staff.id),
                    signOutEverywhereAction: StaffRealm.national.path("/sign-out-everywhere")),
                template: "staff-account")
        }
        routes.post("/sign-out", .signedIn) { _, context in try await signOut(context, everywhere: false) }
        routes.post("/sign-out-everywhere", .signedIn) { _, context in try await signOut(context, everywhere: true) }
    }

    /// The force in the address, if it grants the national team access; otherwise 404.
    private func grantedDesk(_ context: NationalStaffRequestContext) async throws -> CaseDesk {
        guard let text = context.parameters.get("force"), let id = ForceID(validating: text),
            let force = try await forces.find(id), force.grantsNationalAccess
        else { throw HTTPError(.notFound) }
        let base = StaffRealm.national.path("/forces/\(id)/reports")
        return CaseDesk(
            force: id, staff: context.staff, queuePath: base, reportPath: { "\(base)/\($0)" },
            layout: { [csrf = context.csrfToken, staff = context.staff] title, current in
                StaffLayout(title: "\(title): \(force.name)", realm: .national, csrfToken: csrf, staff: staff, current: current)
            })
    }

    private func layout(_ title: String, _ context: NationalStaffRequestContext, current: String) -> StaffLayout {
        StaffLayout(
            title: title, realm: .national, csrfToken: context.csrfToken, staff: context.staff,
            current: StaffRealm.national.path(current))
    }

    private func signOut(_ context: NationalStaffRequestContext, everywhere: Bool) async throws -> Response {
        try await security.signOutResponse(token: context.token, everywhere: everywhere, then: StaffRealm.national.path("/sign-in"))
    }

    private func forcesPage(_ context: NationalStaffRequestContext, notice: String?, errors: [FormError]) async throws -> Response {
        let rows = try await forces.all().map { force in
            NationalForceRow(
                id: force.id.rawValue, name: force.name, onboarding: force.onboarding.rawValue,
                action: StaffRealm.national.path("/forces/\(force.id)"),
                reportsHref: force.grantsNationalAccess ? StaffRealm.national.path("/forces/\(force.id)/reports") : nil,
                models: OnboardingModel.allCases.map {
                    RoleOption(
                        value: $0.rawValue,
                        text: $0 == .notOnboarded ? "Not onboarded" : $0 == .core ? "Core services" : "Full catalogue",
                        checked: force.onboarding == $0, fieldID: "onboarding-\(force.id)-\($0.rawValue)")
                })
        }
        return pages.response(
            NationalForcesPage(layout: layout("Forces", context, current: "/"), rows: rows, notice: notice, errors: errors),
            template: "staff-national-forces")
    }
}

struct NationalForceRow: Sendable {
    let id: String
    let name: String
    let onboarding: String
    let action: String
    /// Where to read the force's reports, when it grants the national team access.
    let reportsHref: String?
    let models: [RoleOption]
}

struct NationalForcesPage: StaffErrorsView {
    let layout: StaffLayout
    let rows: [NationalForceRow]
    let notice: String?
    let errors: [FormError]
}

struct CatalogueRow: Sendable {
    let id: String
    let title: String
    let welshTitle: String
    let version: String
    let availability: String
    let sensitive: String
}

struct NationalCataloguePage: Sendable {
    let layout: StaffLayout
    let rows: [CatalogueRow]
}
