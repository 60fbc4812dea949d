import Foundation

/// How a notification reaches a person.
package enum NotificationChannel: String, Codable, Sendable, CaseIterable {
    case email
    case sms
}

/// The notifications Peel sends, each with a template per channel and language. None carries
/// the content of a message or the answers of a report: a person signs in to read those.
package enum NotificationTemplate: String, Codable, Sendable, CaseIterable {
    /// The six-digit code that signs a person in to MyPolice. Personalisation: `code`, `force`.
    case signInCode = "sign-in-code"
    /// "You have a new update about your report": personalisation `reference`, `force`, `link`.
    case newUpdate = "new-update"
    /// To the officer in charge: the person asked for an update. Personalisation: `reference`,
    /// `force`, `link`.
    case updateRequested = "update-requested"
    /// A whole email written by Peel (confirmations, return codes, invitations): personalisation
    /// `subject` and `body`.
    case message
}

/// A notification to send, as the job that sends it carries it. `reference` is Peel's own key
/// for it: it goes to Notify as the notification's reference, and a retried job that finds it
/// already sent does not send it again.
package struct NotificationRequest: Codable, Sendable, Hashable {
    package var channel: NotificationChannel
    /// An email address or a UK mobile number.
    package var recipient: String
    package var template: NotificationTemplate
    package var language: Language
    package var personalisation: [String: String]
    package var reference: String
    package var forceID: ForceID?

    package init(
        channel: NotificationChannel, recipient: String, template: NotificationTemplate, language: Language,
        personalisation: [String: String], reference: String, forceID: ForceID?
    ) {
        self.channel = channel
        self.recipient = recipient
        self.template = template
        self.language = language
        self.personalisation = personalisation
        self.reference = reference
        self.forceID = forceID
    }

    /// The job that sends this notification, with retries.
    package func job(runAt: Date = Date(), maxAttempts: Int = 8) throws -> NewJob {
        NewJob(
            kind: JobKinds.sendNotification, payload: String(decoding: try JSONEncoder.sorted.encode(self), as: UTF8.self),
            forceID: forceID, runAt: runAt, maxAttempts: maxAttempts)
    }
}

extension JobKinds {
    /// Sends one ``NotificationRequest``.
    package static let sendNotification = "notify.send"
}

extension JSONEncoder {
    /// An encoder whose output is the same for the same value: keys sorted.
    package static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}

extension String {
    package var nilIfEmpty: String? { isEmpty ? nil : self }
}
