import Foundation
import PeelCore
import SQLKit

/// The notifications Peel sent, in `notifications`: one row a reference.
package struct SQLNotificationRepository: NotificationRepository {
    package let db: any SQLDatabase

    package init(db: any SQLDatabase) { self.db = db }

    static let columns =
        "reference, notify_id, channel, recipient, template, language, force_id, status, status_at, created_at, failure_reason"

    @discardableResult
    package func record(_ notification: StoredNotification) async throws -> Bool {
        try await db.raw(
            """
            INSERT INTO notifications (\(unsafeRaw: Self.columns))
            VALUES (\(bind: notification.reference), \(bind: notification.notifyID), \(bind: notification.channel.rawValue),
                \(bind: notification.recipient), \(bind: notification.template.rawValue), \(bind: notification.language.rawValue),
                \(bind: notification.forceID?.rawValue), \(bind: notification.status.rawValue),
                \(bind: notification.statusAt.millisecondsSince1970), \(bind: notification.createdAt.millisecondsSince1970),
                \(bind: notification.failureReason))
            ON CONFLICT (reference) DO UPDATE SET notify_id = excluded.notify_id, status = excluded.status,
                status_at = excluded.status_at, failure_reason = excluded.failure_reason
            WHERE notifications.status = 'failed'
            RETURNING reference
            """
        ).first() != nil
    }

    package func find(reference: String) async throws -> StoredNotification? {
        try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM notifications WHERE reference = \(bind: reference)")
            .first().map(Self.notification)
    }

    package func find(notifyID: String) async throws -> StoredNotification? {
        try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM notifications WHERE notify_id = \(bind: notifyID)")
            .first().map(Self.notification)
    }

    /// A receipt's final status replaces a status on the way (created, sending, pending) whatever
    /// the clocks say; between final statuses the later one stands, so a receipt sent again, or
    /// arriving late, changes nothing.
    package func applyReceipt(notifyID: String, status: NotificationStatus, at: Date) async throws -> ReceiptOutcome {
        let time = at.millisecondsSince1970
        let updated = try await db.raw(
            """
            UPDATE notifications SET status = \(bind: status.rawValue), status_at = \(bind: time)
            WHERE notify_id = \(bind: notifyID)
                AND (status IN ('created', 'sending', 'pending') OR status_at <= \(bind: time))
            RETURNING reference
            """
        ).first()
        if updated != nil { return .applied }
        return try await find(notifyID: notifyID) == nil ? .unknown : .stale
    }

    package func purge(createdBefore cutoff: Date) async throws -> Int {
        try await db.raw(
            "DELETE FROM notifications WHERE created_at < \(bind: cutoff.millisecondsSince1970) RETURNING reference"
        ).all().count
    }

    static func notification(_ row: any SQLRow) throws -> StoredNotification {
        let channel = try row.decode(column: "channel", as: String.self)
        let template = try row.decode(column: "template", as: String.self)
        let status = try row.decode(column: "status", as: String.self)
        guard let channel = NotificationChannel(rawValue: channel),
            let template = NotificationTemplate(rawValue: template),
            let status = NotificationStatus(rawValue: status)
        else { throw UnreadableNotification(reference: try row.decode(column: "reference", as: String.self)) }
        return StoredNotification(
            reference: try row.decode(column: "reference", as: String.self),
            notifyID: try row.decode(column: "notify_id", as: String?.self),
            channel: channel,
            recipient: try row.decode(column: "recipient", as: String.self),
            template: template,
            language: Language(rawValue: try row.decode(column: "language", as: String.self)) ?? .english,
            forceID: try row.decode(column: "force_id", as: String?.self).flatMap(ForceID.init(validating:)),
            status: status,
            statusAt: Date(millisecondsSince1970: try row.decode(column: "status_at", as: Int64.self)),
            createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self)),
            failureReason: try row.decode(column: "failure_reason", as: String?.self))
    }
}

/// A notification row this build cannot read (a template or status it does not know).
struct UnreadableNotification: Error, CustomStringConvertible {
    let reference: String
    var description: String { "the notification \(reference) has a template or status this build does not know" }
}
