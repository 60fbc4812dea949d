import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat
import PeelCore
import PeelNotify
import Synchronization

/// A local GOV.UK Notify for development and tests (`peel fake-notify`). It speaks Notify's
/// API v2 as a service with one *test* API key does: it checks each request's token, knows
/// Peel's templates and renders them, refuses what Notify refuses with Notify's error bodies,
/// answers sends and look-ups in Notify's shapes, simulates the test key's deliveries
/// (`temp-fail@simulator.notify`, `07700900002`, …) and posts delivery receipts to a callback
/// URL with its bearer token. `GET /received` lists what it was asked to send.
package final class FakeNotify: Sendable {
    /// The key `peel fake-notify` accepts unless given another (a test key; it guards nothing).
    package static let defaultAPIKey =
        "peel_fake_notify-f0276a6f-f7e8-405b-85ce-5a341c26dd25-95495e2f-c6a9-4ff0-82a4-85c70837ec15"

    package struct Options: Sendable {
        package var apiKey: NotifyAPIKey
        /// Where delivery receipts are posted, with ``callbackToken`` as `Authorization: Bearer`.
        package var callbackURL: String?
        package var callbackToken: String?
        /// How long a notification takes to reach its final status and send its receipt.
        package var deliveryDelay: Duration
        package var templates: NotifyTemplateCatalogue
        /// The fake's clock, against which tokens' `iat` is checked.
        package var now: @Sendable () -> Date

        package init(
            apiKey: NotifyAPIKey, callbackURL: String? = nil, callbackToken: String? = nil,
            deliveryDelay: Duration = .milliseconds(500),
            templates: NotifyTemplateCatalogue = .standard, now: @escaping @Sendable () -> Date = Date.init
        ) {
            self.apiKey = apiKey
            self.callbackURL = callbackURL
            self.callbackToken = callbackToken
            self.deliveryDelay = deliveryDelay
            self.templates = templates
            self.now = now
        }
    }

    /// A notification the fake took.
    struct Taken: Sendable {
        let id: String
        let reference: String?
        let channel: NotificationChannel
        let recipient: String
        let template: NotifyTemplate
        let personalisation: [String: String]
        let rendered: RenderedNotification
        let createdAt: Date
        /// What the test key's simulation makes of it.
        let outcome: NotificationStatus
    }

    /// A delivery receipt the fake posted, and Peel's answer (nil: no answer).
    package struct Callback: Codable, Sendable {
        package let id: String
        package let status: String
        package let answered: Int?
    }

    private struct State {
        var taken: [Taken] = []
        var callbacks: [Callback] = []
    }

    private let state = Mutex(State())
    package let options: Options

    package init(options: Options) { self.options = options }

    package func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/v2/notifications/email") { [self] request, context in try await send(.email, request) }
        router.post("/v2/notifications/sms") { [self] request, _ in try await send(.sms, request) }
        router.get("/v2/notifications/:id") { [self] request, context in
            if let refused = authenticate(request) { return refused }
            let id = context.parameters.get("id") ?? ""
            guard UUID(uuidString: id) != nil else {
                return failure(400, "ValidationError", "notification_id is not a valid UUID")
            }
            guard let taken = state.withLock({ $0.taken.first { $0.id == id.lowercased() } }) else {
                return failure(404, "NoResultFound", "No result found")
            }
            return try json(wire(taken, base: base(request)), status: .ok)
        }
        router.get("/v2/notifications") { [self] request, _ in try list(request) }
        router.get("/v2/templates") { [self] request, _ in
            if let refused = authenticate(request) { return refused }
            let type = Self.query(request.uri.query ?? "").last { $0.name == "type" }?.value
            if let type, !["sms", "email", "letter"].contains(type) {
                return failure(400, "ValidationError", "type \(type) is not one of [sms, email, letter]")
            }
            let templates = options.templates.templates.filter { type == nil || $0.channel.rawValue == type }
            return try json(["templates": templates.map(TemplateDetail.init)], status: .ok)
        }
        router.get("/v2/template/:id") { [self] request, context in
            if let refused = authenticate(request) { return refused }
            let id = context.parameters.get("id") ?? ""
            guard UUID(uuidString: id) != nil else { return failure(400, "ValidationError", "id is not a valid UUID") }
            guard let template = options.templates.template(id: id) else {
                return failure(404, "NoResultFound", "No result found")
            }
            return try json(TemplateDetail(template), status: .ok)
        }
        router.get("/received") { [self] _, _ in
            let snapshot = state.withLock { state in
                ReceivedList(
                    notifications: state.taken.map {
                        .init(
                            id: $0.id, reference: $0.reference, type: $0.channel.rawValue, recipient: $0.recipient,
                            templateID: $0.template.id,
                            personalisation: $0.personalisation, subject: $0.rendered.subject, body: $0.rendered.body,
                            status: status(of: $0).rawValue)
                    }, callbacks: state.callbacks)
            }
            return try json(snapshot, status: .ok)
        }
        router.get("/health") { _, _ in Response(status: .ok) }
        return router
    }

    /// `GET /received`: what the fake was asked to send, rendered, and the receipts it posted.
    package struct ReceivedList: Codable, Sendable {
        package struct Entry: Codable, Sendable {
            package let id: String
            package let reference: String?
            package let type, recipient, templateID: String
            package let personalisation: [String: String]
            package let subject: String?
            package let body, status: String
        }
        package let notifications: [Entry]
        package let callbacks: [Callback]
    }

    /// A template, as `GET /v2/template/{id}` answers.
    struct TemplateDetail: Encodable {
        let template: NotifyTemplate
        init(_ template: NotifyTemplate) { self.template = template }

        enum CodingKeys: String, CodingKey {
            case id, name, type, version, subject, body
            case createdAt = "created_at"
            case updatedAt = "updated_at"
            case createdBy = "created_by"
            case letterContactBlock = "letter_contact_block"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(template.id, forKey: .id)
            try container.encode(template.name, forKey: .name)
            try container.encode(template.channel.rawValue, forKey: .type)
            try container.encode(template.version, forKey: .version)
            try container.encode(template.subject, forKey: .subject)
            try container.encode(template.body, forKey: .body)
            try container.encode("2025-01-01T00:00:00.000000Z", forKey: .createdAt)
            try container.encodeNil(forKey: .updatedAt)
            try container.encode("peel@notifications.service.gov.uk", forKey: .createdBy)
            try container.encodeNil(forKey: .letterContactBlock)
        }
    }

    // MARK: Authentication

    /// Notify's answer to a request without a valid token; nil when the token is good.
    private func authenticate(_ request: Request) -> Response? {
        guard let header = request.headers[.authorization], !header.isEmpty else {
            return failure(401, "AuthError", "Unauthorized: authentication token must be provided")
        }
        guard header.prefix(7).lowercased() == "bearer " else {
            return failure(401, "AuthError", "Unauthorized: authentication bearer scheme must be used")
        }
        do {
            try NotifyToken.verify(String(header.dropFirst(7)), key: options.apiKey, now: options.now())
            return nil
        } catch {
            return failure(403, "AuthError", error.description)
        }
    }

    // MARK: Sending

    private func send(_ channel: NotificationChannel, _ request: Request) async throws -> Response {
        if let refused = authenticate(request) { return refused }
        let data = try await request.body.collect(upTo: 1 << 20)
        guard let fields = try? JSONDecoder().decode([String: JSONValue].self, from: Data(buffer: data)) else {
            return failure(400, "BadRequestError", "Invalid JSON supplied in POST data")
        }
        let recipientField = channel == .email ? "email_address" : "phone_number"
        // Checked in Notify's order: the request's schema, then the template, then personalisation.
        for required in [recipientField, "template_id"] where fields[required] == nil {
            return failure(400, "ValidationError", "\(required) is a required property")
        }
        guard case .string(let templateID) = fields["template_id"], UUID(uuidString: templateID) != nil else {
            return failure(400, "ValidationError", "template_id is not a valid UUID")
        }
        guard case .string(let recipient) = fields[recipientField] else {
            return failure(
                400, "ValidationError",
                "\(recipientField) \(fields[recipientField].map(\.text) ?? "") is not of type string")
        }
        if let problem = NotifyRecipient.problem(recipient, channel: channel) {
            return failure(400, problem.error, problem.message)
        }
        var reference: String?
        switch fields["reference"] {
        case nil, .null?: reference = nil
        case .string(let text)?: reference = text
        case let other?: return failure(400, "ValidationError", "reference \(other.text) is not of type string, null")
        }
        var personalisation: [String: String] = [:]
        switch fields["personalisation"] {
        case nil, .null?: break
        case .object(let values)?:
            for case (let key, let value) in values where value != .null {
                personalisation[key] = value.personalisationText
            }
        case let other?: return failure(400, "ValidationError", "personalisation \(other.text) is not of type object")
        }
        guard let template = options.templates.template(id: templateID) else {
            return failure(400, "BadRequestError", "Template not found")
        }
        guard template.channel == channel else {
            return failure(
                400, "BadRequestError",
                "\(template.channel.rawValue) template is not suitable for \(channel.rawValue) notification")
        }
        let rendered: RenderedNotification
        do { rendered = try template.render(personalisation) } catch {
            return failure(400, "BadRequestError", error.description)
        }
        let taken = Taken(
            id: RecordID.make(), reference: reference, channel: channel, recipient: recipient,
            template: template,
            personalisation: personalisation, rendered: rendered, createdAt: Date(),
            outcome: Self.simulated(recipient, channel: channel))
        // Smoke-test recipients are answered, and kept nowhere.
        if !Self.isSmokeTest(recipient, channel: channel) {
            state.withLock { $0.taken.append(taken) }
            if let url = options.callbackURL { scheduleReceipt(taken, to: url) }
        }
        let base = base(request)
        let answer = NotifyWire.SendResponse(
            id: taken.id, reference: reference,
            content: .init(
                subject: rendered.subject, body: rendered.body,
                fromEmail: channel == .email ? "mypolice@notifications.service.gov.uk" : nil,
                fromNumber: channel == .sms ? "MyPolice" : nil),
            uri: "\(base)/v2/notifications/\(taken.id)", template: templateReference(template, base: base))
        return try json(answer, status: .created)
    }

    /// The test key's simulated deliveries.
    static func simulated(_ recipient: String, channel: NotificationChannel) -> NotificationStatus {
        let address = channel == .email ? recipient.lowercased() : NotifyRecipient.ukMobile(recipient) ?? recipient
        switch address {
        case "temp-fail@simulator.notify", "07700900003": return .temporaryFailure
        case "perm-fail@simulator.notify", "07700900002": return .permanentFailure
        default: return .delivered
        }
    }

    static func isSmokeTest(_ recipient: String, channel: NotificationChannel) -> Bool {
        switch channel {
        case .email:
            [
                "simulate-delivered@notifications.service.gov.uk", "simulate-delivered-2@notifications.service.gov.uk",
                "simulate-delivered-3@notifications.service.gov.uk",
            ].contains(recipient.lowercased())
        case .sms:
            ["07700900000", "07700900111", "07700900222"].contains(NotifyRecipient.ukMobile(recipient) ?? "")
        }
    }

    /// A notification's status now: created until the delivery delay has passed, then its outcome.
    private func status(of taken: Taken) -> NotificationStatus {
        Date().timeIntervalSince(taken.createdAt) >= options.deliveryDelay.timeInterval ? taken.outcome : .created
    }

    // MARK: Reading

    private func list(_ request: Request) throws -> Response {
        if let refused = authenticate(request) { return refused }
        let query = Self.query(request.uri.query ?? "")
        let statuses = query.filter { $0.name == "status" }.map(\.value)
        let known =
            NotificationStatus.allCases.filter { $0 != .failed }.map(\.rawValue) + [
                "accepted", "received", "cancelled",
            ]
        if let unknown = statuses.first(where: { !known.contains($0) }) {
            return failure(400, "ValidationError", "status \(unknown) is not one of [\(known.joined(separator: ", "))]")
        }
        let type = query.last { $0.name == "template_type" }?.value
        if let type, !["sms", "email", "letter"].contains(type) {
            return failure(400, "ValidationError", "template_type \(type) is not one of [sms, email, letter]")
        }
        let reference = query.last { $0.name == "reference" }?.value
        let olderThan = query.last { $0.name == "older_than" }?.value.lowercased()
        var found: [Taken] = state.withLock { Array($0.taken.reversed()) }
        if let olderThan {
            found = found.firstIndex { $0.id == olderThan }.map { Array(found[(found.index(after: $0))...]) } ?? []
        }
        found = found.filter { taken in
            (reference == nil || taken.reference == reference) && (type == nil || taken.channel.rawValue == type)
                && (statuses.isEmpty || statuses.contains(status(of: taken).rawValue))
        }
        let page = Array(found.prefix(250))
        let base = base(request)
        let current = "\(base)/v2/notifications" + (request.uri.query.map { "?\($0)" } ?? "")
        var next: String?
        if let last = page.last {
            let kept = query.filter { $0.name != "older_than" }.map {
                "\($0.name)=\(GOVUKNotifyClient.queryEscaped($0.value))"
            }
            next = "\(base)/v2/notifications?" + (kept + ["older_than=\(last.id)"]).joined(separator: "&")
        }
        return try json(
            NotifyWire.NotificationList(
                notifications: page.map { wire($0, base: base) }, links: .init(current: current, next: next)),
            status: .ok)
    }

    private func wire(_ taken: Taken, base: String) -> NotifyWire.Notification {
        let status = status(of: taken)
        let finished = taken.createdAt + options.deliveryDelay.timeInterval
        return NotifyWire.Notification(
            id: taken.id, reference: taken.reference, emailAddress: taken.channel == .email ? taken.recipient : nil,
            phoneNumber: taken.channel == .sms ? taken.recipient : nil, type: taken.channel.rawValue,
            status: status.rawValue,
            template: templateReference(taken.template, base: base), body: taken.rendered.body,
            subject: taken.rendered.subject,
            createdAt: NotifyTimestamp.format(taken.createdAt),
            sentAt: status.isFinal ? NotifyTimestamp.format(taken.createdAt) : nil,
            completedAt: status.isFinal ? NotifyTimestamp.format(finished) : nil)
    }

    private func templateReference(_ template: NotifyTemplate, base: String) -> NotifyWire.TemplateReference {
        .init(id: template.id, version: template.version, uri: "\(base)/v2/template/\(template.id)")
    }

    // MARK: Receipts

    /// After the delivery delay, posts the receipt; a failed post is tried again a few times.
    private func scheduleReceipt(_ taken: Taken, to url: String) {
        let receipt = NotifyDeliveryReceipt(
            id: taken.id, reference: taken.reference, to: taken.recipient, status: taken.outcome.rawValue,
            createdAt: NotifyTimestamp.format(taken.createdAt),
            completedAt: NotifyTimestamp.format(taken.createdAt + options.deliveryDelay.timeInterval),
            sentAt: NotifyTimestamp.format(taken.createdAt), notificationType: taken.channel.rawValue,
            templateID: taken.template.id,
            templateVersion: taken.template.version)
        let token = options.callbackToken
        let delay = options.deliveryDelay
        Task {
            try? await Task.sleep(for: delay)
            for attempt in 0..<4 {
                let answered = await Self.post(receipt, to: url, token: token)
                state.withLock {
                    $0.callbacks.append(Callback(id: receipt.id, status: receipt.status, answered: answered))
                }
                // As Notify: a server error or no answer is tried again; a refusal is not.
                if let answered, answered < 500, answered != 429 { return }
                try? await Task.sleep(for: .seconds(1 << attempt))
            }
        }
    }

    /// Posts a receipt; Peel's status code, or nil when it did not answer.
    static func post(_ receipt: NotifyDeliveryReceipt, to url: String, token: String?) async -> Int? {
        guard let body = try? JSONEncoder().encode(receipt) else { return nil }
        var headers = ["Content-Type": "application/json"]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        let request = NotifyHTTPRequest(method: "POST", url: url, headers: headers, body: body)
        return try? await AsyncHTTPNotifyTransport().perform(request).status
    }

    // MARK: Helpers

    private func base(_ request: Request) -> String {
        "http://\(request.head.authority ?? "localhost")"
    }

    private func failure(_ status: Int, _ error: String, _ message: String) -> Response {
        let body = NotifyErrorBody(errors: [NotifyAPIError(error: error, message: message)], statusCode: status)
        return (try? json(body, status: HTTPResponse.Status(code: status)))
            ?? Response(status: HTTPResponse.Status(code: status))
    }

    private func json(_ value: some Encodable, status: HTTPResponse.Status) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    /// A query string's pairs in order, decoded as a form (`+` is a space).
    static func query(_ text: String) -> [(name: String, value: String)] {
        text.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                let spaced = part.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// Serves the fake on `host:port` until cancelled.
    package func serve(host: String, port: Int, logger: Logger) async throws {
        let app = Application(
            router: router(), configuration: .init(address: .hostname(host, port: port)), logger: logger)
        try await app.runService()
    }
}

/// Any JSON value: how the fake reads a request's fields before checking them, as Notify's
/// schema validation does.
enum JSONValue: Decodable, Equatable, Sendable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// The value as Notify shows it in an error message.
    var text: String {
        switch self {
        case .string(let text): text
        case .number(let number):
            number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case .bool(let value): value ? "True" : "False"
        case .null: "None"
        case .array(let values): "[" + values.map(\.text).joined(separator: ", ") + "]"
        case .object(let values):
            "{" + values.map { "\($0.key): \($0.value.text)" }.sorted().joined(separator: ", ") + "}"
        }
    }

    /// The value as it fills a placeholder: a list becomes bullets, as in Notify.
    var personalisationText: String {
        if case .array(let values) = self {
            return "\n\n" + values.map { "* \($0.text)" }.joined(separator: "\n") + "\n"
        }
        return text
    }
}
