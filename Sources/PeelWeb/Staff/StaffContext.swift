import Foundation
import Hummingbird
import PeelAuth
import PeelCore

/// Who is asking, on a staff route: the session (by its cookie) and the member of staff.
struct StaffIdentity: Sendable {
    /// The session's id as the cookie carries it (the store keeps only its hash).
    let token: String
    let session: StaffSession
    let member: StaffMember
}

/// The request context of signed-in staff pages: a force, and a member of staff of that force
/// whose session has passed both steps of sign-in. Staff of another force get 404, as if the
/// page did not exist; a request without a signed-in session is sent to sign in.
struct StaffRequestContext: ChildRequestContext, CarriesPostedForm {
    typealias ParentContext = ForceRequestContext
    var coreContext: CoreRequestContextStorage
    let requestID: String
    let csrfToken: String
    let force: Force
    let staff: StaffMember
    let token: String
    let postedForm: PostedForm?

    init(context: ForceRequestContext) throws {
        guard let identity = context.staffSession, identity.session.stage == .signedIn else {
            throw StaffSignInRequired(path: StaffURL.signIn(context.force.id).path)
        }
        guard StaffRealm(force: context.force).admits(identity.member) else { throw HTTPError(.notFound) }
        self.coreContext = context.coreContext
        self.requestID = context.requestID
        self.csrfToken = context.csrfToken
        self.force = context.force
        self.staff = identity.member
        self.token = identity.token
        self.postedForm = context.postedForm
    }
}

/// A staff page asked for without a signed-in session: answered with a redirect to sign in.
struct StaffSignInRequired: Error {
    /// The realm's sign-in page.
    let path: String
}

/// A staff page the person's roles do not allow: answered with 403.
struct StaffForbidden: Error {}

/// Reads the staff session cookie on staff routes: an unknown, expired or deactivated session
/// is deleted and ignored. A live one is touched (at most once a minute) for the idle timeout.
/// Every staff response is `no-store`: no copy of personal data stays in a browser's cache.
struct StaffSessionMiddleware: RouterMiddleware {
    typealias Context = PeelRequestContext
    static let cookieName = "peel_staff"
    let security: StaffSecurity

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let token = request.cookie(Self.cookieName), Tokens.isWellFormed(token) {
            context.staffSession = try await security.identity(token: token)
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch let required as StaffSignInRequired {
            response = redirect(to: required.path)
        }
        response.headers[.cacheControl] = "no-store"
        return response
    }
}

extension StaffSecurity {
    /// Ends the session with this cookie value (or every session of its member), then sends the
    /// browser to `then` with the cookie emptied.
    func signOutResponse(token: String, everywhere: Bool, then path: String) async throws -> Response {
        if let identity = try await identity(token: token) {
            try await signOut(identity, everywhere: everywhere)
        }
        var response = redirect(to: path)
        response.setCookie(Cookie(name: StaffSessionMiddleware.cookieName, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .strict))
        return response
    }
}
