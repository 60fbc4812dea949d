import Foundation
import PeelCore

/// One HTTP exchange with Notify. PeelNotify does not speak HTTP itself: PeelApp gives it a
/// transport over AsyncHTTPClient, and tests may give it one of their own.
package protocol NotifyTransport: Sendable {
    /// Performs the request. Throws only when there was no answer (no connection, a timeout).
    func perform(_ request: NotifyHTTPRequest) async throws -> NotifyHTTPResponse
}

package struct NotifyHTTPRequest: Sendable, Hashable {
    package var method: String
    package var url: String
    package var headers: [String: String]
    package var body: Data?

    package init(method: String, url: String, headers: [String: String], body: Data?) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

package struct NotifyHTTPResponse: Sendable, Hashable {
    package var status: Int
    package var body: Data

    package init(status: Int, body: Data) {
        self.status = status
        self.body = body
    }
}

/// GOV.UK Notify's API v2: email and text messages from Peel's templates, each request signed
/// with a fresh token from the service's API key.
package struct GOVUKNotifyClient: NotifyClient {
    package static let defaultURL = "https://api.notifications.service.gov.uk"

    let key: NotifyAPIKey
    let baseURL: String
    let templates: NotifyTemplateCatalogue
    let transport: any NotifyTransport
    let now: @Sendable () -> Date

    package init(
        key: NotifyAPIKey, baseURL: String = GOVUKNotifyClient.defaultURL,
        templates: NotifyTemplateCatalogue = .standard,
        transport: any NotifyTransport, now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.key = key
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.templates = templates
        self.transport = transport
        self.now = now
    }

    /// `POST /v2/notifications/email` or `/sms`: Notify answers 201 with the notification's id.
    package func send(_ request: NotificationRequest) async throws -> SentNotification {
        guard let template = templates.template(request.template, channel: request.channel, language: request.language)
        else {
            throw NotifyError.noTemplate(request.template, request.channel)
        }
        let body = NotifyWire.SendRequest(
            channel: request.channel, recipient: request.recipient, templateID: template.id,
            personalisation: request.personalisation, reference: request.reference)
        let data = try await exchange(
            "POST", "/v2/notifications/\(request.channel.rawValue)", body: try JSONEncoder().encode(body))
        let answer = try decode(NotifyWire.SendResponse.self, from: data)
        return SentNotification(id: answer.id, reference: answer.reference, status: .created)
    }

    /// `GET /v2/notifications?reference=…`: the newest notification with the reference, if
    /// Notify still keeps one (it keeps them for its retention period, 7 days by default).
    package func find(reference: String) async throws -> SentNotification? {
        let data = try await exchange("GET", "/v2/notifications?reference=\(Self.queryEscaped(reference))", body: nil)
        let list = try decode(NotifyWire.NotificationList.self, from: data)
        return list.notifications.first { $0.reference == reference }.map(\.sent)
    }

    /// `GET /v2/notifications/{id}`.
    package func notification(id: String) async throws -> SentNotification {
        let data = try await exchange("GET", "/v2/notifications/\(Self.queryEscaped(id))", body: nil)
        return try decode(NotifyWire.Notification.self, from: data).sent
    }

    private func exchange(_ method: String, _ path: String, body: Data?) async throws -> Data {
        var headers = [
            "Authorization": "Bearer \(NotifyToken.make(key, now: now()))",
            "User-Agent": "peel",
        ]
        if body != nil { headers["Content-Type"] = "application/json" }
        let response: NotifyHTTPResponse
        do {
            response = try await transport.perform(
                NotifyHTTPRequest(method: method, url: baseURL + path, headers: headers, body: body))
        } catch {
            throw NotifyError.unreachable(String(describing: error))
        }
        guard (200..<300).contains(response.status) else {
            if let failure = try? JSONDecoder().decode(NotifyErrorBody.self, from: response.body) {
                throw NotifyError.rejected(status: response.status, errors: failure.errors)
            }
            throw NotifyError.rejected(
                status: response.status,
                errors: [
                    NotifyAPIError(
                        error: "HTTPError", message: String(decoding: response.body.prefix(500), as: UTF8.self))
                ])
        }
        return response.body
    }

    private func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw NotifyError.unreadable(status: 200, body: String(decoding: data.prefix(500), as: UTF8.self))
        }
    }

    /// Text as a query value: everything but letters, digits and `-._~` percent-encoded.
    package static func queryEscaped(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// Notify's request and answer bodies, as the client sends and reads them and `peel fake-notify`
/// reads and writes them. Optional fields are written as `null`, as Notify writes them.
package enum NotifyWire {
    package struct SendRequest: Encodable {
        let channel: NotificationChannel
        let recipient: String
        let templateID: String
        let personalisation: [String: String]
        let reference: String

        enum CodingKeys: String, CodingKey {
            case emailAddress = "email_address"
            case phoneNumber = "phone_number"
            case templateID = "template_id"
            case personalisation, reference
        }

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(recipient, forKey: channel == .email ? .emailAddress : .phoneNumber)
            try container.encode(templateID, forKey: .templateID)
            try container.encode(personalisation, forKey: .personalisation)
            try container.encode(reference, forKey: .reference)
        }
    }

    package struct TemplateReference: Codable, Sendable, Hashable {
        package var id: String
        package var version: Int
        package var uri: String

        package init(id: String, version: Int, uri: String) {
            self.id = id
            self.version = version
            self.uri = uri
        }
    }

    /// The 201 answer to a send.
    package struct SendResponse: Codable, Sendable {
        package struct Content: Codable, Sendable {
            package var subject: String?
            package var body: String
            package var fromEmail: String?
            package var fromNumber: String?

            enum CodingKeys: String, CodingKey {
                case subject, body
                case fromEmail = "from_email"
                case fromNumber = "from_number"
            }

            package init(subject: String?, body: String, fromEmail: String?, fromNumber: String?) {
                self.subject = subject
                self.body = body
                self.fromEmail = fromEmail
                self.fromNumber = fromNumber
            }

            package func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(body, forKey: .body)
                if let fromNumber {
                    try container.encode(fromNumber, forKey: .fromNumber)
                } else {
                    try container.encode(subject, forKey: .subject)
                    try container.encode(fromEmail, forKey: .fromEmail)
                }
            }
        }

        package var id: String
        package var reference: String?
        package var content: Content
        package var uri: String
        package var template: TemplateReference

        package init(id: String, reference: String?, content: Content, uri: String, template: TemplateReference) {
            self.id = id
            self.reference = reference
            self.content = content
            self.uri = uri
            self.template = template
        }

        enum CodingKeys: String, CodingKey { case id, reference, content, uri, template }

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(reference, forKey: .reference)
            try container.encode(content, forKey: .content)
            try container.encode(uri, forKey: .uri)
            try container.encode(template, forKey: .template)
        }
    }

    /// One notification, as `GET /v2/notifications/{id}` answers.
    package struct Notification: Codable, Sendable {
        package var id: String
        package var reference: String?
        package var emailAddress: String?
        package var phoneNumber: String?
        package var type: String
        package var status: String
        package var template: TemplateReference
        package var body: String
        package var subject: String?
        package var createdAt: String
        package var sentAt: String?
        package var completedAt: String?

        package init(
            id: String, reference: String?, emailAddress: String?, phoneNumber: String?, type: String, status: String,
            template: TemplateReference, body: String, subject: String?, createdAt: String, sentAt: String?,
            completedAt: String?
        ) {
            self.id = id
            self.reference = reference
            self.emailAddress = emailAddress
            self.phoneNumber = phoneNumber
            self.type = type
            self.status = status
            self.template = template
            self.body = body
            self.subject = subject
            self.createdAt = createdAt
            self.sentAt = sentAt
            self.completedAt = completedAt
        }

        enum CodingKeys: String, CodingKey {
            case id, reference, type, status, template, body, subject, postage, postcode
            case emailAddress = "email_address"
            case phoneNumber = "phone_number"
            case line1 = "line_1"
            case line2 = "line_2"
            case line3 = "line_3"
            case line4 = "line_4"
            case line5 = "line_5"
            case line6 = "line_6"
            case createdAt = "created_at"
            case createdByName = "created_by_name"
            case sentAt = "sent_at"
            case completedAt = "completed_at"
            case scheduledFor = "scheduled_for"
            case oneClickUnsubscribe = "one_click_unsubscribe"
            case isCostDataReady = "is_cost_data_ready"
            case costInPounds = "cost_in_pounds"
            case costDetails = "cost_details"
        }

        package init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decode(String.self, forKey: .id)
            reference = try container.decodeIfPresent(String.self, forKey: .reference)
            emailAddress = try container.decodeIfPresent(String.self, forKey: .emailAddress)
            phoneNumber = try container.decodeIfPresent(String.self, forKey: .phoneNumber)
            type = try container.decode(String.self, forKey: .type)
            status = try container.decode(String.self, forKey: .status)
            template = try container.decode(TemplateReference.self, forKey: .template)
            body = try container.decode(String.self, forKey: .body)
            subject = try container.decodeIfPresent(String.self, forKey: .subject)
            createdAt = try container.decode(String.self, forKey: .createdAt)
            sentAt = try container.decodeIfPresent(String.self, forKey: .sentAt)
            completedAt = try container.decodeIfPresent(String.self, forKey: .completedAt)
        }

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(reference, forKey: .reference)
            try container.encode(emailAddress, forKey: .emailAddress)
            try container.encode(phoneNumber, forKey: .phoneNumber)
            for line in [CodingKeys.line1, .line2, .line3, .line4, .line5, .line6, .postcode, .postage] {
                try container.encodeNil(forKey: line)
            }
            try container.encode(type, forKey: .type)
            try container.encode(status, forKey: .status)
            try container.encode(template, forKey: .template)
            try container.encode(body, forKey: .body)
            try container.encode(subject, forKey: .subject)
            try container.encode(createdAt, forKey: .createdAt)
            try container.encodeNil(forKey: .createdByName)
            try container.encode(sentAt, forKey: .sentAt)
            try container.encode(completedAt, forKey: .completedAt)
            try container.encodeNil(forKey: .scheduledFor)
            try container.encodeNil(forKey: .oneClickUnsubscribe)
            try container.encode(true, forKey: .isCostDataReady)
            try container.encode(0.0, forKey: .costInPounds)
            try container.encode([String: String](), forKey: .costDetails)
        }

        /// The notification as the client gives it back.
        package var sent: SentNotification {
            SentNotification(id: id, reference: reference, status: NotificationStatus(rawValue: status) ?? .created)
        }
    }

    /// `GET /v2/notifications`: a page of notifications, newest first, with links.
    package struct NotificationList: Codable, Sendable {
        package struct Links: Codable, Sendable {
            package var current: String
            package var next: String?

            package init(current: String, next: String?) {
                self.current = current
                self.next = next
            }
        }

        package var notifications: [Notification]
        package var links: Links

        package init(notifications: [Notification], links: Links) {
            self.notifications = notifications
            self.links = links
        }
    }
}
