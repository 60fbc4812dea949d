import Foundation
import PeelCore

/// Sends email and text messages. In demo mode the local mailbox keeps what would have been
/// sent; the GOV.UK Notify client takes its place in a deployment.
package protocol NotifyClient: Sendable {
    /// Sends one notification with Peel's template for it, in the person's language, and
    /// `request.reference` as Notify's reference.
    func send(_ request: NotificationRequest) async throws -> SentNotification
    /// The notification sent with this reference, if there is one: how a retried job finds
    /// out that Notify took its notification before the job could record it.
    func find(reference: String) async throws -> SentNotification?
}

extension NotifyClient {
    /// Emails a whole message written by Peel (the `message` template, in English), once per
    /// idempotency key: a job that sends it again after it was taken sends nothing.
    package func sendEmail(to: String, subject: String, body: String, force: ForceID?, idempotencyKey: String)
        async throws
    {
        if try await find(reference: idempotencyKey) != nil { return }
        do {
            _ = try await send(
                NotificationRequest(
                    channel: .email, recipient: to, template: .message, language: .english,
                    personalisation: ["subject": subject, "body": body], reference: idempotencyKey, forceID: force))
        } catch let error as NotifyError where !error.isRetryable {
            throw NotifyRefusal(error: error)
        }
    }
}

/// Notify refused a notification for a reason retrying cannot change: the job that sent it
/// goes to the dead letters at once, with the reason, instead of trying again.
package struct NotifyRefusal: Error, PermanentJobFailure, CustomStringConvertible {
    package let error: NotifyError
    package init(error: NotifyError) { self.error = error }
    package var description: String { error.description }
}

/// A notification Notify has taken: its id, Peel's reference, and where it is.
package struct SentNotification: Sendable, Hashable {
    package var id: String
    package var reference: String?
    package var status: NotificationStatus

    package init(id: String, reference: String?, status: NotificationStatus) {
        self.id = id
        self.reference = reference
        self.status = status
    }
}

/// One error in Notify's error body: its type (`BadRequestError`, `AuthError`, …) and message.
package struct NotifyAPIError: Codable, Sendable, Hashable {
    package var error: String
    package var message: String

    package init(error: String, message: String) {
        self.error = error
        self.message = message
    }
}

/// Notify's error body: `{"errors":[{"error","message"}],"status_code"}`.
package struct NotifyErrorBody: Codable, Sendable, Hashable {
    package var errors: [NotifyAPIError]
    package var statusCode: Int

    package init(errors: [NotifyAPIError], statusCode: Int) {
        self.errors = errors
        self.statusCode = statusCode
    }

    enum CodingKeys: String, CodingKey {
        case errors
        case statusCode = "status_code"
    }
}

/// Why a notification was not sent, and whether trying again could help.
package enum NotifyError: Error, Hashable, CustomStringConvertible {
    /// Notify answered with an error: its HTTP status and errors.
    case rejected(status: Int, errors: [NotifyAPIError])
    /// Notify could not be reached, or did not answer in time.
    case unreachable(String)
    /// Notify answered something Peel cannot read.
    case unreadable(status: Int, body: String)
    /// Peel has no template for this notification on this channel.
    case noTemplate(NotificationTemplate, NotificationChannel)

    /// Worth retrying later: rate limits, Notify's own failures, and failures to reach it.
    /// Refusals (400, 403: a bad request, a bad key) are permanent: the same request would be
    /// refused again.
    package var isRetryable: Bool {
        switch self {
        case .rejected(let status, _): status == 408 || status == 429 || status >= 500
        case .unreachable, .unreadable: true
        case .noTemplate: false
        }
    }

    package var statusCode: Int? {
        switch self {
        case .rejected(let status, _), .unreadable(let status, _): status
        case .unreachable, .noTemplate: nil
        }
    }

    package var description: String {
        switch self {
        case .rejected(let status, let errors):
            "GOV.UK Notify refused the request (\(status)): "
                + errors.map { "\($0.error): \($0.message)" }.joined(separator: "; ")
        case .unreachable(let reason): "GOV.UK Notify could not be reached: \(reason)"
        case .unreadable(let status, let body):
            "GOV.UK Notify answered \(status) with something Peel cannot read: \(body)"
        case .noTemplate(let template, let channel): "Peel has no \(channel.rawValue) template for \(template.rawValue)"
        }
    }

    /// Notify's 400 for personalisation a template needs and the request lacks.
    package static func missing(_ missing: MissingPersonalisation) -> NotifyError {
        .rejected(status: 400, errors: [NotifyAPIError(error: "BadRequestError", message: missing.description)])
    }
}

