import Foundation
import PeelCore
import SQLKit

/// Staff, their sessions, recovery codes and invitations.
package struct SQLStaffRepository: StaffRepository {
    package let db: any SQLDatabase
    let engine: DatabaseEngine

    package init(db: any SQLDatabase, engine: DatabaseEngine) {
        self.db = db
        self.engine = engine
    }

    private static let columns = """
        id, force_id, email, name, collar_number, roles, password_hash, totp_secret, totp_enrolled, totp_last_step,
        failed_attempts, locked_until, active, created_at
        """

    package func create(_ member: StaffMember) async throws {
        try await db.raw(
            """
            INSERT INTO staff (\(unsafeRaw: Self.columns))
            VALUES (\(bind: member.id), \(bind: member.forceID?.rawValue), \(bind: member.email.lowercased()),
                \(bind: member.name), \(bind: member.collarNumber), \(bind: member.rolesText), \(bind: member.passwordHash),
                \(bind: member.sealedTOTPSecret), \(bind: member.totpEnrolled ? 1 : 0), \(bind: member.lastTOTPStep),
                \(bind: member.failedAttempts), \(bind: member.lockedUntil?.millisecondsSince1970),
                \(bind: member.active ? 1 : 0), \(bind: member.createdAt.millisecondsSince1970))
            """
        ).run()
    }

    package func find(id: String) async throws -> StaffMember? {
        try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM staff WHERE id = \(bind: id)").first().map(Self.member)
    }

    package func find(email: String) async throws -> StaffMember? {
        try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM staff WHERE email = \(bind: email.lowercased())")
            .first().map(Self.member)
    }

    package func list(force: ForceID) async throws -> [StaffMember] {
        try await db.raw(
            "SELECT \(unsafeRaw: Self.columns) FROM staff WHERE force_id = \(bind: force.rawValue) ORDER BY name, email"
        ).all().map(Self.member)
    }

    package func assignable(force: ForceID) async throws -> [StaffMember] {
        try await list(force: force).filter { $0.active && ($0.roles.contains(.officer) || $0.roles.contains(.supervisor)) }
    }

    package func update(_ member: StaffMember) async throws {
        try await db.raw(
            """
            UPDATE staff SET name = \(bind: member.name), collar_number = \(bind: member.collarNumber),
                roles = \(bind: member.rolesText), password_hash = \(bind: member.passwordHash),
                totp_secret = \(bind: member.sealedTOTPSecret), totp_enrolled = \(bind: member.totpEnrolled ? 1 : 0),
                active = \(bind: member.active ? 1 : 0)
            WHERE id = \(bind: member.id)
            """
        ).run()
    }

    package func recordFailedAttempt(staffID: String, maximum: Int, lockUntil: Date) async throws -> Bool {
        let until = lockUntil.millisecondsSince1970
        let row = try await db.raw(
            """
            UPDATE staff SET
                locked_until = CASE WHEN failed_attempts + 1 >= \(bind: maximum) THEN \(bind: until) ELSE locked_until END,
                failed_attempts = CASE WHEN failed_attempts + 1 >= \(bind: maximum) THEN 0 ELSE failed_attempts + 1 END
            WHERE id = \(bind: staffID)
            RETURNING locked_until
            """
        ).first()
        return try row?.decode(column: "locked_until", as: Int64?.self) == until
    }

    package func clearFailedAttempts(staffID: String) async throws {
        try await db.raw("UPDATE staff SET failed_attempts = 0, locked_until = NULL WHERE id = \(bind: staffID)").run()
    }

    package func acceptTOTPStep(_ step: Int64, staffID: String) async throws -> Bool {
        // One statement decides, so two requests with the same code cannot both pass.
        try await db.raw(
            """
            UPDATE staff SET totp_last_step = \(bind: step)
            WHERE id = \(bind: staffID) AND totp_last_step < \(bind: step)
            RETURNING id
            """
        ).first() != nil
    }

    package func replaceRecoveryCodes(staffID: String, hashes: [String]) async throws {
        try await inTransaction(on: db, engine: engine) { tx in
            try await tx.raw("DELETE FROM staff_recovery_codes WHERE staff_id = \(bind: staffID)").run()
            for hash in hashes {
                try await tx.raw(
                    "INSERT INTO staff_recovery_codes (staff_id, code_hash) VALUES (\(bind: staffID), \(bind: hash))"
                ).run()
            }
        }
    }

    package func useRecoveryCode(staffID: String, hash: String, at date: Date) async throws -> Bool {
        try await db.raw(
            """
            UPDATE staff_recovery_codes SET used_at = \(bind: date.millisecondsSince1970)
            WHERE staff_id = \(bind: staffID) AND code_hash = \(bind: hash) AND used_at IS NULL
            RETURNING code_hash
            """
        ).first() != nil
    }

    package func unusedRecoveryCodes(staffID: String) async throws -> Int {
        let row = try await db.raw(
            "SELECT COUNT(*) AS n FROM staff_recovery_codes WHERE staff_id = \(bind: staffID) AND used_at IS NULL"
        ).first()
        return Int(try row?.decode(column: "n", as: Int64.self) ?? 0)
    }

    package func createSession(_ session: StaffSession) async throws {
        try await db.raw(
            """
            INSERT INTO staff_sessions (id_hash, staff_id, stage, created_at, last_seen_at)
            VALUES (\(bind: session.idHash), \(bind: session.staffID), \(bind: session.stage.rawValue),
                \(bind: session.createdAt.millisecondsSince1970), \(bind: session.lastSeenAt.millisecondsSince1970))
            """
        ).run()
    }

    package func session(idHash: String) async throws -> StaffSession? {
        guard
            let row = try await db.raw(
                "SELECT id_hash, staff_id, stage, created_at, last_seen_at FROM staff_sessions WHERE id_hash = \(bind: idHash)"
            ).first()
        else { return nil }
        let stageText = try row.decode(column: "stage", as: String.self)
        guard let stage = StaffSessionStage(rawValue: stageText) else {
            throw StoreDataError("staff_sessions.stage '\(stageText)' is unknown")
        }
        return StaffSession(
            idHash: try row.decode(column: "id_hash", as: String.self),
            staffID: try row.decode(column: "staff_id", as: String.self), stage: stage,
            createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self)),
            lastSeenAt: Date(millisecondsSince1970: try row.decode(column: "last_seen_at", as: Int64.self)))
    }

    package func touchSession(idHash: String, at date: Date) async throws {
        try await db.raw(
            "UPDATE staff_sessions SET last_seen_at = \(bind: date.millisecondsSince1970) WHERE id_hash = \(bind: idHash)"
        ).run()
    }

    package func deleteSession(idHash: String) async throws {
        try await db.raw("DELETE FROM staff_sessions WHERE id_hash = \(bind: idHash)").run()
    }

    @discardableResult
    package func deleteSessions(staffID: String) async throws -> Int {
        try await db.raw("DELETE FROM staff_sessions WHERE staff_id = \(bind: staffID) RETURNING id_hash").all().count
    }

    package func purgeSessions(before date: Date) async throws -> Int {
        try await db.raw(
            "DELETE FROM staff_sessions WHERE last_seen_at < \(bind: date.millisecondsSince1970) RETURNING id_hash"
        ).all().count
    }

    package func createInvitation(_ invitation: StaffInvitation) async throws {
        try await db.raw(
            """
            INSERT INTO staff_invitations (token_hash, force_id, email, name, roles, invited_by, expires_at)
            VALUES (\(bind: invitation.tokenHash), \(bind: invitation.forceID.rawValue), \(bind: invitation.email.lowercased()),
                \(bind: invitation.name), \(bind: invitation.roles.map(\.rawValue).sorted().joined(separator: ",")),
                \(bind: invitation.invitedBy), \(bind: invitation.expiresAt.millisecondsSince1970))
            """
        ).run()
    }

    package func invitation(tokenHash: String) async throws -> StaffInvitation? {
        guard
            let row = try await db.raw(
                """
                SELECT token_hash, force_id, email, name, roles, invited_by, expires_at, accepted_at
                FROM staff_invitations WHERE token_hash = \(bind: tokenHash)
                """
            ).first()
        else { return nil }
        let forceText = try row.decode(column: "force_id", as: String.self)
        guard let force = ForceID(validating: forceText) else { throw StoreDataError("staff_invitations.force_id is malformed") }
        return StaffInvitation(
            tokenHash: try row.decode(column: "token_hash", as: String.self), forceID: force,
            email: try row.decode(column: "email", as: String.self), name: try row.decode(column: "name", as: String.self),
            roles: StaffMember.roles(from: try row.decode(column: "roles", as: String.self)),
            invitedBy: try row.decode(column: "invited_by", as: String.self),
            expiresAt: Date(millisecondsSince1970: try row.decode(column: "expires_at", as: Int64.self)),
            acceptedAt: try row.decode(column: "accepted_at", as: Int64?.self).map(Date.init(millisecondsSince1970:)))
    }

    package func acceptInvitation(tokenHash: String, creating member: StaffMember, at date: Date) async throws -> Bool {
        let engine = engine
        return try await inTransaction(on: db, engine: engine) { tx in
            let accepted = try await tx.raw(
                """
                UPDATE staff_invitations SET accepted_at = \(bind: date.millisecondsSince1970)
                WHERE token_hash = \(bind: tokenHash) AND accepted_at IS NULL AND expires_at > \(bind: date.millisecondsSince1970)
                RETURNING token_hash
                """
            ).first()
            guard accepted != nil else { return false }
            try await SQLStaffRepository(db: tx, engine: engine).create(member)
            return true
        }
    }

    static func member(_ row: any SQLRow) throws -> StaffMember {
        let forceText = try row.decode(column: "force_id", as: String?.self)
        return StaffMember(
            id: try row.decode(column: "id", as: String.self), forceID: forceText.flatMap(ForceID.init(validating:)),
            email: try row.decode(column: "email", as: String.self), name: try row.decode(column: "name", as: String.self),
            collarNumber: try row.decode(column: "collar_number", as: String?.self),
            roles: StaffMember.roles(from: try row.decode(column: "roles", as: String.self)),
            passwordHash: try row.decode(column: "password_hash", as: String.self),
            sealedTOTPSecret: try row.decode(column: "totp_secret", as: String?.self),
            totpEnrolled: try row.decode(column: "totp_enrolled", as: Int.self) == 1,
            lastTOTPStep: try row.decode(column: "totp_last_step", as: Int64.self),
            failedAttempts: try row.decode(column: "failed_attempts", as: Int.self),
            lockedUntil: try row.decode(column: "locked_until", as: Int64?.self).map(Date.init(millisecondsSince1970:)),
            active: try row.decode(column: "active", as: Int.self) == 1,
            createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self)))
    }
}
