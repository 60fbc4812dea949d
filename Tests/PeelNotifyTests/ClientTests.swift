import Foundation
import PeelApp
import PeelCore
import PeelNotify
import Testing

@Suite("GOV.UK Notify client against peel fake-notify")
struct NotifyClientTests {
    @Test(
        "an email is sent with Peel's template and reference; Notify renders it, and it is found by id and by reference"
    )
    func email() async throws {
        try await withFakeNotify { fake in
            let notify = fake.notify()
            let sent = try await notify.send(request(reference: "sign-in:1"))
            #expect(UUID(uuidString: sent.id) != nil)
            #expect(sent.reference == "sign-in:1")
            #expect(sent.status == .created)
            let got = try await fake.received()
            let taken = try #require(got.notifications.first)
            #expect(got.notifications.count == 1)
            #expect(taken.type == "email")
            #expect(taken.recipient == "sam@example.org")
            #expect(
                taken.templateID
                    == NotifyTemplateCatalogue.standard.template(.signInCode, channel: .email, language: .english)?.id)
            #expect(taken.subject == "Your MyPolice code")
            #expect(
                taken.body
                    == "Your MyPolice code is 482913. It lasts 10 minutes.\n\nIf you did not ask for it, ignore this message."
            )
            #expect(taken.personalisation == ["code": "482913", "force": "Kent Police"])
            // It is delivered once the fake's delivery delay has passed.
            var status = try await notify.notification(id: sent.id).status
            for _ in 0..<100 where status != .delivered {
                try await Task.sleep(for: .milliseconds(20))
                status = try await notify.notification(id: sent.id).status
            }
            #expect(status == .delivered)
            #expect(
                try await notify.find(reference: "sign-in:1")
                    == SentNotification(id: sent.id, reference: "sign-in:1", status: .delivered))
            #expect(try await notify.find(reference: "sign-in:2") == nil)
        }
    }

    @Test("a text message in Welsh is sent with the Welsh template")
    func sms() async throws {
        try await withFakeNotify { fake in
            let sent = try await fake.notify().send(
                request(
                    .sms, to: "+44 7700 900123", template: .newUpdate, language: .welsh,
                    personalisation: [
                        "reference": "NWP-4KX7P2-Q", "force": "Heddlu Gogledd Cymru", "link": "https://peel.example/l",
                    ]))
            let taken = try #require(try await fake.received().notifications.first)
            #expect(taken.id == sent.id)
            #expect(taken.type == "sms")
            #expect(taken.subject == nil)
            #expect(
                taken.body
                    == "Mae gennych chi ddiweddariad newydd am eich adroddiad NWP-4KX7P2-Q i Heddlu Gogledd Cymru. Mewngofnodwch i'w ddarllen: https://peel.example/l"
            )
        }
    }

    @Test(
        "the test key's simulated recipients end in temporary and permanent failure; smoke-test recipients are kept nowhere"
    )
    func simulated() async throws {
        try await withFakeNotify { fake in
            let notify = fake.notify()
            let temporary = try await notify.send(request(to: "temp-fail@simulator.notify"))
            let permanent = try await notify.send(request(.sms, to: "07700900002"))
            let smoke = try await notify.send(request(.sms, to: "07700900111"))
            try await Task.sleep(for: .milliseconds(100))
            #expect(try await notify.notification(id: temporary.id).status == .temporaryFailure)
            #expect(try await notify.notification(id: permanent.id).status == .permanentFailure)
            await #expect(
                throws: NotifyError.rejected(
                    status: 404, errors: [NotifyAPIError(error: "NoResultFound", message: "No result found")])
            ) {
                try await notify.notification(id: smoke.id)
            }
            #expect(try await fake.received().notifications.count == 2)
        }
    }

    @Test("a token signed with the wrong secret is Notify's 403 AuthError, and not worth retrying")
    func wrongKey() async throws {
        try await withFakeNotify { fake in
            let forged = try NotifyAPIKey(
                parsing: "x-\(FakeNotifyHarness.key.serviceID)-\(UUID().uuidString.lowercased())")
            let error = await #expect(throws: NotifyError.self) { try await fake.notify(key: forged).send(request()) }
            #expect(
                error
                    == .rejected(
                        status: 403,
                        errors: [
                            NotifyAPIError(
                                error: "AuthError", message: "Invalid token: signature, api token is not valid")
                        ]))
            #expect(error?.isRetryable == false)
            #expect(try await fake.received().notifications.isEmpty)
        }
    }

    @Test("a token issued more than 30 seconds ago is refused with Notify's clock message")
    func expired() async throws {
        try await withFakeNotify { fake in
            let error = await #expect(throws: NotifyError.self) {
                try await fake.notify(now: { Date() - 45 }).send(request())
            }
            #expect(
                error
                    == .rejected(
                        status: 403,
                        errors: [
                            NotifyAPIError(
                                error: "AuthError",
                                message: "Error: Your system clock must be accurate to within 30 seconds")
                        ]))
        }
    }

    @Test("a template Notify does not know is its 400 BadRequestError 'Template not found'")
    func unknownTemplate() async throws {
        try await withFakeNotify { fake in
            let templates = try NotifyTemplateCatalogue.standard.overriding([
                "PEEL_NOTIFY_TEMPLATE_SIGN_IN_CODE_EMAIL_EN": UUID().uuidString
            ])
            let error = await #expect(throws: NotifyError.self) {
                try await fake.notify(templates: templates).send(request())
            }
            #expect(
                error
                    == .rejected(
                        status: 400, errors: [NotifyAPIError(error: "BadRequestError", message: "Template not found")]))
            #expect(error?.isRetryable == false)
        }
    }

    @Test("missing personalisation is Notify's 400 BadRequestError naming what is missing")
    func missingPersonalisation() async throws {
        try await withFakeNotify { fake in
            let error = await #expect(throws: NotifyError.self) {
                try await fake.notify().send(request(template: .newUpdate, personalisation: ["force": "Kent Police"]))
            }
            #expect(
                error
                    == .rejected(
                        status: 400,
                        errors: [
                            NotifyAPIError(
                                error: "BadRequestError", message: "Missing personalisation: reference, link")
                        ]))
        }
    }

    @Test("an invalid email address or phone number is Notify's 400 ValidationError")
    func invalidRecipient() async throws {
        try await withFakeNotify { fake in
            let email = await #expect(throws: NotifyError.self) {
                try await fake.notify().send(request(to: "not-an-address"))
            }
            #expect(
                email
                    == .rejected(
                        status: 400,
                        errors: [
                            NotifyAPIError(error: "ValidationError", message: "email_address Not a valid email address")
                        ]))
            let phone = await #expect(throws: NotifyError.self) {
                try await fake.notify().send(request(.sms, to: "01632 960001"))
            }
            #expect(
                phone
                    == .rejected(
                        status: 400,
                        errors: [
                            NotifyAPIError(error: "ValidationError", message: "phone_number Not a UK mobile number")
                        ]))
            let got = try await fake.received()
            #expect(got.notifications.isEmpty)
        }
    }

    @Test("Notify out of reach is worth retrying; so are rate limits and Notify's own failures")
    func unreachable() async throws {
        struct NoConnection: NotifyTransport {
            struct Refused: Error {}
            func perform(_ request: NotifyHTTPRequest) async throws -> NotifyHTTPResponse { throw Refused() }
        }
        let closed = GOVUKNotifyClient(
            key: FakeNotifyHarness.key, baseURL: "http://127.0.0.1:1", transport: NoConnection())
        let error = await #expect(throws: NotifyError.self) { try await closed.send(request()) }
        #expect(error?.isRetryable == true)
        #expect(NotifyError.rejected(status: 429, errors: []).isRetryable)
        #expect(NotifyError.rejected(status: 500, errors: []).isRetryable)
        #expect(!NotifyError.rejected(status: 400, errors: []).isRetryable)
        #expect(!NotifyError.rejected(status: 403, errors: []).isRetryable)
    }

    @Test("the list of notifications filters by reference, status and type, newest first, with links")
    func listing() async throws {
        try await withFakeNotify { fake in
            let notify = fake.notify()
            let first = try await notify.send(request(reference: "same"))
            let second = try await notify.send(request(.sms, to: "07700900123", reference: "same"))
            _ = try await notify.send(request(to: "perm-fail@simulator.notify", reference: "other"))
            try await Task.sleep(for: .milliseconds(100))
            let transport = AsyncHTTPNotifyTransport()
            func list(_ query: String) async throws -> NotifyWire.NotificationList {
                let response = try await transport.perform(
                    NotifyHTTPRequest(
                        method: "GET", url: "\(fake.baseURL)/v2/notifications?\(query)",
                        headers: ["Authorization": "Bearer \(NotifyToken.make(FakeNotifyHarness.key, now: Date()))"],
                        body: nil))
                #expect(response.status == 200)
                return try JSONDecoder().decode(NotifyWire.NotificationList.self, from: response.body)
            }
            let same = try await list("reference=same")
            #expect(same.notifications.map(\.id) == [second.id, first.id])
            #expect(same.links.current == "\(fake.baseURL)/v2/notifications?reference=same")
            #expect(same.links.next == "\(fake.baseURL)/v2/notifications?reference=same&older_than=\(first.id)")
            #expect(try await list("reference=same&template_type=sms").notifications.map(\.id) == [second.id])
            #expect(try await list("status=permanent-failure").notifications.map(\.reference) == ["other"])
            #expect(try await list("reference=same&older_than=\(second.id)").notifications.map(\.id) == [first.id])
            let bad = try await transport.perform(
                NotifyHTTPRequest(
                    method: "GET", url: "\(fake.baseURL)/v2/notifications?status=elephant",
                    headers: ["Authorization": "Bearer \(NotifyToken.make(FakeNotifyHarness.key, now: Date()))"],
                    body: nil))
            let body = try JSONDecoder().decode(NotifyErrorBody.self, from: bad.body)
            #expect(bad.status == 400)
            #expect(body.statusCode == 400)
            #expect(body.errors.first?.error == "ValidationError")
        }
    }
}
