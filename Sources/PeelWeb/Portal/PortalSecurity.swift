import Foundation
import HTTPTypes
import Hummingbird
import PeelAuth
import PeelCore
import PeelHub

/// Who is asking, on a MyPolice route: the session (by its cookie) and the person.
struct CitizenIdentity: Sendable {
    let token: String
    let session: CitizenSession
    let citizen: Citizen
}

/// MyPolice sign-in apart from HTTP: six-digit codes sent to an address (stored as keyed
/// hashes, ten minutes, once, five tries, limited per address and per client), and sessions.
package struct PortalSecurity: Sendable {
    package let citizens: any CitizenRepository
    /// The key codes are hashed with: derived from the node's secret key, so that a copy of the
    /// database alone cannot try the million codes against a stored hash.
    let codeKey: [UInt8]
    package let now: @Sendable () -> Date

    package init(
        citizens: any CitizenRepository, secrets: SecretBox, now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.citizens = citizens
        self.codeKey = secrets.derivedKey(for: "peel mypolice sign-in codes")
        self.now = now
    }

    enum CodeOutcome {
        case signedIn(token: String, citizen: Citizen)
        case wrong(remaining: Int)
        case expired
        case used
        case tooManyAttempts
        /// No code for this browser: sign in again.
        case unknown
    }

    /// Draws a code for `email`, stores its hash and enqueues the notification that carries it
    /// (to `phone` by text message when given); returns the browser's pending token.
    func issueCode(
        email: String, phone: String?, language: Language, force: Force, client: String
    ) async throws -> Result<String, CodeIssueRefusal> {
        var generator = SystemRandomNumberGenerator()
        let code = String(format: "%06d", Int.random(in: 0..<1_000_000, using: &generator))
        let pending = Tokens.generate()
        let id = RecordID.make()
        let now = now()
        let channel: NotificationChannel = phone == nil ? .email : .sms
        let stored = SignInCode(
            id: id, email: email, pendingHash: Tokens.hash(pending), codeHash: hash(code, id: id), channel: channel, client: client,
            createdAt: now, expiresAt: now + SignInCode.lifetime)
        let notification = NotificationRequest(
            channel: channel, recipient: phone ?? email, template: .signInCode, language: language,
            personalisation: ["code": code, "force": force.name(in: language)], reference: "sign-in:\(id)", forceID: force.id)
        // A code is worth nothing after ten minutes: the job does not retry past that.
        return try await citizens.issue(stored, sending: try notification.job(runAt: now, maxAttempts: 4)).map { pending }
    }

    /// The code this browser is waiting on, if any.
    func pendingCode(_ pending: String) async throws -> SignInCode? {
        guard Tokens.isWellFormed(pending) else { return nil }
        return try await citizens.code(pendingHash: Tokens.hash(pending))
    }

    /// Checks a typed code against the one this browser asked for; signs in on a match.
    func verify(code typed: String, pending: String, language: Language) async throws -> CodeOutcome {
        guard let code = try await pendingCode(pending) else { return .unknown }
        let now = now()
        if code.usedAt != nil { return .used }
        if code.failedAttempts >= SignInCode.maximumAttempts { return .tooManyAttempts }
        if now > code.expiresAt { return .expired }
        let digits = typed.filter { !$0.isWhitespace && $0 != "-" }
        guard digits.count == 6, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
            constantTimeEquals(hash(digits, id: code.id), code.codeHash)
        else {
            let failed = try await citizens.recordFailedAttempt(codeID: code.id)
            return failed >= SignInCode.maximumAttempts ? .tooManyAttempts : .wrong(remaining: SignInCode.maximumAttempts - failed)
        }
        // Two tabs posting the same code: only one signs in.
        guard try await citizens.use(codeID: code.id, at: now) else { return .used }
        let token = Tokens.generate()
        let citizen = try await citizens.signIn(email: code.email, language: language, sessionHash: Tokens.hash(token), at: now)
        return .signedIn(token: token, citizen: citizen)
    }

    /// The live session with this cookie value, or nil (an expired one is ended).
    func identity(token: String) async throws -> CitizenIdentity? {
        let hash = Tokens.hash(token)
        guard let session = try await citizens.session(idHash: hash) else { return nil }
        let now = now()
        guard !session.isExpired(at: now), let citizen = try await citizens.find(id: session.citizenID) else {
            try await citizens.deleteSession(idHash: hash)
            return nil
        }
        if now.timeIntervalSince(session.lastSeenAt) > 60 { try await citizens.touchSession(idHash: hash, at: now) }
        return CitizenIdentity(token: token, session: session, citizen: citizen)
    }

    private func hash(_ code: String, id: String) -> String {
        HubSignature.mac(Data("\(id):\(code)".utf8), secret: codeKey)
    }
}
