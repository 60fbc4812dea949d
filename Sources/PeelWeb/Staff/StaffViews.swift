import Foundation
import Hummingbird
import Mustache
import PeelCore

/// A back-office view: Mustache reads its stored properties by reflection, and its derived
/// ones (`hasErrors`, a field's message) through ``derived(named:)``.
protocol StaffView: MustacheParent, Sendable {
    func derived(named name: String) -> Any?
}

/// A view with an error summary: `hasErrors` is all it derives.
protocol StaffErrorsView: StaffView {
    var errors: [FormError] { get }
}

extension StaffErrorsView {
    var hasErrors: Bool { !errors.isEmpty }
    func derived(named name: String) -> Any? { name == "hasErrors" ? hasErrors : nil }
}

extension StaffView {
    func child(named name: String) -> Any? {
        if let value = derived(named: name) { return value }
        guard let match = Mirror(reflecting: self).children.first(where: { $0.label == name }) else { return nil }
        let mirror = Mirror(reflecting: match.value)
        guard mirror.displayStyle == .optional else { return match.value }
        return mirror.children.first?.value
    }
}

/// The frame of every back-office page: the force, who is signed in, and what they may open.
struct StaffLayout: Sendable {
    struct NavItem: Sendable {
        let text: String
        let href: String
        let current: Bool
    }

    let title: String
    let forceName: String
    let csrfToken: String
    let signedInAs: String?
    let nav: [NavItem]
    let signOutAction: String

    init(title: String, force: Force, csrfToken: String, staff: StaffMember?, current: String? = nil) {
        self.init(title: title, realm: StaffRealm(force: force), csrfToken: csrfToken, staff: staff, current: current)
    }

    init(title: String, realm: StaffRealm, csrfToken: String, staff: StaffMember?, current: String? = nil) {
        self.title = "\(title) – \(realm.name) – Peel back office"
        self.forceName = realm.name
        self.csrfToken = csrfToken
        self.signedInAs = staff.map { member in member.collarNumber.map { "\(member.name) (\($0))" } ?? member.name }
        self.signOutAction = realm.path("/sign-out")
        var items: [(String, String, StaffPermission)]
        if let force = realm.forceID {
            items = [
                ("Reports", StaffURL.queue(force).path, .viewReports),
                ("Services", StaffURL.adminServices(force).path, .manageServices),
                ("Force details", StaffURL.adminForce(force).path, .manageForce),
                ("Staff", StaffURL.adminStaff(force).path, .manageStaff),
                ("Delivery", StaffURL.adminDelivery(force).path, .manageForce),
                ("Neighbourhoods", NeighbourhoodAdminController.path(force), .manageForce),
            ]
        } else {
            items = [
                ("Forces", realm.path("/"), .manageForces),
                ("Service catalogue", realm.path("/catalogue"), .manageForces),
            ]
        }
        items.append(("Your account", realm.path("/account"), .signedIn))
        let roles = staff?.roles ?? []
        self.nav =
            staff == nil
            ? []
            : items.filter { $0.2.isGranted(to: roles) }.map { NavItem(text: $0.0, href: $0.1, current: $0.1 == current) }
    }
}

/// An error in the error-summary pattern: the summary links to the field.
struct FormError: Sendable {
    let field: String
    let message: String
    /// Stored, not computed: Mustache reads stored properties.
    let href: String

    init(field: String, message: String) {
        self.field = field
        self.message = message
        self.href = "#\(field)"
    }
}

/// Several field errors, as a failure.
struct StaffFormErrors: Error {
    let errors: [FormError]
}

/// A page with a form: its errors (for the summary) and each field's message.
struct StaffFormPage<Fields: Sendable>: StaffView {
    let layout: StaffLayout
    let heading: String
    let action: String
    let fields: Fields
    let errors: [FormError]
    var hasErrors: Bool { !errors.isEmpty }
    /// Each field's message by field name, for the field itself.
    var fieldErrors: [String: String] { Dictionary(errors.map { ($0.field, $0.message) }, uniquingKeysWith: { first, _ in first }) }

    func derived(named name: String) -> Any? {
        switch name {
        case "hasErrors": hasErrors
        case "fieldErrors": fieldErrors
        default: nil
        }
    }
}