/// Recipients as Notify checks them.
package enum NotifyRecipient {
    /// Notify's `ValidationError` for a recipient it would refuse; nil when it is acceptable.
    package static func problem(_ recipient: String, channel: NotificationChannel) -> NotifyAPIError? {
        switch channel {
        case .email:
            EmailAddress.isWellFormed(recipient)
                ? nil : NotifyAPIError(error: "ValidationError", message: "email_address Not a valid email address")
        case .sms:
            ukMobile(recipient) != nil
                ? nil : NotifyAPIError(error: "ValidationError", message: "phone_number Not a UK mobile number")
        }
    }

    /// A UK mobile number as `07…` with 11 digits, from the ways people write one (`+44 7…`,
    /// `0044 7…`, spaces, dashes, brackets); nil when it is not one.
    package static func ukMobile(_ text: String) -> String? {
        let allowed = Set(" -().")
        var trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("+") { trimmed.removeFirst() }
        guard trimmed.allSatisfy({ $0.isASCII && ($0.isNumber || allowed.contains($0)) }) else { return nil }
        var digits = trimmed.filter(\.isNumber)
        if digits.hasPrefix("0044") {
            digits = "0" + digits.dropFirst(4)
        } else if digits.hasPrefix("44") {
            digits = "0" + digits.dropFirst(2)
        }
        guard digits.count == 11, digits.hasPrefix("07") else { return nil }
        return digits
    }
}

/// The local mailbox, for demo mode: each notification is rendered from Peel's templates and
/// kept at `/_dev/mailbox`, once per reference. It refuses what Notify would refuse.
package struct LocalMailbox: NotifyClient {
    let messages: any MessageRepository
    let templates: NotifyTemplateCatalogue

    package init(messages: any MessageRepository, templates: NotifyTemplateCatalogue = .standard) {
        self.messages = messages
        self.templates = templates
    }

    package func send(_ request: NotificationRequest) async throws -> SentNotification {
        guard let template = templates.template(request.template, channel: request.channel, language: request.language)
        else {
            throw NotifyError.noTemplate(request.template, request.channel)
        }
        if let problem = NotifyRecipient.problem(request.recipient, channel: request.channel) {
            throw NotifyError.rejected(status: 400, errors: [problem])
        }
        let rendered: RenderedNotification
        do { rendered = try template.render(request.personalisation) } catch { throw NotifyError.missing(error) }
        let message = OutboundMessage(
            id: RecordID.make(), forceID: request.forceID, channel: request.channel,
            to: request.recipient,
            subject: rendered.subject ?? "", body: rendered.body, createdAt: Date())
        if try await messages.record(message, idempotencyKey: request.reference) {
            return SentNotification(id: message.id, reference: request.reference, status: .delivered)
        }
        // Sent before under this reference: the first is the one.
        return try await find(reference: request.reference)
            ?? SentNotification(id: message.id, reference: request.reference, status: .delivered)
    }

    package func find(reference: String) async throws -> SentNotification? {
        try await messages.find(idempotencyKey: reference).map {
            SentNotification(id: $0.id, reference: reference, status: .delivered)
        }
    }
}
