import Foundation

/// What a member of staff may be in a force. Roles combine: a supervisor who administers the
/// force holds both.
package enum StaffRole: String, Sendable, CaseIterable, Hashable, Codable {
    case contactHandler = "contact-handler"
    case officer
    case supervisor
    case forceAdministrator = "force-administrator"
    /// Manages forces and the national catalogue; reads no force's reports.
    case nationalAdministrator = "national-administrator"

    package var title: String {
        switch self {
        case .contactHandler: "Contact handler"
        case .officer: "Officer"
        case .supervisor: "Supervisor"
        case .forceAdministrator: "Force administrator"
        case .nationalAdministrator: "National administrator"
        }
    }
}

/// What a staff route does, checked against the roles of the person asking. Every staff route
/// names one; the route matrix test fails for a route that does not.
package enum StaffPermission: String, Sendable, CaseIterable, Hashable {
    /// Signed-in pages that show no force data: the staff home, sign-out, one's own account.
    case signedIn = "signed-in"
    case viewReports = "view-reports"
    case assessReports = "assess-reports"
    case assignReports = "assign-reports"
    case changeStatus = "change-status"
    case addNotes = "add-notes"
    /// Reading and answering the messages of the person who made a report (MyPolice).
    case messageReporters = "message-reporters"
    case viewAudit = "view-audit"
    case exportAudit = "export-audit"
    case manageServices = "manage-services"
    case manageForce = "manage-force"
    case manageStaff = "manage-staff"
    /// The national team: forces' onboarding and the national catalogue.
    case manageForces = "manage-forces"
    /// The national team reading the reports of a force that has granted it.
    case readGrantedReports = "read-granted-reports"

    /// The roles that hold this permission.
    package var roles: Set<StaffRole> {
        switch self {
        case .signedIn: Set(StaffRole.allCases)
        case .viewReports, .changeStatus, .addNotes, .messageReporters: [.contactHandler, .officer, .supervisor]
        case .assessReports, .assignReports: [.contactHandler, .supervisor]
        case .viewAudit: [.supervisor, .forceAdministrator]
        case .exportAudit, .manageServices, .manageForce, .manageStaff: [.forceAdministrator]
        case .manageForces, .readGrantedReports: [.nationalAdministrator]
        }
    }

    package func isGranted(to roles: Set<StaffRole>) -> Bool {
        !self.roles.isDisjoint(with: roles)
    }
}

/// A member of staff. `forceID` is nil for the national team.
package struct StaffMember: Sendable, Hashable {
    package var id: String
    package var forceID: ForceID?
    package var email: String
    package var name: String
    package var collarNumber: String?
    package var roles: Set<StaffRole>
    package var passwordHash: String
    /// The TOTP secret, sealed with the node's secret key; nil until one is issued.
    package var sealedTOTPSecret: String?
    package var totpEnrolled: Bool
    /// The last TOTP time step accepted: a code for that step or an earlier one is a replay.
    package var lastTOTPStep: Int64
    package var failedAttempts: Int
    package var lockedUntil: Date?
    package var active: Bool
    package var createdAt: Date

    package init(
        id: String, forceID: ForceID?, email: String, name: String, collarNumber: String? = nil, roles: Set<StaffRole>,
        passwordHash: String, sealedTOTPSecret: String? = nil, totpEnrolled: Bool = false, lastTOTPStep: Int64 = 0,
        failedAttempts: Int = 0, lockedUntil: Date? = nil, active: Bool = true, createdAt: Date
    ) {
        self.id = id
        self.forceID = forceID
        self.email = email
        self.name = name
        self.collarNumber = collarNumber
        self.roles = roles
        self.passwordHash = passwordHash
        self.sealedTOTPSecret = sealedTOTPSecret
        self.totpEnrolled = totpEnrolled
        self.lastTOTPStep = lastTOTPStep
        self.failedAttempts = failedAttempts
        self.lockedUntil = lockedUntil
        self.active = active
        self.createdAt = createdAt
    }

    /// The roles as stored: sorted, comma-separated.
    package var rolesText: String { roles.map(\.rawValue).sorted().joined(separator: ",") }

    package static func roles(from text: String) -> Set<StaffRole> {
        Set(text.split(separator: ",").compactMap { StaffRole(rawValue: String($0)) })
    }
}

