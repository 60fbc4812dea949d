import Foundation
import HTTPTypes
import Hummingbird
import PeelAuth
import PeelCore

/// Every address of MyPolice, on each force's site.
enum PortalURL {
    case home(ForceID)
    case signIn(ForceID)
    case code(ForceID)
    case report(ForceID, String)
    case reportMessages(ForceID, String)
    case requestUpdate(ForceID, String)
    case account(ForceID)
    case accountData(ForceID)
    case signOut(ForceID)
    case privacy(ForceID)
    case victimsCode(ForceID)

    var path: String {
        switch self {
        case .home(let force): "/\(force)/my/"
        case .signIn(let force): "/\(force)/my/sign-in"
        case .code(let force): "/\(force)/my/sign-in/code"
        case .report(let force, let reference): "/\(force)/my/reports/\(reference)"
        case .reportMessages(let force, let reference): "/\(force)/my/reports/\(reference)/messages"
        case .requestUpdate(let force, let reference): "/\(force)/my/reports/\(reference)/request-update"
        case .account(let force): "/\(force)/my/account"
        case .accountData(let force): "/\(force)/my/account/data.json"
        case .signOut(let force): "/\(force)/my/sign-out"
        case .privacy(let force): "/\(force)/my/privacy"
        case .victimsCode(let force): "/\(force)/my/victims-code"
        }
    }

    static let groupPattern = "/:\(SiteURL.forceParameter)/my"
    static let group = RouterPath(groupPattern)
    static let referenceParameter = "reference"
}

/// What a MyPolice route requires.
package enum PortalRoutePolicy: Sendable, Hashable {
    /// Anyone: the sign-in steps, the privacy notice, the Victims' Code.
    case open
    /// A signed-in person: their list of reports, their account.
    case signedIn
    /// A signed-in person whose report the address names; anyone else gets 404.
    case ownReport
}

package typealias PortalRoutePolicies = RoutePolicies<PortalRoutePolicy>

/// The request context of signed-in MyPolice pages. A request without a live session is sent to
/// sign in.
struct PortalRequestContext: ChildRequestContext, CarriesPostedForm {
    typealias ParentContext = ForceRequestContext
    var coreContext: CoreRequestContextStorage
    let requestID: String
    let language: Language
    let csrfToken: String
    let force: Force
    let citizen: Citizen
    let token: String
    let postedForm: PostedForm?

    init(context: ForceRequestContext) throws {
        guard let identity = context.citizenSession else { throw PortalSignInRequired(path: PortalURL.signIn(context.force.id).path) }
        self.coreContext = context.coreContext
        self.requestID = context.requestID
        self.language = context.language
        self.csrfToken = context.csrfToken
        self.force = context.force
        self.citizen = identity.citizen
        self.token = identity.token
        self.postedForm = context.postedForm
    }
}

struct PortalSignInRequired: Error {
    let path: String
}

/// Reads the MyPolice session cookie: an unknown or expired session is ignored (and an expired
/// one deleted). Every MyPolice response is `no-store`.
struct PortalSessionMiddleware: RouterMiddleware {
    typealias Context = PeelRequestContext
    static let cookieName = "peel_my"
    /// The browser's claim on the code it asked for.
    static let pendingCookieName = "peel_my_code"
    let security: PortalSecurity

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let token = request.cookie(Self.cookieName), Tokens.isWellFormed(token) {
            context.citizenSession = try await security.identity(token: token)
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch let required as PortalSignInRequired {
            response = redirect(to: required.path)
        }
        response.headers[.cacheControl] = "no-store"
        return response
    }
}

/// Registers MyPolice routes with their policy.
struct PortalRoutes {
    let open: RouterGroup<ForceRequestContext>
    let signedIn: RouterGroup<PortalRequestContext>
    let policies: PortalRoutePolicies

    func open(
        _ method: HTTPRequest.Method, _ path: String, _ handler: @escaping @Sendable (Request, ForceRequestContext) async throws -> Response
    ) {
        policies.record(method, RouterPath(PortalURL.groupPattern + path).description, .open)
        open.on(RouterPath(path), method: method, use: handler)
    }

    func signedIn(
        _ method: HTTPRequest.Method, _ path: String, _ handler: @escaping @Sendable (Request, PortalRequestContext) async throws -> Response
    ) {
        policies.record(method, RouterPath(PortalURL.groupPattern + path).description, .signedIn)
        signedIn.on(RouterPath(path), method: method, use: handler)
    }

    /// A route about one of the person's reports: the handler gets the report only if it is theirs.
    func ownReport(
        _ method: HTTPRequest.Method, _ path: String,
        _ handler: @escaping @Sendable (Request, PortalRequestContext, PortalReport) async throws -> Response,
        find: @escaping @Sendable (String, PortalRequestContext) async throws -> PortalReport?
    ) {
        policies.record(method, RouterPath(PortalURL.groupPattern + path).description, .ownReport)
        signedIn.on(RouterPath(path), method: method) { request, context in
            guard let reference = context.parameters.get(PortalURL.referenceParameter), ReportReference.isValid(reference),
                let report = try await find(reference, context)
            else { throw HTTPError(.notFound) }
            return try await handler(request, context, report)
        }
    }
}
