import Foundation
import PeelCore

/// Sends email. In demo mode the local mailbox keeps what would have been sent; the GOV.UK
/// Notify client takes its place in a deployment.
package protocol NotifyClient: Sendable {
    func sendEmail(to: String, subject: String, body: String, force: ForceID?, idempotencyKey: String) async throws
}

/// The local mailbox: messages are stored and shown at `/_dev/mailbox`.
package struct LocalMailbox: NotifyClient {
    let messages: any MessageRepository

    package init(messages: any MessageRepository) { self.messages = messages }

    package func sendEmail(to: String, subject: String, body: String, force: ForceID?, idempotencyKey: String) async throws {
        _ = try await messages.record(
            OutboundMessage(id: UUID().uuidString.lowercased(), forceID: force, to: to, subject: subject, body: body, createdAt: Date()),
            idempotencyKey: idempotencyKey)
    }
}
