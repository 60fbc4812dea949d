import Foundation
import Hummingbird
import Logging
import PeelCore
import PeelForms

/// The national pages: find your force, and the accessibility, privacy and cookies pages.
struct NationalController {
    let forces: any ForceRepository
    let pages: PageRenderer

    func addRoutes(to router: Router<PeelRequestContext>) {
        router.get(RouterPath(SiteURL.landing.path)) { request, context in
            let all = try await forces.all()
            let page = LandingPage(
                forces: all, query: request.uri.queryParameters["q"].map(String.init), language: context.language,
                layout: pages.layout(for: context, request: request), catalogue: pages.catalogue)
            return pages.response(page, template: "landing")
        }
        for (url, topic) in [
            (SiteURL.accessibility, InfoPage.Topic.accessibility), (.privacy, .privacy), (.cookies, .cookies),
        ] {
            router.get(RouterPath(url.path)) { request, context in
                let page = InfoPage(
                    topic: topic, language: context.language, layout: pages.layout(for: context, request: request),
                    catalogue: pages.catalogue)
                return pages.response(page, template: "info")
            }
        }
    }
}

/// A force's own site. Every route here has a resolved force in its context.
struct ForceSiteController {
    let content: any ForceContentRepository
    let pages: PageRenderer
    let offer: ServiceOffer

    func addRoutes(to group: RouterGroup<ForceRequestContext>) {
        group.get(SiteURL.ForceRoute.home) { request, context in
            let words = try await content.homeContent(for: context.force.id, language: context.language)
            let page = ForceHomePage(
                force: context.force, content: words, language: context.language,
                layout: pages.layout(for: context, request: request), catalogue: pages.catalogue,
                services: try await offer.offered(by: context.force))
            return pages.response(page, template: "force-home")
        }
        group.get(SiteURL.ForceRoute.stylesheet) { _, context in
            // Brand colours come from the registry and are validated there; only `#rrggbb`
            // reaches the stylesheet.
            let colour = BrandColour.isValid(context.force.definition.brandColour)
                ? context.force.definition.brandColour : BrandColour.fallback
            return Response.text(
                ":root { --brand: \(colour); }\n", contentType: "text/css; charset=utf-8", cacheControl: "public, max-age=300")
        }
    }
}

/// The rules for a force's brand colour.
package enum BrandColour {
    package static let fallback = "#1d3c78"

    package static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.count == 7 && bytes[0] == UInt8(ascii: "#")
            && bytes.dropFirst().allSatisfy {
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
            }
    }

    /// WCAG contrast ratio of the colour against white text.
    package static func contrastWithWhite(_ text: String) -> Double? {
        guard isValid(text) else { return nil }
        let hex = text.dropFirst()
        func channel(_ offset: Int) -> Double {
            let start = hex.index(hex.startIndex, offsetBy: offset)
            let value = Double(Int(hex[start..<hex.index(start, offsetBy: 2)], radix: 16) ?? 0) / 255
            return value <= 0.03928 ? value / 12.92 : pow((value + 0.055) / 1.055, 2.4)
        }
        let luminance = 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
        return 1.05 / (luminance + 0.05)
    }
}

/// Health checks, metrics and static assets.
struct OperationsController {
    let health: any HealthCheckable
    let jobs: any JobQueue
    let metrics: WebMetrics
    let stylesheet: ByteBuffer