struct SignInFields: Sendable {
    var email = ""
    var notice: String?
}

struct CodeFields: Sendable {
    var enrolSecret: String?
    var qrSVG: String?
}

struct Option: Sendable {
    let value: String
    let text: String
    let selected: Bool
}

struct QueueRow: Sendable {
    let reference: String
    let href: String
    let service: String
    let status: String
    let grade: String
    let assigned: String
    let received: String
    let contact: String
    /// "2 new messages" from the person, or nil.
    let unread: String?
}

struct QueuePage: StaffView {
    let layout: StaffLayout
    let heading: String
    let action: String
    let rows: [QueueRow]
    let total: Int
    let search: String
    let statuses: [Option]
    let services: [Option]
    let grades: [Option]
    let assignment: [Option]
    let from: String
    let to: String
    let errors: [FormError]
    let previousHref: String?
    let nextHref: String?
    let pageSummary: String
    var hasErrors: Bool { !errors.isEmpty }
    var hasRows: Bool { !rows.isEmpty }

    func derived(named name: String) -> Any? {
        switch name {
        case "hasErrors": hasErrors
        case "hasRows": hasRows
        default: nil
        }
    }
}

struct AnswerRow: Sendable {
    let question: String
    let answer: [String]
}

struct AnswerSection: Sendable {
    let title: String
    let rows: [AnswerRow]
}

struct TimelineRow: Sendable {
    let at: String
    let who: String
    let text: String
}

/// A message in the thread with the person who made a report.
struct MessageRow: Sendable {
    let from: String
    let at: String
    let lines: [String]
    /// From the person, and not yet read by staff.
    let unread: Bool
}

struct ReportPage: StaffView {
    let layout: StaffLayout
    let reference: String
    let service: String
    let status: String
    let grade: String
    let assigned: String
    let outcome: String?
    let received: String
    let contact: [AnswerRow]
    let sections: [AnswerSection]
    let timeline: [TimelineRow]
    let errors: [FormError]
    let canAssess: Bool
    let canAssign: Bool
    let canChangeStatus: Bool
    let canNote: Bool
    let canAudit: Bool
    let assessAction: String
    let assignAction: String
    let statusAction: String
    let noteAction: String
    let auditHref: String
    let levels: [Option]
    let gradeOptions: [Option]
    let officers: [Option]
    let nextStatuses: [Option]
    let outcomes: [Option]
    /// The earlier reports a handler confirmed this one repeats: the "Duplicate of" marker.
    let duplicateOf: [LinkRow]
    /// Later reports confirmed as duplicates of this one.
    let confirmedLater: [LinkRow]
    let duplicates: [DuplicateRow]
    let duplicatesAction: String
    /// The thread with the person who made the report, oldest first.
    let messages: [MessageRow]
    let canMessage: Bool
    let messageAction: String
    let thrive: ThriveView?
    var hasErrors: Bool { !errors.isEmpty }
    var hasOfficers: Bool { !officers.isEmpty }
    var hasNextStatuses: Bool { !nextStatuses.isEmpty }

    func derived(named name: String) -> Any? {
        switch name {
        case "hasErrors": hasErrors
        case "hasOfficers": hasOfficers
        case "hasNextStatuses": hasNextStatuses
        case "hasDuplicateOf": !duplicateOf.isEmpty
        case "hasConfirmedLater": !confirmedLater.isEmpty
        case "hasDuplicates": !duplicates.isEmpty
        case "hasMessages": !messages.isEmpty
        default: nil
        }
    }
}

struct LinkRow: Sendable {
    let text: String
    let href: String
}

/// A likely duplicate on a report's page: the earlier report, how alike and why, and its decision.
struct DuplicateRow: Sendable {
    let candidateID: String
    let reference: String
    let href: String
    let score: String
    let reasons: String
    let decision: String
    /// Whether the person may decide it now (it is undecided and they may change the report).
    let canDecide: Bool
    let fieldID: String
}

struct ThriveView: Sendable {
    let threat: String
    let harm: String
    let risk: String
    let investigation: String
    let vulnerability: String
    let engagement: String
    let grade: String
}

