import Foundation

/// Where a notification is, as GOV.UK Notify reports it, and `failed` when Notify refused to
/// take it at all (a bad address, a missing template; the reason is kept beside it).
package enum NotificationStatus: String, Codable, Sendable, CaseIterable {
    case created
    case sending
    case pending
    /// An international text message handed to the carrier; no receipt will follow.
    case sent
    case delivered
    case permanentFailure = "permanent-failure"
    case temporaryFailure = "temporary-failure"
    case technicalFailure = "technical-failure"
    /// Peel's own: Notify refused the request, so nothing was sent.
    case failed

    /// The statuses a delivery receipt carries.
    package static let receipts: Set<NotificationStatus> = [
        .delivered, .permanentFailure, .temporaryFailure, .technicalFailure,
    ]

    /// Whether Notify has finished with the notification: no later status will come.
    package var isFinal: Bool {
        switch self {
        case .created, .sending, .pending: false
        case .sent, .delivered, .permanentFailure, .temporaryFailure, .technicalFailure, .failed: true
        }
    }
}

/// A notification Peel handed to GOV.UK Notify (or, in demo mode, to the local mailbox), as
/// Peel keeps it: who it went to, which template, and what became of it. Never its content.
package struct StoredNotification: Sendable, Hashable {
    /// Peel's key for the notification, sent to Notify as its `reference`.
    package var reference: String
    /// Notify's id; nil when Notify refused the request.
    package var notifyID: String?
    package var channel: NotificationChannel
    package var recipient: String
    package var template: NotificationTemplate
    package var language: Language
    package var forceID: ForceID?
    package var status: NotificationStatus
    package var statusAt: Date
    package var createdAt: Date
    /// Why Notify refused it, when it did.
    package var failureReason: String?

    package init(
        reference: String, notifyID: String?, channel: NotificationChannel, recipient: String,
        template: NotificationTemplate,
        language: Language, forceID: ForceID?, status: NotificationStatus, statusAt: Date, createdAt: Date,
        failureReason: String? = nil
    ) {
        self.reference = reference
        self.notifyID = notifyID
        self.channel = channel
        self.recipient = recipient
        self.template = template
        self.language = language
        self.forceID = forceID
        self.status = status
        self.statusAt = statusAt
        self.createdAt = createdAt
        self.failureReason = failureReason
    }

    /// The record of `request`, sent (with Notify's id) or refused (with the reason).
    package init(
        _ request: NotificationRequest, notifyID: String?, status: NotificationStatus, at date: Date,
        failureReason: String? = nil
    ) {
        self.init(
            reference: request.reference, notifyID: notifyID, channel: request.channel, recipient: request.recipient,
            template: request.template, language: request.language, forceID: request.forceID, status: status,
            statusAt: date,
            createdAt: date, failureReason: failureReason)
    }
}

/// What a delivery receipt did to the notification it names.
package enum ReceiptOutcome: Sendable, Hashable {
    /// The notification now has the receipt's status (also when it already had it).
    case applied
    /// The notification already has a later status; the receipt changes nothing.
    case stale
    /// No notification Peel sent has that id.
    case unknown
}

/// The notifications Peel sent, by their reference (Peel's key) and Notify's id.
package protocol NotificationRepository: Sendable {
    /// Records a notification. A reference is recorded once; a later record replaces it only
    /// when the first was refused (`failed`), so that a retried send that succeeds is kept.
    /// Returns false when nothing was written.
    @discardableResult
    func record(_ notification: StoredNotification) async throws -> Bool
    func find(reference: String) async throws -> StoredNotification?
    func find(notifyID: String) async throws -> StoredNotification?
    /// Applies a delivery receipt: the status, as of `at`, unless a later one is already kept.
    func applyReceipt(notifyID: String, status: NotificationStatus, at: Date) async throws -> ReceiptOutcome
    /// Deletes the records of notifications created before `cutoff`; returns how many.
    func purge(createdBefore cutoff: Date) async throws -> Int
}

/// How long the record of a notification (who was sent which template, and how it went) is
/// kept: a year, long past any retry of its send and any delivery receipt, and long enough for
/// the person's own data download and a complaint about contact to find it (decision 0031).
package enum NotificationRetention {
    package static let period: TimeInterval = 365 * 24 * 3600
}

/// The timestamps GOV.UK Notify writes: UTC, microseconds, `Z` (`2017-05-14T12:15:30.000000Z`).
package enum NotifyTimestamp {
    package static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        let micros = Int(((date.timeIntervalSince1970 - seconds) * 1_000_000).rounded(.down))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: seconds))
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1,
            parts.hour ?? 0,
            parts.minute ?? 0, parts.second ?? 0, min(micros, 999_999))
    }

    /// Reads a Notify timestamp, or any ISO 8601 UTC time with or without fractions of a second.
    package static func parse(_ text: String) -> Date? {
        var text = text.trimmingCharacters(in: .whitespaces)
        guard text.hasSuffix("Z") || text.hasSuffix("+00:00") else { return nil }
        text = text.hasSuffix("Z") ? String(text.dropLast()) : String(text.dropLast(6))
        var fraction = 0.0
        if let dot = text.firstIndex(of: ".") {
            let digits = text[text.index(after: dot)...]
            guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
                let value = Double("0.\(digits)")
            else {
                return nil
            }
            fraction = value
            text = String(text[..<dot])
        }
        guard let whole = try? Date("\(text)Z", strategy: .iso8601) else { return nil }
        return whole + fraction
    }
}

/// A delivery receipt, as GOV.UK Notify posts it to Peel's callback URL. Every value is a
/// string but `template_version`; `reference`, `completed_at` and `sent_at` may be null.
package struct NotifyDeliveryReceipt: Codable, Sendable, Hashable {
    package var id: String
    package var reference: String?
    package var to: String
    package var status: String
    package var createdAt: String
    package var completedAt: String?
    package var sentAt: String?
    package var notificationType: String
    package var templateID: String
    package var templateVersion: Int

    package init(
        id: String, reference: String?, to: String, status: String, createdAt: String, completedAt: String?,
        sentAt: String?,
        notificationType: String, templateID: String, templateVersion: Int
    ) {
        self.id = id
        self.reference = reference
        self.to = to
        self.status = status
        self.createdAt = createdAt
        self.completedAt = completedAt
        self.sentAt = sentAt
        self.notificationType = notificationType
        self.templateID = templateID
        self.templateVersion = templateVersion
    }

    enum CodingKeys: String, CodingKey {
        case id, reference, to, status
        case createdAt = "created_at"
        case completedAt = "completed_at"
        case sentAt = "sent_at"
        case notificationType = "notification_type"
        case templateID = "template_id"
        case templateVersion = "template_version"
    }

    /// Written with its nulls, as Notify writes it.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(reference, forKey: .reference)
        try container.encode(to, forKey: .to)
        try container.encode(status, forKey: .status)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(completedAt, forKey: .completedAt)
        try container.encode(sentAt, forKey: .sentAt)
        try container.encode(notificationType, forKey: .notificationType)
        try container.encode(templateID, forKey: .templateID)
        try container.encode(templateVersion, forKey: .templateVersion)
    }

    /// The status it reports, when it is one a receipt may carry.
    package var receiptStatus: NotificationStatus? {
        NotificationStatus(rawValue: status).flatMap { NotificationStatus.receipts.contains($0) ? $0 : nil }
    }

    /// When the status was reached: completed, else sent, else created.
    package var statusTime: Date? {
        [completedAt, sentAt, createdAt].lazy.compactMap { $0.flatMap(NotifyTimestamp.parse) }.first
    }
}
