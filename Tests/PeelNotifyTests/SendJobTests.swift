import Foundation
import PeelApp
import PeelCore
import PeelNotify
import PeelStore
import PeelTestSupport
import Testing

@Suite("The send-notification job")
struct SendNotificationJobTests {
    /// The job as the worker hands it over.
    func claimed(_ request: NotificationRequest, attempt: Int = 1) throws -> ClaimedJob {
        let job = try request.job()
        return ClaimedJob(
            id: .generate(), kind: job.kind, payload: job.payload, forceID: job.forceID, attempt: attempt,
            maxAttempts: job.maxAttempts,
            leaseExpiresAt: Date() + 60, worker: "test")
    }

    @Test("run twice, a notification is sent once and recorded with Notify's id", arguments: TestEngine.all)
    func once(engine: TestEngine) async throws {
        try await withFakeNotify { fake in
            try await withTestStore(engine) { store in
                let job = SendNotificationJob(
                    notifications: store.notifications, notify: fake.notify(), logger: testLogger)
                let sms = request(.sms, to: "07700 900123", reference: "sign-in:abc")
                let claimed = try claimed(sms)
                try await job.run(claimed)
                try await job.run(claimed)
                let got = try await fake.received()
                #expect(got.notifications.count == 1)
                let recorded = try #require(try await store.notifications.find(reference: "sign-in:abc"))
                #expect(recorded.notifyID == got.notifications.first?.id)
                #expect(recorded.status == .created)
                #expect(recorded.channel == .sms)
                #expect(recorded.template == .signInCode)
                #expect(recorded.forceID == ForceID("kent"))
            }
        }
    }

    @Test(
        "a job retried after Notify took its notification but before Peel recorded it sends nothing again",
        arguments: TestEngine.all)
    func crashAfterSending(engine: TestEngine) async throws {
        try await withFakeNotify { fake in
            try await withTestStore(engine) { store in
                let notify = fake.notify()
                let email = request(personalisation: ["code": "1"], reference: "new-update:1")
                // The first attempt: Notify takes it, then the node dies before recording it.
                let taken = try await notify.send(email)
                #expect(try await store.notifications.find(reference: "new-update:1") == nil)
                // The retry finds it at Notify by its reference, and records it.
                try await SendNotificationJob(notifications: store.notifications, notify: notify, logger: testLogger)
                    .run(try claimed(email, attempt: 2))
                #expect(try await fake.received().notifications.count == 1)
                #expect(try await store.notifications.find(reference: "new-update:1")?.notifyID == taken.id)
            }
        }
    }

    @Test(
        "a refusal is recorded as failed with Notify's reason and the job is dead at once, not retried",
        arguments: TestEngine.all)
    func refusedIsNotRetried(engine: TestEngine) async throws {
        try await withFakeNotify { fake in
            try await withTestStore(engine) { store in
                let bad = request(.sms, to: "01632 960001", reference: "sign-in:bad")
                let id = try await store.jobs.enqueue(try bad.job())
                let worker = JobWorker(
                    queue: store.jobs,
                    handlers: [
                        SendNotificationJob(
                            notifications: store.notifications, notify: fake.notify(), logger: testLogger)
                    ],
                    settings: .init(name: "w", retry: RetryPolicy(base: .milliseconds(1), cap: .milliseconds(2))),
                    logger: testLogger)
                #expect(try await worker.runOnce() == 1)
                let record = try #require(try await store.jobs.find(id))
                #expect(record.state == .dead)
                #expect(record.attempts == 1)
                #expect(record.lastError?.contains("phone_number Not a UK mobile number") == true)
                let failed = try #require(try await store.notifications.find(reference: "sign-in:bad"))
                #expect(failed.status == .failed)
                #expect(failed.notifyID == nil)
                #expect(failed.failureReason?.contains("ValidationError: phone_number Not a UK mobile number") == true)
                #expect(try await fake.received().notifications.isEmpty)
            }
        }
    }

