import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import PeelCore
import PeelNotify

/// Sends one ``NotificationRequest`` through Notify, at most once whatever happens to the job.
///
/// Before sending it asks Peel's record, then Notify itself (by the reference), whether the
/// notification went already: a job retried after Notify took it but before Peel recorded it
/// (a crash, a lost connection to the database) sends nothing twice. A refusal that retrying
/// cannot change (a bad address, a missing template, a bad key) is recorded as `failed` with
/// Notify's reason and the job goes to the dead letters, where an operator can replay it once
/// the cause is fixed; a temporary failure (rate limit, Notify down) is retried with backoff.
package struct SendNotificationJob: JobHandler {
    package let kind = JobKinds.sendNotification
    let notifications: any NotificationRepository
    let notify: any NotifyClient
    let logger: Logger
    let now: @Sendable () -> Date

    package init(
        notifications: any NotificationRepository, notify: any NotifyClient, logger: Logger,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.notifications = notifications
        self.notify = notify
        self.logger = logger
        self.now = now
    }

    /// Sign-in codes last ten minutes: the first retries come quickly.
    static let retry = RetryPolicy(base: .seconds(10), cap: .seconds(900))

    package var retry: RetryPolicy? { Self.retry }

    package func run(_ job: ClaimedJob) async throws {
        guard let request = try? JSONDecoder().decode(NotificationRequest.self, from: Data(job.payload.utf8)) else {
            throw JobPayloadError(job: job.id)
        }
        if let recorded = try await notifications.find(reference: request.reference), recorded.status != .failed {
            return
        }
        let sent: SentNotification
        if let found = try await notify.find(reference: request.reference) {
            sent = found
        } else {
            do {
                sent = try await notify.send(request)
            } catch let error as NotifyError where !error.isRetryable {
                try await notifications.record(
                    StoredNotification(
                        request, notifyID: nil, status: .failed, at: now(), failureReason: error.description))
                logger.error(
                    "notification refused",
                    metadata: [
                        "reference": "\(request.reference)", "template": "\(request.template.rawValue)",
                        "error": "\(error)",
                    ])
                throw NotifyRefusal(error: error)
            }
        }
        try await notifications.record(StoredNotification(request, notifyID: sent.id, status: sent.status, at: now()))
    }
}

/// The Notify client configuration asks for: GOV.UK Notify with an API key, else the local
/// mailbox (demo mode, and a node with no key).
func notifyClient(_ settings: NotifySettings, messages: any MessageRepository) -> any NotifyClient {
    guard let key = settings.apiKey else { return LocalMailbox(messages: messages, templates: settings.templates) }
    return GOVUKNotifyClient(
        key: key, baseURL: settings.url, templates: settings.templates, transport: AsyncHTTPNotifyTransport())
}

/// Notify's HTTP over AsyncHTTPClient's shared client, which keeps connections open between
/// notifications.
package struct AsyncHTTPNotifyTransport: NotifyTransport {
    static let timeout: Int64 = 10
    /// Notify's answers are small; a page of 250 notifications is the largest.
    static let maximumAnswer = 4 << 20

    package init() {}

    package func perform(_ request: NotifyHTTPRequest) async throws -> NotifyHTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(outgoing, timeout: .seconds(Self.timeout))
        let body = try await response.body.collect(upTo: Self.maximumAnswer)
        return NotifyHTTPResponse(status: Int(response.status.code), body: Data(buffer: body))
    }
}
