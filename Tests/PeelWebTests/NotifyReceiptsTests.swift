import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PeelApp
import PeelCore
import PeelNotify
import PeelStore
import PeelTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("GOV.UK Notify delivery receipts")
struct NotifyReceiptsTests {
    static let token = "a-callback-token-for-notify"
    static let notifyID = "740e5834-3a29-46b4-9a6f-16142fde533a"

    /// A receipt as Notify posts it.
    static func receipt(
        id: String = notifyID, status: String = "delivered", completedAt: String? = "2027-01-15T10:00:03.000000Z"
    ) -> String {
        let completed = completedAt.map { "\"\($0)\"" } ?? "null"
        return """
            {"id":"\(id)","reference":"sign-in:1","to":"07700900123","status":"\(status)","created_at":"2027-01-15T10:00:00.000000Z",\
            "completed_at":\(completed),"sent_at":"2027-01-15T10:00:01.000000Z","notification_type":"sms",\
            "template_id":"ab63e359-502b-4deb-a282-76d5e594f0d1","template_version":1}
            """
    }

    func post(_ client: any TestClientProtocol, _ body: String, authorization: String? = "Bearer \(token)") async throws
        -> TestResponse
    {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let authorization { headers[.authorization] = authorization }
        return try await client.execute(
            uri: "/api/v1/notify/receipts", method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    func seed(_ scratch: ScratchDatabase) async throws {
        try await withStore(of: scratch) { store in
            try await store.notifications.record(
                StoredNotification(
                    reference: "sign-in:1", notifyID: Self.notifyID, channel: .sms, recipient: "07700900123",
                    template: .signInCode,
                    language: .english, forceID: ForceID("kent"), status: .created,
                    statusAt: Date(timeIntervalSince1970: 1_800_000_000),
                    createdAt: Date(timeIntervalSince1970: 1_800_000_000)))
        }
    }

    func status(_ scratch: ScratchDatabase, reference: String = "sign-in:1") async throws -> NotificationStatus? {
        try await withStoreValue(scratch) { store in try await store.notifications.find(reference: reference)?.status }
    }

    @Test(
        "a receipt with the callback token sets the notification's status; sent again it changes nothing",
        arguments: TestEngine.all)
    func applied(engine: TestEngine) async throws {
        try await withTestApp(engine, extra: ["PEEL_NOTIFY_CALLBACK_TOKEN": Self.token]) { client, scratch in
            try await seed(scratch)
            let first = try await post(client, Self.receipt(status: "temporary-failure"))
            #expect(first.status == .ok)
            #expect(first.text == #"{"status":"applied"}"#)
            #expect(try await status(scratch) == .temporaryFailure)
            let again = try await post(client, Self.receipt(status: "temporary-failure"))
            #expect(again.status == .ok)
            #expect(try await status(scratch) == .temporaryFailure)
            // An older receipt arriving late does not undo a newer one.
            #expect(
                try await post(client, Self.receipt(status: "delivered", completedAt: "2027-01-15T10:00:04.000000Z"))
                    .status == .ok)
            let late = try await post(
                client, Self.receipt(status: "permanent-failure", completedAt: "2027-01-15T10:00:02.5Z"))
            #expect(late.text == #"{"status":"unchanged"}"#)
            #expect(try await status(scratch) == .delivered)
        }
    }

    @Test(
        "a missing or forged token is 401 and changes nothing",
        arguments: [nil, "Bearer not-the-callback-token", "Bearer \(token)x", "Basic \(token)", token])
    func unauthorised(authorization: String?) async throws {
        try await withTestApp(extra: ["PEEL_NOTIFY_CALLBACK_TOKEN": Self.token]) { client, scratch in
            try await seed(scratch)
            let response = try await post(client, Self.receipt(), authorization: authorization)
            #expect(response.status == .unauthorized)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(response.text.contains(#""code":"unauthorized""#))
            #expect(try await status(scratch) == .created)
        }
    }

    @Test("a receipt for a notification Peel did not send is 404")
    func unknown() async throws {
        try await withTestApp(extra: ["PEEL_NOTIFY_CALLBACK_TOKEN": Self.token]) { client, scratch in
            try await seed(scratch)
            let response = try await post(client, Self.receipt(id: "00000000-0000-4000-8000-000000000000"))
            #expect(response.status == .notFound)
            #expect(response.text.contains(#""code":"unknown_notification""#))
        }
    }

    @Test(
        "a body that is not a receipt is 400",
        arguments: [
            "", "not json", #"{"id":"740e5834-3a29-46b4-9a6f-16142fde533a"}"#, receipt(status: "sending"),
            receipt(status: "eaten"),
        ])
    func malformed(body: String) async throws {
        try await withTestApp(extra: ["PEEL_NOTIFY_CALLBACK_TOKEN": Self.token]) { client, scratch in
            try await seed(scratch)
            let response = try await post(client, body)
            #expect(response.status == .badRequest)
            #expect(response.text.contains(#""code":"receipt_"#))
            #expect(try await status(scratch) == .created)
        }
    }

    @Test("with no callback token configured receipts are answered 503, so that Notify tries them again later")
    func notConfigured() async throws {
        try await withTestApp { client, scratch in
            try await seed(scratch)
            let response = try await post(client, Self.receipt())
            #expect(response.status == .serviceUnavailable)
            #expect(response.text.contains(#""code":"receipts_not_configured""#))
            #expect(try await status(scratch) == .created)
        }
    }

    @Test("the local mailbox shows a text message as one, and its JSON gives each message's channel")
    func mailboxText() async throws {
        try await withTestApp { client, scratch in
            try await withStore(of: scratch) { store in
                _ = try await LocalMailbox(messages: store.messages).send(
                    NotificationRequest(
                        channel: .sms, recipient: "07700900123", template: .signInCode, language: .english,
                        personalisation: ["code": "482913"], reference: "sign-in:mailbox", forceID: ForceID("kent")))
            }
            let page = try await client.execute(uri: "/_dev/mailbox", method: .get)
            #expect(
                page.text.contains(#"<article class="message message-text"><h2 class="heading-s">Text message</h2>"#))
            #expect(page.text.contains("Your MyPolice code is 482913."))
            let json = try await client.execute(uri: "/_dev/mailbox.json", method: .get)
            #expect(json.text.contains(#""channel":"sms""#))
        }
    }

    @Test("end to end: Peel sends through Notify, and Notify's receipts reach Peel with the token and set each status")
    func endToEnd() async throws {
        let (socket, peelPort) = try StartupTests().bindLoopback()
        close(socket)
        let fake = FakeNotify(
            options: .init(
                apiKey: try NotifyAPIKey(parsing: FakeNotify.defaultAPIKey),
                callbackURL: "http://127.0.0.1:\(peelPort)/api/v1/notify/receipts",
                callbackToken: Self.token, deliveryDelay: .milliseconds(100)))
        let notifyApp = Application(
            router: fake.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: testLogger)
        try await notifyApp.test(.live) { notify in
            let notifyPort = try #require(notify.port)
            let scratch = try await ScratchDatabase.make(.sqlite)
            let configuration = try testConfiguration(
                scratch,
                extra: [
                    "PEEL_HOST": "127.0.0.1", "PEEL_PORT": String(peelPort),
                    "PEEL_NOTIFY_API_KEY": FakeNotify.defaultAPIKey,
                    "PEEL_NOTIFY_URL": "http://127.0.0.1:\(notifyPort)", "PEEL_NOTIFY_CALLBACK_TOKEN": Self.token,
                ])
            // Served on its own port (not the test framework's), where the fake posts its receipts.
            let peel = try await buildApplication(configuration, logger: testLogger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await peel.runService(gracefulShutdownSignals: []) }
                defer { group.cancelAll() }
                let transport = AsyncHTTPNotifyTransport()
                for _ in 0..<200 {
                    let ready = try? await transport.perform(
                        NotifyHTTPRequest(
                            method: "GET", url: "http://127.0.0.1:\(peelPort)/health/ready", headers: [:], body: nil))
                    if ready?.status == 200 { break }
                    try await Task.sleep(for: .milliseconds(50))
                }
                let requests = [("07700900123", "sign-in:sms"), ("perm-fail@simulator.notify", "sign-in:perm")].map {
                    recipient, reference in
                    NotificationRequest(
                        channel: recipient.contains("@") ? .email : .sms, recipient: recipient, template: .signInCode,
                        language: .welsh,
                        personalisation: ["code": "482913"], reference: reference, forceID: ForceID("kent"))
                }
                try await withStore(of: scratch) { store in
                    for request in requests { try await store.jobs.enqueue(try request.job()) }
                }
                var statuses: [NotificationStatus?] = []
                for _ in 0..<200 {
                    statuses = [
                        try await status(scratch, reference: "sign-in:sms"),
                        try await status(scratch, reference: "sign-in:perm"),
                    ]
                    if statuses == [.delivered, .permanentFailure] { break }
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(statuses == [.delivered, .permanentFailure])
                let received = try await notify.execute(uri: "/received", method: .get).text
                #expect(received.contains("Eich cod MyPolice yw 482913."))
                #expect(received.contains(#""answered":200"#))
            }
            await scratch.remove()
        }
    }
}
