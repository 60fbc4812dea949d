import Foundation
import HTTPTypes
import HummingbirdTesting
import PeelCore
import PeelStore
import PeelTestSupport
import SQLKit
import Testing

/// The notifications waiting to be sent, as their jobs carry them (newest last).
func queuedNotifications(_ scratch: ScratchDatabase) async throws -> [NotificationRequest] {
    var found: [NotificationRequest] = []
    try await withStore(of: scratch) { store in
        let rows = try await store.database.sql.raw(
            "SELECT payload FROM jobs WHERE kind = \(bind: JobKinds.sendNotification) ORDER BY created_at, id"
        ).all()
        found = try rows.map { try JSONDecoder().decode(NotificationRequest.self, from: Data(try $0.decode(column: "payload", as: String.self).utf8)) }
    }
    return found
}

/// Runs the jobs that turn updates into notifications, as the worker would, so that a test can
/// see what would be sent without waiting on the worker's clock.
func portalUpdateJobs(_ scratch: ScratchDatabase) async throws -> [PortalUpdateJobPayload] {
    var found: [PortalUpdateJobPayload] = []
    try await withStore(of: scratch) { store in
        let rows = try await store.database.sql.raw(
            "SELECT payload FROM jobs WHERE kind = \(bind: JobKinds.portalUpdate) ORDER BY created_at, id"
        ).all()
        found = try rows.map { try JSONDecoder().decode(PortalUpdateJobPayload.self, from: Data(try $0.decode(column: "payload", as: String.self).utf8)) }
    }
    return found
}

extension TestBrowser {
    /// Asks for a MyPolice code for `email` on `force`'s site and signs in with it, read from
    /// the notification queued for it.
    @discardableResult
    mutating func signInToPortal(
        _ scratch: ScratchDatabase, email: String, force: String = "metropolitan"
    ) async throws -> (path: String, status: HTTPResponse.Status, html: String) {
        let asked = try await post("/\(force)/my/sign-in", [("email", email), ("channel", "email")])
        #expect(asked.path == "/\(force)/my/sign-in/code", "\(asked.status) \(asked.html.prefix(300))")
        let code = try #require(try await queuedNotifications(scratch).last { $0.recipient == email.lowercased() && $0.template == .signInCode })
        return try await post("/\(force)/my/sign-in/code", [("code", try #require(code.personalisation["code"]))])
    }

    /// Signs in as a person does: asks for a code, reads it from the demo mailbox once the job
    /// worker has sent it, and types it.
    @discardableResult
    mutating func signInToPortalFromMailbox(
        email: String, force: String = "metropolitan"
    ) async throws -> (path: String, status: HTTPResponse.Status, html: String) {
        struct Entry: Decodable { let id, channel, to, subject, body: String }
        func mailbox() async throws -> [Entry] {
            let response = try await client.execute(uri: "/_dev/mailbox.json", method: .get)
            return try JSONDecoder().decode([Entry].self, from: Data(response.text.utf8))
        }
        let before = Set(try await mailbox().map(\.id))
        let asked = try await post("/\(force)/my/sign-in", [("email", email), ("channel", "email")])
        #expect(asked.path == "/\(force)/my/sign-in/code")
        var code: String?
        try await eventually("the sign-in code in the mailbox") {
            // The newest message to the address with a six-digit code in it (the report's own
            // confirmation goes to the same address).
            code = try await mailbox().filter { $0.to == email && !before.contains($0.id) }.lazy
                .compactMap { $0.body.split(whereSeparator: { !$0.isNumber }).first { $0.count == 6 }.map(String.init) }.first
            return code != nil
        }
        return try await post("/\(force)/my/sign-in/code", [("code", try #require(code))])
    }
}
