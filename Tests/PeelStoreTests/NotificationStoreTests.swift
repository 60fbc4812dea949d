import Foundation
import PeelCore
import PeelStore
import PeelTestSupport
import Testing

@Suite("Notifications")
struct NotificationStoreTests {
    static let sent = Date(timeIntervalSince1970: 1_800_000_000)

    func notification(
        _ reference: String = "sign-in:1", notifyID: String? = "740e5834-3a29-46b4-9a6f-16142fde533a",
        status: NotificationStatus = .created,
        at date: Date = sent, failureReason: String? = nil
    ) -> StoredNotification {
        StoredNotification(
            reference: reference, notifyID: notifyID, channel: .sms, recipient: "07700900123", template: .signInCode,
            language: .welsh,
            forceID: ForceID("north-wales"), status: status, statusAt: date, createdAt: date,
            failureReason: failureReason)
    }

    @Test("records older than the cutoff are purged, newer ones kept, and a second purge removes nothing", arguments: TestEngine.all)
    func purge(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let cutoff = Self.sent
            try await store.notifications.record(notification("old:1", notifyID: nil, at: cutoff - 86_400))
            try await store.notifications.record(notification("old:2", notifyID: nil, at: cutoff - 0.002))
            try await store.notifications.record(notification("new:1", notifyID: nil, at: cutoff))
            try await store.notifications.record(notification("new:2", notifyID: nil, at: cutoff + 60))
            #expect(try await store.notifications.purge(createdBefore: cutoff) == 2)
            #expect(try await store.notifications.find(reference: "old:1") == nil)
            #expect(try await store.notifications.find(reference: "old:2") == nil)
            #expect(try await store.notifications.find(reference: "new:1") != nil)
            #expect(try await store.notifications.find(reference: "new:2") != nil)
            #expect(try await store.notifications.purge(createdBefore: cutoff) == 0)
        }
    }

    @Test(
        "a notification is recorded once by reference and read back by reference and by Notify's id",
        arguments: TestEngine.all)
    func recordOnce(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let first = notification()
            let recorded = try await store.notifications.record(first)
            #expect(recorded)
            var again = notification(notifyID: "201b576e-0000-4000-8000-000000000000")
            again.recipient = "07700900999"
            let recordedAgain = try await store.notifications.record(again)
            #expect(!recordedAgain)
            let byReference = try await store.notifications.find(reference: "sign-in:1")
            #expect(byReference == first)
            let byNotifyID = try await store.notifications.find(notifyID: "740e5834-3a29-46b4-9a6f-16142fde533a")
            #expect(byNotifyID == first)
            let other = try await store.notifications.find(reference: "sign-in:2")
            #expect(other == nil)
        }
    }

    @Test(
        "a refused notification is replaced when a later attempt sends it; refusals carry no Notify id",
        arguments: TestEngine.all)
    func failedIsReplaced(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let refused = notification(
                notifyID: nil, status: .failed, failureReason: "GOV.UK Notify refused the request (403)")
            let refusedRecorded = try await store.notifications.record(refused)
            #expect(refusedRecorded)
            let refusedAgain = try await store.notifications.record(
                notification(notifyID: nil, status: .failed, failureReason: "again"))
            #expect(refusedAgain)
            let sent = notification(at: Self.sent + 60)
            let sentRecorded = try await store.notifications.record(sent)
            #expect(sentRecorded)
            let replaced = try await store.notifications.find(reference: "sign-in:1")
            #expect(
                replaced
                    == StoredNotification(
                        reference: "sign-in:1", notifyID: sent.notifyID, channel: .sms, recipient: "07700900123",
                        template: .signInCode,
                        language: .welsh, forceID: ForceID("north-wales"), status: .created, statusAt: Self.sent + 60,
                        createdAt: Self.sent))
        }
    }

    @Test(
        "a receipt sets the status; the same receipt again changes nothing; an older one is stale; an unknown id is said",
        arguments: TestEngine.all)
    func receipts(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let id = "740e5834-3a29-46b4-9a6f-16142fde533a"
            try await store.notifications.record(notification())
            // Notify's clock may be behind Peel's: a final status replaces "created" whatever its time.
            let earlier = try await store.notifications.applyReceipt(
                notifyID: id, status: .temporaryFailure, at: Self.sent - 2)
            #expect(earlier == .applied)
            let delivered = try await store.notifications.applyReceipt(
                notifyID: id, status: .delivered, at: Self.sent + 5)
            #expect(delivered == .applied)
            let deliveredAgain = try await store.notifications.applyReceipt(
                notifyID: id, status: .delivered, at: Self.sent + 5)
            #expect(deliveredAgain == .applied)
            let older = try await store.notifications.applyReceipt(
                notifyID: id, status: .temporaryFailure, at: Self.sent + 1)
            #expect(older == .stale)
            let read = try #require(try await store.notifications.find(notifyID: id))
            #expect(read.status == .delivered)
            #expect(read.statusAt == Self.sent + 5)
            let unknown = try await store.notifications.applyReceipt(
                notifyID: UUID().uuidString.lowercased(), status: .delivered, at: Self.sent)
            #expect(unknown == .unknown)
        }
    }

    @Test("the mailbox keeps a message's channel and finds it by its idempotency key", arguments: TestEngine.all)
    func mailboxChannel(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let text = OutboundMessage(
                id: UUID().uuidString, forceID: ForceID("kent"), channel: .sms, to: "07700900123", subject: "",
                body: "Your MyPolice code is 1.",
                createdAt: Self.sent)
            let kept = try await store.messages.record(text, idempotencyKey: "sign-in:1")
            #expect(kept)
            let found = try await store.messages.find(idempotencyKey: "sign-in:1")
            #expect(found == text)
            let missing = try await store.messages.find(idempotencyKey: "sign-in:2")
            #expect(missing == nil)
            let recent = try await store.messages.recent(limit: 5)
            #expect(recent == [text])
        }
    }
}
