import Foundation
import Hummingbird
import PeelAuth
import PeelCore

/// The sign-in steps: email and password, then a one-time code (or enrolment with a QR code
/// and recovery codes on first sign-in), and joining by invitation.
struct StaffAuthController<Context: StaffSignInContext> {
    let security: StaffSecurity
    let pages: PageRenderer
    let secureCookies: Bool
    /// Where the signed-in pages start, once both steps are passed.
    let home: @Sendable (StaffRealm) -> String

    func addRoutes(to routes: StaffSignInRoutes<Context>) {
        routes.step(.get, "/sign-in") { _, context in
            signInPage(context, fields: SignInFields(), errors: [])
        }
        routes.step(.post, "/sign-in") { request, context in
            let form = try await context.form(request)
            let email = form["email"]?.first?.trimmingCharacters(in: .whitespaces) ?? ""
            let password = form["password"]?.first ?? ""
            var errors: [FormError] = []
            if email.isEmpty { errors.append(FormError(field: "email", message: "Enter your email address")) }
            if password.isEmpty { errors.append(FormError(field: "password", message: "Enter your password")) }
            if email.count > 254 || password.count > PasswordPolicy.maximumLength {
                errors.append(FormError(field: "email", message: "Enter a correct email address and password"))
            }
            guard errors.isEmpty else {
                return signInPage(context, fields: SignInFields(email: String(email.prefix(254))), errors: errors)
                    .with(status: .badRequest)
            }
            switch try await security.signIn(email: email, password: password, realm: context.realm) {
            case .nextStep(let token, let stage):
                var response = redirect(to: stage == .awaitingCode ? context.realm.path("/sign-in/code") : context.realm.path("/sign-in/enrol"))
                response.setCookie(sessionCookie(token))
                return response
            case .refused:
                return signInPage(
                    context, fields: SignInFields(email: email),
                    errors: [FormError(field: "email", message: "Enter a correct email address and password")]
                ).with(status: .unauthorized)
            case .locked:
                return signInPage(
                    context, fields: SignInFields(email: email),
                    errors: [FormError(field: "email", message: "Too many attempts. This account is locked for 15 minutes")]
                ).with(status: .tooManyRequests)
            }
        }
        routes.step(.get, "/sign-in/code") { _, context in
            guard let identity = context.staffSession, identity.session.stage == .awaitingCode else {
                return redirect(to: context.realm.path("/sign-in"))
            }
            _ = identity
            return codePage(context, errors: [])
        }
        routes.step(.post, "/sign-in/code") { request, context in
            guard let identity = context.staffSession, identity.session.stage == .awaitingCode else {
                return redirect(to: context.realm.path("/sign-in"))
            }
            let code = try await context.form(request)["code"]?.first ?? ""
            guard !code.isEmpty, code.count <= 32 else {
                return codePage(context, errors: [FormError(field: "code", message: "Enter the 6-digit code from your authenticator app")])
                    .with(status: .badRequest)
            }
            switch try await security.verifyCode(code, identity: identity) {
            case .signedIn(let token):
                var response = redirect(to: home(context.realm))
                response.setCookie(sessionCookie(token))
                return response
            case .refused:
                return codePage(context, errors: [FormError(field: "code", message: "The code is not right, or was used already. Enter the current code")])
                    .with(status: .unauthorized)
            case .locked:
                return signInPage(
                    context, fields: SignInFields(),
                    errors: [FormError(field: "email", message: "Too many attempts. This account is locked for 15 minutes")]
                ).with(status: .tooManyRequests)
            }
        }
        routes.step(.get, "/sign-in/enrol") { _, context in
            guard let identity = context.staffSession, identity.session.stage == .awaitingEnrolment else {
                return redirect(to: context.realm.path("/sign-in"))
            }
            return try await enrolPage(context, identity: identity, errors: [])
        }
        routes.step(.post, "/sign-in/enrol") { request, context in
            guard let identity = context.staffSession, identity.session.stage == .awaitingEnrolment else {
                return redirect(to: context.realm.path("/sign-in"))
            }
            let code = try await context.form(request)["code"]?.first ?? ""
            guard code.count <= 32, let (token, codes) = try await security.enrol(code: code, identity: identity) else {
                return try await enrolPage(
                    context, identity: identity,
                    errors: [FormError(field: "code", message: "Enter the 6-digit code your authenticator app shows now")]
                ).with(status: .badRequest)
            }
            let layout = StaffLayout(title: "Your recovery codes", realm: context.realm, csrfToken: context.csrfToken, staff: nil)
            var response = pages.response(
                RecoveryCodesPage(layout: layout, codes: codes, continueHref: home(context.realm)),
                template: "staff-recovery-codes")
            response.setCookie(sessionCookie(token))
            return response
        }
        routes.step(.get, "/join") { request, context in
            let token = request.uri.queryParameters.get("token") ?? ""
            guard let invitation = try await invitation(token, realm: context.realm) else { throw HTTPError(.notFound) }
            return joinPage(context, token: token, invitation: invitation, errors: [])
        }
        routes.step(.post, "/join") { request, context in
            let form = try await context.form(request)
            let token = form["token"]?.first ?? ""
            guard let invitation = try await invitation(token, realm: context.realm) else { throw HTTPError(.notFound) }
            let password = form["password"]?.first ?? ""
            let member: StaffMember
            switch await security.newMember(
                forceID: invitation.forceID, email: invitation.email, name: invitation.name, roles: invitation.roles,
                password: password)
            {
            case .failure(let refusal):
                return joinPage(context, token: token, invitation: invitation, errors: [FormError(field: "password", message: refusal.description)])
                    .with(status: .badRequest)
            case .success(let created): member = created
            }
            guard try await security.staff.acceptInvitation(tokenHash: Tokens.hash(token), creating: member, at: security.now())
            else { throw HTTPError(.notFound) }
            try await security.audit.append(
                AuditRecord(
                    forceID: invitation.forceID, actorID: member.id, action: "staff.join", subject: "staff:\(member.id)",
                    detail: "joined by invitation from \(invitation.invitedBy) as \(member.rolesText)"),
                at: security.now())
            return redirect(to: context.realm.path("/sign-in"))
        }
    }

