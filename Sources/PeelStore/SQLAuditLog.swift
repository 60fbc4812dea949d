import Crypto
import Foundation
import PeelCore
import SQLKit

/// The append-only audit log in `audit_log`. Each entry's hash is SHA-256 over its own fields
/// and the previous entry's hash, so editing or deleting an entry breaks the chain at that point,
/// and ``verify()`` names it.
package struct SQLAuditLog: AuditLog {
    package let db: any SQLDatabase
    let engine: DatabaseEngine

    package init(db: any SQLDatabase, engine: DatabaseEngine) {
        self.db = db
        self.engine = engine
    }

    /// The previous hash of the first entry.
    static let genesis = String(repeating: "0", count: 64)

    package func append(_ record: AuditRecord, at date: Date) async throws {
        let engine = engine
        try await inTransaction(on: db, engine: engine) { tx in
            // PostgreSQL: appenders queue on one lock for the length of their transaction, so the
            // chain has one order. SQLite has a single writer already.
            if engine == .postgres { try await tx.raw("SELECT pg_advisory_xact_lock(7305011)").run() }
            let last = try await tx.raw("SELECT sequence, hash FROM audit_log ORDER BY sequence DESC LIMIT 1").first()
            let sequence = (try last?.decode(column: "sequence", as: Int64.self) ?? 0) + 1
            let previous = try last?.decode(column: "hash", as: String.self) ?? Self.genesis
            var entry = AuditEntry(
                sequence: sequence, at: Date(millisecondsSince1970: date.millisecondsSince1970), forceID: record.forceID,
                actorID: record.actorID, action: record.action, subject: record.subject, detail: record.detail,
                previousHash: previous, hash: "")
            entry.hash = Self.hash(entry)
            try await tx.raw(
                """
                INSERT INTO audit_log (sequence, at, force_id, actor_id, action, subject, detail, previous_hash, hash)
                VALUES (\(bind: entry.sequence), \(bind: entry.at.millisecondsSince1970), \(bind: entry.forceID?.rawValue),
                    \(bind: entry.actorID), \(bind: entry.action), \(bind: entry.subject), \(bind: entry.detail),
                    \(bind: entry.previousHash), \(bind: entry.hash))
                """
            ).run()
        }
    }

    package func entries(subject: String, force: ForceID) async throws -> [AuditEntry] {
        try await db.raw(
            """
            SELECT \(unsafeRaw: Self.columns) FROM audit_log
            WHERE force_id = \(bind: force.rawValue) AND subject = \(bind: subject) ORDER BY sequence
            """
        ).all().map(Self.entry)
    }

    package func entries(force: ForceID, limit: Int) async throws -> [AuditEntry] {
        try await db.raw(
            """
            SELECT \(unsafeRaw: Self.columns) FROM audit_log
            WHERE force_id = \(bind: force.rawValue) ORDER BY sequence DESC LIMIT \(literal: max(1, limit))
            """
        ).all().map(Self.entry)
    }

    package func verify() async throws -> AuditVerification {
        var previous = Self.genesis
        var expected: Int64 = 1
        var count = 0
        // In pages, so that a long log is not held in memory at once.
        while true {
            let rows = try await db.raw(
                """
                SELECT \(unsafeRaw: Self.columns) FROM audit_log WHERE sequence >= \(bind: expected)
                ORDER BY sequence LIMIT 1000
                """
            ).all()
            if rows.isEmpty { break }
            for row in rows {
                let entry = try Self.entry(row)
                if entry.sequence != expected {
                    return .broken(atSequence: expected, reason: "entry \(expected) is missing")
                }
                if entry.previousHash != previous {
                    return .broken(atSequence: entry.sequence, reason: "entry \(entry.sequence) does not follow the one before it")
                }
                if Self.hash(entry) != entry.hash {
                    return .broken(atSequence: entry.sequence, reason: "entry \(entry.sequence) was changed after it was written")
                }
                previous = entry.hash
                expected += 1
                count += 1
            }
        }
        // Removing the newest entries leaves a shorter chain that is still whole: the head
        // (sequence and hash) is reported so that it can be compared with one recorded earlier.
        return .intact(entries: count, headHash: previous)
    }

    static func hash(_ entry: AuditEntry) -> String {
        let fields = [
            String(entry.sequence), String(entry.at.millisecondsSince1970), entry.forceID?.rawValue ?? "",
            entry.actorID ?? "", entry.action, entry.subject, entry.detail, entry.previousHash,
        ]
        // The unit separator cannot appear in any field Peel writes, so fields cannot run together.
        let digest = SHA256.hash(data: Data(fields.joined(separator: "\u{1F}").utf8))
        return digest.lowercaseHex
    }

    private static let columns = "sequence, at, force_id, actor_id, action, subject, detail, previous_hash, hash"

    private static func entry(_ row: any SQLRow) throws -> AuditEntry {
        AuditEntry(
            sequence: try row.decode(column: "sequence", as: Int64.self),
            at: Date(millisecondsSince1970: try row.decode(column: "at", as: Int64.self)),
            forceID: try row.decode(column: "force_id", as: String?.self).flatMap(ForceID.init(validating:)),
            actorID: try row.decode(column: "actor_id", as: String?.self),
            action: try row.decode(column: "action", as: String.self),
            subject: try row.decode(column: "subject", as: String.self),
            detail: try row.decode(column: "detail", as: String.self),
            previousHash: try row.decode(column: "previous_hash", as: String.self),
            hash: try row.decode(column: "hash", as: String.self))
    }
}
