import Foundation
import Hummingbird
import HummingbirdTesting
import PeelApp
import PeelCore
import PeelNotify
import PeelTestSupport
import Testing

/// The fake's `GET /received`, as tests read it.
struct ReceivedByNotify: Decodable {
    struct Entry: Decodable {
        let id: String
        let reference: String?
        let type, recipient, templateID: String
        let personalisation: [String: String]
        let subject: String?
        let body, status: String
    }
    struct Callback: Decodable {
        let id, status: String
        let answered: Int?
    }
    let notifications: [Entry]
    let callbacks: [Callback]
}

/// A running `peel fake-notify` on a loopback port, and a client pointed at it.
struct FakeNotifyHarness: Sendable {
    static let key = try! NotifyAPIKey(parsing: FakeNotify.defaultAPIKey)
    let port: Int
    let client: any TestClientProtocol

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Peel's client for the fake, with the fake's key unless told.
    func notify(
        key: NotifyAPIKey = FakeNotifyHarness.key, templates: NotifyTemplateCatalogue = .standard,
        now: @escaping @Sendable () -> Date = Date.init
    ) -> GOVUKNotifyClient {
        GOVUKNotifyClient(key: key, baseURL: baseURL, templates: templates, transport: AsyncHTTPNotifyTransport(), now: now)
    }

    func received() async throws -> ReceivedByNotify {
        let response = try await client.execute(uri: "/received", method: .get)
        return try JSONDecoder().decode(ReceivedByNotify.self, from: Data(String(buffer: response.body).utf8))
    }

    /// Waits (up to 10 s) until the fake's record satisfies `done`.
    func received(until done: (ReceivedByNotify) -> Bool) async throws -> ReceivedByNotify {
        var got = try await received()
        for _ in 0..<200 where !done(got) {
            try await Task.sleep(for: .milliseconds(50))
            got = try await received()
        }
        return got
    }
}

/// Runs `body` with a fake Notify listening on a loopback port.
func withFakeNotify(
    callbackURL: String? = nil, callbackToken: String? = nil, deliveryDelay: Duration = .milliseconds(50),
    _ body: @escaping @Sendable (FakeNotifyHarness) async throws -> Void
) async throws {
    let fake = FakeNotify(
        options: .init(apiKey: FakeNotifyHarness.key, callbackURL: callbackURL, callbackToken: callbackToken, deliveryDelay: deliveryDelay))
    let app = Application(router: fake.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: testLogger)
    try await app.test(.live) { client in
        try await body(FakeNotifyHarness(port: try #require(client.port), client: client))
    }
}

func request(
    _ channel: NotificationChannel = .email, to recipient: String = "sam@example.org", template: NotificationTemplate = .signInCode,
    language: Language = .english, personalisation: [String: String] = ["code": "482913", "force": "Kent Police"],
    reference: String = UUID().uuidString.lowercased()
) -> NotificationRequest {
    NotificationRequest(
        channel: channel, recipient: recipient, template: template, language: language, personalisation: personalisation,
        reference: reference, forceID: ForceID("kent"))
}
