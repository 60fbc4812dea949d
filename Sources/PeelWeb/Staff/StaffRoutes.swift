import Foundation
import HTTPTypes
import Hummingbird
import PeelCore
import Synchronization

/// Every address of the back office.
enum StaffURL {
    case signIn(ForceID)
    case code(ForceID)
    case enrol(ForceID)
    case join(ForceID)
    case queue(ForceID)
    case report(ForceID, String)
    case reportAction(ForceID, String, String)
    case reportAudit(ForceID, String)
    case reportAuditExport(ForceID, String)
    case account(ForceID)
    case signOut(ForceID)
    case signOutEverywhere(ForceID)
    case adminServices(ForceID)
    case adminService(ForceID, String)
    case adminForce(ForceID)
    case adminStaff(ForceID)
    case adminMember(ForceID, String)
    case adminDelivery(ForceID)
    case adminConnection(ForceID)

    var path: String {
        switch self {
        case .signIn(let force): "/\(force)/staff/sign-in"
        case .code(let force): "/\(force)/staff/sign-in/code"
        case .enrol(let force): "/\(force)/staff/sign-in/enrol"
        case .join(let force): "/\(force)/staff/join"
        case .queue(let force): "/\(force)/staff/"
        case .report(let force, let id): "/\(force)/staff/reports/\(id)"
        case .reportAction(let force, let id, let action): "/\(force)/staff/reports/\(id)/\(action)"
        case .reportAudit(let force, let id): "/\(force)/staff/reports/\(id)/audit"
        case .reportAuditExport(let force, let id): "/\(force)/staff/reports/\(id)/audit.json"
        case .account(let force): "/\(force)/staff/account"
        case .signOut(let force): "/\(force)/staff/sign-out"
        case .signOutEverywhere(let force): "/\(force)/staff/sign-out-everywhere"
        case .adminServices(let force): "/\(force)/staff/admin/services"
        case .adminService(let force, let service): "/\(force)/staff/admin/services/\(service)"
        case .adminForce(let force): "/\(force)/staff/admin/force"
        case .adminStaff(let force): "/\(force)/staff/admin/staff"
        case .adminMember(let force, let id): "/\(force)/staff/admin/staff/\(id)"
        case .adminDelivery(let force): "/\(force)/staff/admin/delivery"
        case .adminConnection(let force): "/\(force)/staff/admin/delivery/connection"
        }
    }

    /// The route group every force's staff route is registered in.
    static let groupPattern = "/:\(SiteURL.forceParameter)/staff"
    static let group = RouterPath(groupPattern)
    /// The national team's route group.
    static let nationalPattern = "/national/staff"
}

/// What a staff route requires: nothing but the force (the sign-in steps) or a permission.
package enum StaffRoutePolicy: Sendable, Hashable {
    case signInStep
    case permission(StaffPermission)
}

/// The policy of every route of a kind (staff, MyPolice), recorded as the route is registered,
/// so that a test can compare the router's routes with it: a route registered another way has
/// no policy, and fails.
package final class RoutePolicies<Policy: Sendable & Hashable>: Sendable {
    private let policies = Mutex<[String: Policy]>([:])

    package init() {}

    func record(_ method: HTTPRequest.Method, _ path: String, _ policy: Policy) {
        policies.withLock { $0[Self.key(method, path)] = policy }
    }

    /// The policy of `method path` (`path` as the router describes it), if it has one.
    package func policy(_ method: HTTPRequest.Method, _ path: String) -> Policy? {
        policies.withLock { $0[Self.key(method, path)] }
    }

    package var all: [String: Policy] { policies.withLock { $0 } }

    static func key(_ method: HTTPRequest.Method, _ path: String) -> String {
        "\(method.rawValue) \(path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path)"
    }
}

package typealias StaffRoutePolicies = RoutePolicies<StaffRoutePolicy>

/// A signed-in staff context: it knows who is asking.
protocol SignedInStaffContext: RequestContext {
    var staff: StaffMember { get }
}

extension StaffRequestContext: SignedInStaffContext {}
extension NationalStaffRequestContext: SignedInStaffContext {}

/// Registers signed-in staff routes with their policy; each checks the permission against the
/// person's roles before the handler runs. `pattern` is the group's path, as registered.
struct StaffRoutes<Context: SignedInStaffContext> {
    let signedIn: RouterGroup<Context>
    let pattern: String
    let policies: StaffRoutePolicies

    typealias Handler = @Sendable (Request, Context) async throws -> Response

    func get(_ path: String, _ permission: StaffPermission, _ handler: @escaping Handler) {
        add(.get, path, permission, handler)
    }

    func post(_ path: String, _ permission: StaffPermission, _ handler: @escaping Handler) {
        add(.post, path, permission, handler)
    }

    private func add(_ method: HTTPRequest.Method, _ path: String, _ permission: StaffPermission, _ handler: @escaping Handler) {
        policies.record(method, RouterPath(pattern + path).description, .permission(permission))
        signedIn.on(RouterPath(path), method: method) { request, context in
            guard permission.isGranted(to: context.staff.roles) else { throw StaffForbidden() }
            return try await handler(request, context)
        }
    }
}

/// Registers the sign-in steps of a realm, recording their policy.
struct StaffSignInRoutes<Context: StaffSignInContext> {
    let group: RouterGroup<Context>
    let pattern: String
    let policies: StaffRoutePolicies

    func step(
        _ method: HTTPRequest.Method, _ path: String, _ handler: @escaping @Sendable (Request, Context) async throws -> Response
    ) {
        policies.record(method, RouterPath(pattern + path).description, .signInStep)
        group.on(RouterPath(path), method: method) { request, context in try await handler(request, context) }
    }
}