    @Test("a temporary failure leaves the job to be retried and records nothing", arguments: TestEngine.all)
    func temporaryIsRetried(engine: TestEngine) async throws {
        struct Down: NotifyTransport {
            struct Refused: Error {}
            func perform(_ request: NotifyHTTPRequest) async throws -> NotifyHTTPResponse {
                NotifyHTTPResponse(
                    status: 503,
                    body: Data(
                        #"{"errors":[{"error":"Exception","message":"Internal server error"}],"status_code":503}"#.utf8)
                )
            }
        }
        try await withTestStore(engine) { store in
            let notify = GOVUKNotifyClient(key: FakeNotifyHarness.key, transport: Down())
            let email = request(reference: "sign-in:later")
            let id = try await store.jobs.enqueue(try email.job())
            let worker = JobWorker(
                queue: store.jobs,
                handlers: [SendNotificationJob(notifications: store.notifications, notify: notify, logger: testLogger)],
                settings: .init(name: "w"), logger: testLogger)
            #expect(try await worker.runOnce() == 1)
            let record = try #require(try await store.jobs.find(id))
            #expect(record.state == .ready)
            #expect(record.lastError?.contains("503") == true)
            #expect(try await store.notifications.find(reference: "sign-in:later") == nil)
        }
    }

    @Test("a dead notification replayed after its cause is fixed is sent, and its record replaced")
    func replayAfterRefusal() async throws {
        try await withFakeNotify { fake in
            try await withTestStore(.sqlite) { store in
                let job = SendNotificationJob(
                    notifications: store.notifications, notify: fake.notify(), logger: testLogger)
                let unknown = try NotifyTemplateCatalogue.standard.overriding([
                    "PEEL_NOTIFY_TEMPLATE_SIGN_IN_CODE_EMAIL_EN": UUID().uuidString
                ])
                let misconfigured = SendNotificationJob(
                    notifications: store.notifications, notify: fake.notify(templates: unknown), logger: testLogger)
                let email = request(reference: "sign-in:replayed")
                await #expect(throws: NotifyRefusal.self) { try await misconfigured.run(try claimed(email)) }
                #expect(try await store.notifications.find(reference: "sign-in:replayed")?.status == .failed)
                try await job.run(try claimed(email))
                let recorded = try #require(try await store.notifications.find(reference: "sign-in:replayed"))
                #expect(recorded.status == .created)
                #expect(recorded.notifyID != nil)
                #expect(recorded.failureReason == nil)
            }
        }
    }

    @Test(
        "in demo mode the local mailbox renders the template and keeps a text message once per reference",
        arguments: TestEngine.all)
    func localMailbox(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let mailbox = LocalMailbox(messages: store.messages)
            let job = SendNotificationJob(notifications: store.notifications, notify: mailbox, logger: testLogger)
            let sms = request(.sms, to: "07700900123", language: .welsh, reference: "sign-in:demo")
            try await job.run(try claimed(sms))
            try await job.run(try claimed(sms))
            _ = try await mailbox.send(sms)
            let messages = try await store.messages.recent(limit: 10)
            #expect(messages.count == 1)
            #expect(messages.first?.channel == .sms)
            #expect(messages.first?.subject == "")
            #expect(messages.first?.body.hasPrefix("Eich cod MyPolice yw 482913.") == true)
            let recorded = try #require(try await store.notifications.find(reference: "sign-in:demo"))
            #expect(recorded.notifyID == messages.first?.id)
            #expect(recorded.status == .delivered)
            // It refuses what Notify refuses.
            await #expect(throws: NotifyError.missing(MissingPersonalisation(names: ["code"]))) {
                try await mailbox.send(request(personalisation: [:]))
            }
        }
    }

    @Test("the old email call sends Peel's message template once per idempotency key")
    func sendEmail() async throws {
        try await withFakeNotify { fake in
            let notify = fake.notify()
            try await notify.sendEmail(
                to: "sam@example.org", subject: "Your reference: KEN-1", body: "Thank you.", force: ForceID("kent"),
                idempotencyKey: "confirmation:1")
            try await notify.sendEmail(
                to: "sam@example.org", subject: "Your reference: KEN-1", body: "Thank you.", force: ForceID("kent"),
                idempotencyKey: "confirmation:1")
            let got = try await fake.received()
            #expect(got.notifications.count == 1)
            #expect(got.notifications.first?.subject == "Your reference: KEN-1")
            #expect(got.notifications.first?.body == "Thank you.")
            #expect(got.notifications.first?.reference == "confirmation:1")
            await #expect(throws: NotifyRefusal.self) {
                try await notify.sendEmail(
                    to: "nobody", subject: "s", body: "b", force: nil, idempotencyKey: "confirmation:2")
            }
        }
    }
}
