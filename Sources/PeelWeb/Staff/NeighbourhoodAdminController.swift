import Foundation
import Hummingbird
import PeelCore
import PeelPoliceData

/// The force administrator's neighbourhoods: the list, adding or replacing neighbourhoods by
/// uploading a GeoJSON file (boundary, team, priorities, events and contact details, as
/// docs/police-data.md describes), and removing one. They feed the data API's neighbourhood
/// methods.
struct NeighbourhoodAdminController {
    let security: StaffSecurity
    let neighbourhoods: any NeighbourhoodRepository
    let pages: PageRenderer

    /// Largest GeoJSON file taken (a force's detailed boundaries fit easily).
    static let maximumFileSize = 20 << 20

    static func path(_ force: ForceID) -> String { "/\(force)/staff/admin/neighbourhoods" }

    func addRoutes(to routes: StaffRoutes<StaffRequestContext>) {
        routes.get("/admin/neighbourhoods", .manageForce) { _, context in
            try await page(context, notice: nil, errors: [])
        }
        routes.post("/admin/neighbourhoods", .manageForce) { _, context in
            guard let file = context.postedForm?.files.first(where: { $0.field == "geojson" }), !file.data.isEmpty else {
                return try await page(context, notice: nil, errors: [FormError(field: "geojson", message: "Choose a GeoJSON file to upload")])
                    .with(status: .badRequest)
            }
            guard file.data.count <= Self.maximumFileSize else {
                return try await page(context, notice: nil, errors: [FormError(field: "geojson", message: "The file must be 20 MB or smaller")])
                    .with(status: .badRequest)
            }
            let parsed: (neighbourhoods: [Neighbourhood], problems: [String])
            do {
                parsed = try NeighbourhoodFile.parse(file.data, force: context.force.id)
            } catch {
                return try await page(
                    context, notice: nil, errors: [FormError(field: "geojson", message: "The file must be a GeoJSON FeatureCollection")]
                ).with(status: .badRequest)
            }
            let problems = parsed.problems.map { FormError(field: "geojson", message: "Not saved: \($0)") }
            guard !parsed.neighbourhoods.isEmpty else {
                return try await page(
                    context, notice: nil, errors: problems.isEmpty ? [FormError(field: "geojson", message: "The file has no neighbourhoods")] : problems
                ).with(status: .badRequest)
            }
            let now = security.now()
            for neighbourhood in parsed.neighbourhoods { try await neighbourhoods.save(neighbourhood, at: now) }
            try await security.audit.append(
                AuditRecord(
                    forceID: context.force.id, actorID: context.staff.id, action: "neighbourhoods.upload", subject: "neighbourhoods",
                    detail: parsed.neighbourhoods.map(\.id).joined(separator: ",")),
                at: now)
            let saved = parsed.neighbourhoods.count == 1 ? "1 neighbourhood saved" : "\(parsed.neighbourhoods.count) neighbourhoods saved"
            return try await page(context, notice: saved, errors: problems)
        }
        routes.post("/admin/neighbourhoods/:neighbourhood/delete", .manageForce) { _, context in
            let id = context.parameters.get("neighbourhood") ?? ""
            // Removing one that is already gone (a second click, another administrator) just shows the list.
            guard Neighbourhood.isValidID(id), try await neighbourhoods.find(force: context.force.id, id: id) != nil else {
                return redirect(to: Self.path(context.force.id))
            }
            try await neighbourhoods.delete(force: context.force.id, id: id)
            try await security.audit.append(
                AuditRecord(
                    forceID: context.force.id, actorID: context.staff.id, action: "neighbourhoods.delete", subject: "neighbourhood:\(id)"),
                at: security.now())
            return redirect(to: Self.path(context.force.id))
        }
    }

    private func page(_ context: StaffRequestContext, notice: String?, errors: [FormError]) async throws -> Response {
        let path = Self.path(context.force.id)
        let rows = try await neighbourhoods.list(force: context.force.id).map {
            NeighbourhoodAdminPage.Row(
                id: $0.id, name: $0.name, team: $0.team.count, priorities: $0.priorities.count, events: $0.events.count,
                points: $0.boundary.count, deleteAction: "\(path)/\($0.id)/delete")
        }
        return pages.response(
            NeighbourhoodAdminPage(
                layout: StaffLayout(title: "Neighbourhoods", force: context.force, csrfToken: context.csrfToken, staff: context.staff, current: path),
                action: path, rows: rows, hasRows: !rows.isEmpty, notice: notice, errors: errors),
            template: "staff-admin-neighbourhoods")
    }
}

struct NeighbourhoodAdminPage: StaffErrorsView {
    struct Row: Sendable {
        let id: String
        let name: String
        let team: Int
        let priorities: Int
        let events: Int
        let points: Int
        let deleteAction: String
    }

    let layout: StaffLayout
    let action: String
    let rows: [Row]
    let hasRows: Bool
    let notice: String?
    let errors: [FormError]
}