/// How far a staff session has got: a password alone opens only the second step.
package enum StaffSessionStage: String, Sendable, Hashable {
    /// Password accepted; the one-time code is next.
    case awaitingCode = "awaiting-code"
    /// Password accepted; the person has no authenticator yet and enrols next.
    case awaitingEnrolment = "awaiting-enrolment"
    /// Password and code accepted.
    case signedIn = "signed-in"
}

/// A server-side staff session. The cookie carries the id; the store keeps only its hash.
package struct StaffSession: Sendable, Hashable {
    package var idHash: String
    package var staffID: String
    package var stage: StaffSessionStage
    package var createdAt: Date
    package var lastSeenAt: Date

    package init(idHash: String, staffID: String, stage: StaffSessionStage, createdAt: Date, lastSeenAt: Date) {
        self.idHash = idHash
        self.staffID = staffID
        self.stage = stage
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
    }

    /// Idle timeout: 30 minutes without a request.
    package static let idleTimeout: TimeInterval = 30 * 60
    /// Absolute timeout: 12 hours after sign-in, however busy.
    package static let absoluteTimeout: TimeInterval = 12 * 3600
    /// A half-finished sign-in (password given, no code yet) lasts 10 minutes.
    package static let pendingTimeout: TimeInterval = 10 * 60

    package func isExpired(at now: Date) -> Bool {
        switch stage {
        case .signedIn:
            now.timeIntervalSince(lastSeenAt) > Self.idleTimeout || now.timeIntervalSince(createdAt) > Self.absoluteTimeout
        case .awaitingCode, .awaitingEnrolment:
            now.timeIntervalSince(createdAt) > Self.pendingTimeout
        }
    }
}

/// An invitation to join a force's staff, sent by email; the link carries the token, the store
/// its hash.
package struct StaffInvitation: Sendable, Hashable {
    package var tokenHash: String
    package var forceID: ForceID
    package var email: String
    package var name: String
    package var roles: Set<StaffRole>
    package var invitedBy: String
    package var expiresAt: Date
    package var acceptedAt: Date?

    package init(
        tokenHash: String, forceID: ForceID, email: String, name: String, roles: Set<StaffRole>, invitedBy: String,
        expiresAt: Date, acceptedAt: Date? = nil
    ) {
        self.tokenHash = tokenHash
        self.forceID = forceID
        self.email = email
        self.name = name
        self.roles = roles
        self.invitedBy = invitedBy
        self.expiresAt = expiresAt
        self.acceptedAt = acceptedAt
    }
}

/// Staff accounts, sessions, recovery codes and invitations.
package protocol StaffRepository: Sendable {
    func create(_ member: StaffMember) async throws
    func find(id: String) async throws -> StaffMember?
    func find(email: String) async throws -> StaffMember?
    /// The force's staff, by name.
    func list(force: ForceID) async throws -> [StaffMember]
    /// Officers of the force who can be put in charge of a report.
    func assignable(force: ForceID) async throws -> [StaffMember]
    func update(_ member: StaffMember) async throws
    /// Counts a failed sign-in attempt in one statement (so that attempts made at once all
    /// count); at `maximum` the count starts again and the account is locked until `lockUntil`.
    /// Returns true when this attempt locked it.
    func recordFailedAttempt(staffID: String, maximum: Int, lockUntil: Date) async throws -> Bool
    /// Clears the failed attempts after a successful sign-in.
    func clearFailedAttempts(staffID: String) async throws
    /// Accepts a TOTP step only if it is later than the last one accepted; `false` for a replay.
    func acceptTOTPStep(_ step: Int64, staffID: String) async throws -> Bool

    func replaceRecoveryCodes(staffID: String, hashes: [String]) async throws
    /// Uses a recovery code once; `false` when no unused code has this hash.
    func useRecoveryCode(staffID: String, hash: String, at date: Date) async throws -> Bool
    func unusedRecoveryCodes(staffID: String) async throws -> Int

    func createSession(_ session: StaffSession) async throws
    func session(idHash: String) async throws -> StaffSession?
    func touchSession(idHash: String, at date: Date) async throws
    func deleteSession(idHash: String) async throws
    /// Ends every session of a member of staff ("sign out everywhere"); returns how many.
    @discardableResult func deleteSessions(staffID: String) async throws -> Int
    func purgeSessions(before date: Date) async throws -> Int

    func createInvitation(_ invitation: StaffInvitation) async throws
    func invitation(tokenHash: String) async throws -> StaffInvitation?
    func acceptInvitation(tokenHash: String, creating member: StaffMember, at date: Date) async throws -> Bool
}
