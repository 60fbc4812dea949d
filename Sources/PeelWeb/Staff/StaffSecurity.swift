import Foundation
import Logging
import PeelAuth
import PeelCore

/// Staff sign-in and sessions, apart from HTTP: passwords, one-time codes, lockout, sessions and
/// their timeouts, with an audit entry for each outcome.
package struct StaffSecurity: Sendable {
    package let staff: any StaffRepository
    package let audit: any AuditLog
    package let hasher: PasswordHasher
    package let policy: PasswordPolicy
    package let secrets: SecretBox
    /// The time: a parameter so that tests can move it on past a timeout.
    package let now: @Sendable () -> Date

    /// Failed attempts (passwords and codes together) before an account is locked.
    package static let maximumAttempts = 5
    package static let lockout: TimeInterval = 15 * 60

    package init(
        staff: any StaffRepository, audit: any AuditLog, hasher: PasswordHasher, policy: PasswordPolicy, secrets: SecretBox,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.staff = staff
        self.audit = audit
        self.hasher = hasher
        self.policy = policy
        self.secrets = secrets
        self.now = now
    }

    enum SignInOutcome {
        /// Password accepted: the code (or enrolment) is next, on a new pending session.
        case nextStep(token: String, stage: StaffSessionStage)
        case refused
        case locked
    }

    enum CodeOutcome {
        /// Both steps passed: a new signed-in session (the pending one is ended).
        case signedIn(token: String)
        case refused
        case locked
    }

    /// The live session with this cookie value, or nil (an expired one is ended).
    func identity(token: String) async throws -> StaffIdentity? {
        let hash = Tokens.hash(token)
        guard let session = try await staff.session(idHash: hash) else { return nil }
        let now = now()
        guard !session.isExpired(at: now), let member = try await staff.find(id: session.staffID), member.active else {
            try await staff.deleteSession(idHash: hash)
            return nil
        }
        if now.timeIntervalSince(session.lastSeenAt) > 60 { try await staff.touchSession(idHash: hash, at: now) }
        return StaffIdentity(token: token, session: session, member: member)
    }

    /// The first step: email and password, for this realm's staff only (a force's own, or the
    /// national team's administrators).
    func signIn(email: String, password: String, realm: StaffRealm) async throws -> SignInOutcome {
        let now = now()
        guard var member = try await staff.find(email: email.trimmingCharacters(in: .whitespaces)), realm.admits(member),
            member.active
        else {
            // As long as for a real account, so that timing does not tell which emails exist.
            _ = await hasher.verify(password, hash: hasher.decoy)
            return .refused
        }
        if let until = member.lockedUntil, until > now { return .locked }
        guard await hasher.verify(password, hash: member.passwordHash) else {
            return try await failedAttempt(&member, action: "staff.sign-in.password-refused") ? .locked : .refused
        }
        let stage: StaffSessionStage = member.totpEnrolled ? .awaitingCode : .awaitingEnrolment
        return .nextStep(token: try await newSession(for: member, stage: stage), stage: stage)
    }

    /// The second step: a code from the authenticator, or one of the recovery codes.
    func verifyCode(_ code: String, identity: StaffIdentity) async throws -> CodeOutcome {
        var member = identity.member
        let now = now()
        if let until = member.lockedUntil, until > now { return .locked }
        guard identity.session.stage == .awaitingCode, let sealed = member.sealedTOTPSecret else { return .refused }
        let totp = TOTP(secret: try secrets.open(sealed))
        var accepted = false
        var how = "authenticator"
        if let step = totp.matchingStep(code, at: now) {
            // A code already used (even within its 30 seconds) is a replay.
            accepted = try await staff.acceptTOTPStep(step, staffID: member.id)
        } else if code.filter({ $0.isLetter || $0.isNumber }).count == 10 {
            accepted = try await staff.useRecoveryCode(staffID: member.id, hash: RecoveryCodes.hash(code), at: now)
            how = "recovery code"
        }
        guard accepted else {
            return try await failedAttempt(&member, action: "staff.sign-in.code-refused") ? .locked : .refused
        }
        return .signedIn(token: try await promote(identity, member: &member, how: how))
    }

    /// The secret shown for enrolment: created (and kept, sealed) on first sight, so that the QR
    /// code does not change when the page is reloaded.
    func enrolmentSecret(for identity: StaffIdentity) async throws -> TOTP {
        var member = identity.member
        if let sealed = member.sealedTOTPSecret { return TOTP(secret: try secrets.open(sealed)) }
        let totp = TOTP.generate()
        member.sealedTOTPSecret = try secrets.seal(totp.secret)
        try await staff.update(member)
        return totp
    }

    /// Completes enrolment with a first code: returns the new session and the recovery codes to
    /// show once, or nil when the code is wrong.
    func enrol(code: String, identity: StaffIdentity) async throws -> (token: String, recoveryCodes: [String])? {
        var member = identity.member
        guard identity.session.stage == .awaitingEnrolment, let sealed = member.sealedTOTPSecret,
            let step = TOTP(secret: try secrets.open(sealed)).matchingStep(code, at: now()),
            try await staff.acceptTOTPStep(step, staffID: member.id)
        else {
            _ = try await failedAttempt(&member, action: "staff.enrol.code-refused")
            return nil
        }
        member.totpEnrolled = true
        let codes = RecoveryCodes.generate()
        try await staff.replaceRecoveryCodes(staffID: member.id, hashes: codes.map(RecoveryCodes.hash))
        let token = try await promote(identity, member: &member, how: "enrolment")
        return (token, codes)
    }

    func signOut(_ identity: StaffIdentity, everywhere: Bool) async throws {
        if everywhere {
            try await staff.deleteSessions(staffID: identity.member.id)
        } else {
            try await staff.deleteSession(idHash: Tokens.hash(identity.token))
        }
        try await audit.append(
            AuditRecord(
                forceID: identity.member.forceID, actorID: identity.member.id,
                action: everywhere ? "staff.sign-out.everywhere" : "staff.sign-out", subject: "staff:\(identity.member.id)"),
            at: now())
    }

    /// A new member of staff with a password checked against the policy; returns the member or why not.
    package func newMember(
        forceID: ForceID?, email: String, name: String, roles: Set<StaffRole>, password: String, collarNumber: String? = nil
    ) async -> Result<StaffMember, PasswordPolicy.Refusal> {
        if let refusal = policy.refusal(for: password, email: email, name: name) { return .failure(refusal) }
        let passwordHash = await hasher.hash(password)
        return .success(
            StaffMember(
                id: RecordID.make(), forceID: forceID, email: email.lowercased(), name: name,
                collarNumber: collarNumber, roles: roles, passwordHash: passwordHash, createdAt: now()))
    }

    private func newSession(for member: StaffMember, stage: StaffSessionStage) async throws -> String {
        let token = Tokens.generate()
        let now = now()
        try await staff.createSession(
            StaffSession(idHash: Tokens.hash(token), staffID: member.id, stage: stage, createdAt: now, lastSeenAt: now))
        return token
    }

    /// Ends the pending session and opens a signed-in one under a new id, so that an id known
    /// before sign-in (fixation) is worth nothing after it.
    private func promote(_ identity: StaffIdentity, member: inout StaffMember, how: String) async throws -> String {
        try await staff.update(member)
        try await staff.clearFailedAttempts(staffID: member.id)
        try await staff.deleteSession(idHash: Tokens.hash(identity.token))
        let token = try await newSession(for: member, stage: .signedIn)
        try await audit.append(
            AuditRecord(
                forceID: member.forceID, actorID: member.id, action: "staff.sign-in", subject: "staff:\(member.id)",
                detail: "signed in with password and \(how)"),
            at: now())
        return token
    }

    /// Counts a failed attempt; returns true when it locked the account.
    private func failedAttempt(_ member: inout StaffMember, action: String) async throws -> Bool {
        let locked = try await staff.recordFailedAttempt(
            staffID: member.id, maximum: Self.maximumAttempts, lockUntil: now() + Self.lockout)
        // A locked account's half-finished sign-ins end too.
        if locked { try await staff.deleteSessions(staffID: member.id) }
        try await audit.append(
            AuditRecord(
                forceID: member.forceID, actorID: member.id, action: locked ? "staff.locked" : action,
                subject: "staff:\(member.id)"),
            at: now())
        return locked
    }
}
