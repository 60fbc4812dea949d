import Foundation
import Hummingbird
import PeelCore

/// Where a member of staff signs in and works: one force's back office, or the national team's.
struct StaffRealm: Sendable, Hashable {
    /// The force, or nil for the national team.
    let forceID: ForceID?
    let name: String
    /// The address every page of the realm is under.
    let base: String

    init(force: Force) {
        self.forceID = force.id
        self.name = force.name
        self.base = "/\(force.id)/staff"
    }

    private init() {
        self.forceID = nil
        self.name = "National team"
        self.base = "/national/staff"
    }

    static let national = StaffRealm()

    func path(_ suffix: String) -> String { base + suffix }

    /// Whether `member` belongs here: a force's own staff, or the national team's administrators.
    func admits(_ member: StaffMember) -> Bool {
        guard let forceID else { return member.forceID == nil && member.roles.contains(.nationalAdministrator) }
        return member.forceID == forceID
    }
}

/// A request context in which the sign-in steps run: it knows its realm and the session so far.
protocol StaffSignInContext: RequestContext, CarriesPostedForm {
    var realm: StaffRealm { get }
    var csrfToken: String { get }
    var staffSession: StaffIdentity? { get }
}

extension ForceRequestContext: StaffSignInContext {
    var realm: StaffRealm { StaffRealm(force: force) }
}

/// The request context of the national team's sign-in steps.
struct NationalRequestContext: ChildRequestContext, StaffSignInContext {
    typealias ParentContext = PeelRequestContext
    var coreContext: CoreRequestContextStorage
    let csrfToken: String
    let staffSession: StaffIdentity?
    let postedForm: PostedForm?
    var realm: StaffRealm { .national }

    init(context: PeelRequestContext) {
        self.coreContext = context.coreContext
        self.csrfToken = context.csrfToken
        self.staffSession = context.staffSession
        self.postedForm = context.postedForm
    }
}

/// The request context of the national team's signed-in pages: a national administrator.
struct NationalStaffRequestContext: ChildRequestContext, CarriesPostedForm {
    typealias ParentContext = NationalRequestContext
    var coreContext: CoreRequestContextStorage
    let csrfToken: String
    let staff: StaffMember
    let token: String
    let postedForm: PostedForm?

    init(context: NationalRequestContext) throws {
        guard let identity = context.staffSession, identity.session.stage == .signedIn else {
            throw StaffSignInRequired(path: StaffRealm.national.path("/sign-in"))
        }
        guard StaffRealm.national.admits(identity.member) else { throw HTTPError(.notFound) }
        self.coreContext = context.coreContext
        self.csrfToken = context.csrfToken
        self.staff = identity.member
        self.token = identity.token
        self.postedForm = context.postedForm
    }
}