struct AuditRow: Sendable {
    let sequence: String
    let at: String
    let actor: String
    let action: String
    let detail: String
}

struct AuditPage: Sendable {
    let layout: StaffLayout
    let reference: String
    let backHref: String
    let rows: [AuditRow]
    let exportHref: String?
}

struct AccountPage: Sendable {
    let layout: StaffLayout
    let name: String
    let email: String
    let roles: String
    let recoveryCodesLeft: Int
    let signOutEverywhereAction: String
}

struct RecoveryCodesPage: Sendable {
    let layout: StaffLayout
    let codes: [String]
    let continueHref: String
}

struct ServiceAdminRow: Sendable {
    let id: String
    let title: String
    let enabled: Bool
    let action: String
    let pagesHref: String
    let titleEN: String
    let titleCY: String
    let summaryEN: String
    let summaryCY: String
}

struct ServicesAdminPage: StaffErrorsView {
    let layout: StaffLayout
    let rows: [ServiceAdminRow]
    let notice: String?
    let errors: [FormError]
}

struct StaffAdminRow: Sendable {
    let id: String
    let name: String
    let email: String
    let roles: String
    let active: Bool
    let action: String
    let roleOptions: [RoleOption]
    let isSelf: Bool
}

struct RoleOption: Sendable {
    let value: String
    let text: String
    let checked: Bool
    let fieldID: String
}

struct StaffAdminPage: StaffErrorsView {
    let layout: StaffLayout
    let rows: [StaffAdminRow]
    let inviteAction: String
    let inviteRoles: [RoleOption]
    let inviteName: String
    let inviteEmail: String
    let notice: String?
    let errors: [FormError]
}

struct ForceAdminPage: StaffErrorsView {
    let layout: StaffLayout
    let action: String
    let form: ForceDetailsForm
    let models: [Option]
    let notice: String?
    let errors: [FormError]
}

struct JoinFields: Sendable {
    let token: String
    let email: String
    let name: String
}

extension Date {
    /// "23 Nov 2026 14:05" in UK time, for staff pages.
    var staffText: String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/London") ?? .gmt
        let parts = calendar.dateComponents([.day, .month, .year, .hour, .minute], from: self)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let month = months[max(0, min(11, (parts.month ?? 1) - 1))]
        return String(format: "%d %@ %d %02d:%02d", parts.day ?? 1, month, parts.year ?? 1970, parts.hour ?? 0, parts.minute ?? 0)
    }
}

struct PageWordingRow: Sendable {
    let id: String
    let nationalTitle: String
    let nationalBody: String?
    let hasBody: Bool
    let titleEN: String
    let titleCY: String
    let bodyEN: String
    let bodyCY: String
}

struct PageWordingPage: StaffErrorsView {
    let layout: StaffLayout
    let service: String
    let action: String
    let backHref: String
    let rows: [PageWordingRow]
    let notice: String?
    let errors: [FormError]
}

struct DeliveryFailureRow: Sendable {
    let jobID: String
    let reference: String
    let state: String
    let isDead: Bool
    let attempts: Int
    let error: String
    let when: String
}

struct DeliveryPage: StaffErrorsView {
    let layout: StaffLayout
    /// The connection in a line, never with its secret.
    let adapter: String
    let connectionHref: String
    let waiting: Int
    let dead: Int
    let oldest: String
    let replayAction: String
    let failures: [DeliveryFailureRow]
    let notice: String?
    let errors: [FormError]
}

struct AdapterOption: Sendable {
    let value: String
    let text: String
    let hint: String
    let checked: Bool
    let fieldID: String
}

/// The records-system connection form. Holds no secret but a new one Peel drew, shown once.
struct ConnectionPage: StaffErrorsView {
    let layout: StaffLayout
    let action: String
    let backHref: String
    let adapters: [AdapterOption]
    let url: String
    /// "A shared secret is set (since …)", or nil when none is.
    let secretSet: String?
    /// The folder name under `dropsFolder`.
    let directory: String
    /// The whole path of the current file-drop folder, which may be one the operator chose.
    let currentFolder: String?
    let dropsFolder: String
    let email: String
    let updated: String?
    let newSecret: String?
    let notice: String?
    let errors: [FormError]
}