    func addRoutes(to router: Router<PeelRequestContext>) {
        router.get(RouterPath(SiteURL.healthLive.path)) { _, _ in
            Self.json(.ok, #"{"status":"live"}"#)
        }
        router.get(RouterPath(SiteURL.healthReady.path)) { _, context in
            do {
                try await health.ping()
                return Self.json(.ok, #"{"status":"ready","database":"ok"}"#)
            } catch {
                context.logger.error("readiness check failed", metadata: ["error": "\(String(describing: error))"])
                return Self.json(.serviceUnavailable, #"{"status":"unavailable","database":"unreachable"}"#)
            }
        }
        router.get(RouterPath(SiteURL.metrics.path)) { _, context in
            do {
                metrics.update(queue: try await jobs.stats(now: Date()))
            } catch {
                context.logger.warning("job queue stats unavailable", metadata: ["error": "\(String(describing: error))"])
            }
            return Response.text(
                metrics.exposition(), contentType: "text/plain; version=0.0.4; charset=utf-8", cacheControl: "no-store")
        }
        router.get(RouterPath(SiteURL.stylesheet.path)) { _, _ in
            return Response.body(stylesheet, contentType: "text/css; charset=utf-8", cacheControl: "public, max-age=3600")
        }
    }

    static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response.text(body, contentType: "application/json", cacheControl: "no-store", status: status)
    }
}

/// `GET /api/v1/services?force={id}`: the force's services as JSON.
struct ServicesAPIController {
    let forces: any ForceRepository
    let offer: ServiceOffer

    struct ServiceEntry: Encodable {
        let id: String
        let version: Int
        let title: LocalisedText
        let availability: String
        let enabled: Bool
    }

    func addRoutes(to router: Router<PeelRequestContext>) {
        router.get(RouterPath(SiteURL.servicesAPI.path)) { request, _ in
            guard let text = request.uri.queryParameters["force"].map(String.init) else {
                return APIError.response(.badRequest, code: "force_required", message: "Give the force id: ?force=kent")
            }
            guard let id = ForceID(validating: text), let force = try await forces.find(id) else {
                return APIError.response(.notFound, code: "unknown_force", message: "There is no force with id '\(text)'.")
            }
            let enabled = try await offer.enabled(for: force)
            let wording = Dictionary(uniqueKeysWithValues: try await offer.offered(by: force).map { ($0.definition.id, $0.title) })
            let entries = offer.catalogue.services.map {
                ServiceEntry(
                    id: $0.id, version: $0.version, title: wording[$0.id] ?? $0.title, availability: $0.availability.rawValue,
                    enabled: enabled[$0.id] ?? false)
            }
            return try Response.json(ServicesResponse(force: force.id.rawValue, services: entries))
        }
    }

    struct ServicesResponse: Encodable {
        let force: String
        let services: [ServiceEntry]
    }
}

/// API errors: JSON with a code and a message.
enum APIError {
    static func response(_ status: HTTPResponse.Status, code: String, message: String) -> Response {
        (try? Response.json(["error": ["code": code, "message": message]], status: status))
            ?? Response.text("", contentType: "application/json", cacheControl: nil, status: status)
    }
}

/// `/_dev/mailbox`: what Peel would have sent, in demo mode.
struct MailboxController {
    let messages: any MessageRepository
    let pages: PageRenderer

    func addRoutes(to router: Router<PeelRequestContext>) {
        router.get(RouterPath(SiteURL.mailbox.path)) { request, context in
            let recent = try await messages.recent(limit: 100)
            let layout = pages.layout(for: context, request: request)
            let view = MailboxView(
                layout: layout.titled(pages.catalogue.text("mailboxTitle", context.language)),
                messages: recent.map {
                    .init(
                        to: $0.to, subject: $0.subject, body: $0.body.components(separatedBy: "\n\n"),
                        sentAt: $0.createdAt.formatted(.iso8601), isText: $0.channel == .sms)
                },
                hasMessages: !recent.isEmpty)
            return pages.response(view, template: "mailbox")
        }
        router.get(RouterPath(SiteURL.mailboxJSON.path)) { _, _ in
            struct Entry: Encodable { let id, channel, to, subject, body, sentAt: String; let force: String? }
            let recent = try await messages.recent(limit: 100)
            let entries = recent.map {
                Entry(
                    id: $0.id, channel: $0.channel.rawValue, to: $0.to, subject: $0.subject, body: $0.body,
                    sentAt: $0.createdAt.formatted(.iso8601), force: $0.forceID?.rawValue)
            }
            return try Response.json(entries, cacheControl: "no-store")
        }
    }
}