    private func invitation(_ token: String, realm: StaffRealm) async throws -> StaffInvitation? {
        guard Tokens.isWellFormed(token), let invitation = try await security.staff.invitation(tokenHash: Tokens.hash(token)),
            invitation.forceID == realm.forceID, invitation.acceptedAt == nil, invitation.expiresAt > security.now()
        else { return nil }
        return invitation
    }


    private func sessionCookie(_ token: String) -> Cookie {
        Cookie(
            name: StaffSessionMiddleware.cookieName, value: token, path: "/", secure: secureCookies, httpOnly: true,
            sameSite: .strict)
    }

    private func signInPage(_ context: Context, fields: SignInFields, errors: [FormError]) -> Response {
        let layout = StaffLayout(title: "Sign in", realm: context.realm, csrfToken: context.csrfToken, staff: nil)
        return pages.response(
            StaffFormPage(
                layout: layout, heading: "Sign in to the \(context.realm.name) back office",
                action: context.realm.path("/sign-in"), fields: fields, errors: errors),
            template: "staff-sign-in")
    }

    private func codePage(_ context: Context, errors: [FormError]) -> Response {
        let layout = StaffLayout(title: "Enter your code", realm: context.realm, csrfToken: context.csrfToken, staff: nil)
        return pages.response(
            StaffFormPage(
                layout: layout, heading: "Enter the code from your authenticator app",
                action: context.realm.path("/sign-in/code"), fields: CodeFields(), errors: errors),
            template: "staff-code")
    }

    private func enrolPage(_ context: Context, identity: StaffIdentity, errors: [FormError]) async throws -> Response {
        let totp = try await security.enrolmentSecret(for: identity)
        let uri = totp.provisioningURI(account: identity.member.email, issuer: "Peel \(context.realm.name)")
        let layout = StaffLayout(title: "Set up your authenticator app", realm: context.realm, csrfToken: context.csrfToken, staff: nil)
        return pages.response(
            StaffFormPage(
                layout: layout, heading: "Set up your authenticator app", action: context.realm.path("/sign-in/enrol"),
                fields: CodeFields(enrolSecret: totp.displaySecret, qrSVG: QRImage.svg(uri)), errors: errors),
            template: "staff-enrol")
    }

    private func joinPage(_ context: Context, token: String, invitation: StaffInvitation, errors: [FormError]) -> Response {
        let layout = StaffLayout(title: "Join the back office", realm: context.realm, csrfToken: context.csrfToken, staff: nil)
        return pages.response(
            StaffFormPage(
                layout: layout, heading: "Join the \(context.realm.name) back office", action: context.realm.path("/join"),
                fields: JoinFields(token: token, email: invitation.email, name: invitation.name), errors: errors),
            template: "staff-join")
    }
}

/// The QR code of an enrolment address, as inline SVG (the typed secret beside it is its text
/// equivalent).
enum QRImage {
    static func svg(_ text: String) -> String? {
        try? QRCode.encode(text, correction: .medium).svg(title: "QR code to scan with your authenticator app")
    }
}
