import Foundation
import Hummingbird
import HummingbirdTesting
import PeelApp
import PeelCore
import PeelNotify
import PeelTestSupport
import Testing

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
        GOVUKNotifyClient(
            key: key, baseURL: baseURL, templates: templates, transport: AsyncHTTPNotifyTransport(), now: now)
    }

    func received() async throws -> FakeNotify.ReceivedList {
        let response = try await client.execute(uri: "/received", method: .get)
        return try JSONDecoder().decode(FakeNotify.ReceivedList.self, from: Data(String(buffer: response.body).utf8))
    }
}

/// Runs `body` with a fake Notify listening on a loopback port.
func withFakeNotify(
    callbackURL: String? = nil, callbackToken: String? = nil, deliveryDelay: Duration = .milliseconds(50),
    _ body: @escaping @Sendable (FakeNotifyHarness) async throws -> Void
) async throws {
    let fake = FakeNotify(
        options: .init(
            apiKey: FakeNotifyHarness.key, callbackURL: callbackURL, callbackToken: callbackToken,
            deliveryDelay: deliveryDelay))
    let app = Application(
        router: fake.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: testLogger)
    try await app.test(.live) { client in
        try await body(FakeNotifyHarness(port: try #require(client.port), client: client))
    }
}

func request(
    _ channel: NotificationChannel = .email, to recipient: String = "sam@example.org",
    template: NotificationTemplate = .signInCode,
    language: Language = .english, personalisation: [String: String] = ["code": "482913", "force": "Kent Police"],
    reference: String = UUID().uuidString.lowercased()
) -> NotificationRequest {
    NotificationRequest(
        channel: channel, recipient: recipient, template: template, language: language,
        personalisation: personalisation,
        reference: reference, forceID: ForceID("kent"))
}
