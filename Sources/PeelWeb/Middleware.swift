import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PeelAuth
import PeelCore

extension HTTPField.Name {
    static let requestID = Self("X-Request-ID")!
    static let csrfToken = Self("X-CSRF-Token")!
    static let contentSecurityPolicy = Self("Content-Security-Policy")!
    static let xFrameOptions = Self("X-Frame-Options")!
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let permissionsPolicy = Self("Permissions-Policy")!
    static let strictTransportSecurity = Self("Strict-Transport-Security")!
    static let crossOriginOpenerPolicy = Self("Cross-Origin-Opener-Policy")!
}

/// Whether `text` is ASCII letters and digits, plus the characters in `extra`.
func isToken(_ text: String, alsoAllowing extra: String) -> Bool {
    let allowed = Set(extra.utf8)
    return text.utf8.allSatisfy { byte in
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || allowed.contains(byte)
    }
}

/// Gives every request an id: the caller's `X-Request-ID` when it is a safe token, otherwise a
/// new one. The id is in every log line of the request and in the response's `X-Request-ID`.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = PeelRequestContext

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        let id = request.headers[.requestID].flatMap { Self.isSafe($0) ? $0 : nil } ?? Self.generate()
        context.requestID = id
        context.logger[metadataKey: "request_id"] = "\(id)"
        var response = try await next(request, context)
        response.headers[.requestID] = id
        return response
    }

    static func isSafe(_ id: String) -> Bool {
        (8...64).contains(id.utf8.count) && isToken(id, alsoAllowing: "-")
    }

    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let hex = String(generator.next() as UInt64, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// Counts and times every request for `/metrics`, and writes one access-log line per request
/// with its request id and, on a force's site, the force id.
struct ObservabilityMiddleware: RouterMiddleware {
    typealias Context = PeelRequestContext
    let metrics: WebMetrics

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        let status: Int
        let response: Response
        do {
            response = try await next(request, context)
            status = response.status.code
        } catch {
            metrics.record(method: request.method, route: route(context), status: 500, duration: .now - start)
            throw error
        }
        let route = route(context)
        let duration = ContinuousClock.now - start
        metrics.record(method: request.method, route: route, status: status, duration: duration)
        let level: Logger.Level = status >= 500 ? .error : .info
        // Nothing more to do when the line would not be written (the access log off).
        guard context.logger.logLevel <= level else { return response }
        var logger = context.logger
        if let force = context.parameters.get(SiteURL.forceParameter).flatMap(ForceID.init(validating:)) {
            logger[metadataKey: "force_id"] = "\(force)"
        }
        logger.log(
            level: level, "request",
            metadata: [
                "method": "\(request.method)", "path": "\(request.uri.path)", "route": "\(route)",
                "status": "\(status)", "duration_ms": "\(String(format: "%.2f", duration.timeInterval * 1000))",
            ])
        return response
    }

    private func route(_ context: Context) -> String {
        context.endpointPath ?? "NotFound"
    }
}

/// The headers every response carries. No page runs script, so the policy allows none.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = PeelRequestContext
    /// Whether Peel is served over TLS (directly or behind a proxy); adds HSTS.
    let servedOverTLS: Bool

    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
        + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xFrameOptions] = "DENY"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "strict-origin-when-cross-origin"
        response.headers[.permissionsPolicy] = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
        response.headers[.crossOriginOpenerPolicy] = "same-origin"
        if servedOverTLS {
            response.headers[.strictTransportSecurity] = "max-age=31536000; includeSubDomains"
        }
        return response
    }
}

/// Chooses the page language: `?lang=` (remembered in a cookie), then the cookie, then
/// `Accept-Language`, then English.
struct LanguageMiddleware: RouterMiddleware {
    typealias Context = PeelRequestContext
    static let cookieName = "peel_lang"
    let secureCookies: Bool

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        let chosen = request.uri.queryParameters["lang"].flatMap { Language(rawValue: String($0)) }
        let remembered = request.cookie(Self.cookieName).flatMap { Language(rawValue: $0) }
        let accepted = request.headers[.acceptLanguage].flatMap(Language.preferred(fromAcceptLanguage:))
        context.language = chosen ?? remembered ?? accepted ?? .english
        var response = try await next(request, context)
        if let chosen, chosen != remembered {
            response.setCookie(
                Cookie(
                    name: Self.cookieName, value: chosen.rawValue, maxAge: 365 * 24 * 3600, path: "/",
                    secure: secureCookies, httpOnly: true, sameSite: .lax))
        }
        response.headers.append(HTTPField(name: .vary, value: "Accept-Language, Cookie"))
        return response
    }
}

/// Protects every state-changing request with a double-submit token: a random token in a
/// same-site cookie that each form repeats in a `csrf_token` field (or an `X-CSRF-Token` header).
/// A POST, PUT, PATCH or DELETE whose token is missing or different is refused with 403, except
/// records systems' signed callbacks under `/api/v1/hub/`, which carry no cookies, and the public
/// data.police.uk API under `/data-api/`, which changes nothing.
struct CSRFMiddleware: RouterMiddleware {
    typealias Context = PeelRequestContext
    static let cookieName = "peel_csrf"
    static let fieldName = "csrf_token"
    /// Machine-to-machine requests that carry a signature or a bearer token rather than a CSRF
    /// token: records systems' callbacks, and GOV.UK Notify's delivery receipts.
    static let signedPrefixes = ["/api/v1/hub/", "/api/v1/notify/"]
    /// The public data API takes form POSTs from any client, and changes nothing.
    static let dataAPIPrefix = "/data-api/"
    let secureCookies: Bool

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        let existing = request.cookie(Self.cookieName)
        let cookieToken = existing.flatMap { Self.isWellFormed($0) ? $0 : nil }
        context.csrfToken = cookieToken ?? Self.generate()
        var request = request
        // Records systems and Notify call back without cookies; their requests are signed instead.
        if [.post, .put, .patch, .delete].contains(request.method), !Self.signedPrefixes.contains(where: request.uri.path.hasPrefix),
            !request.uri.path.hasPrefix(Self.dataAPIPrefix)
        {
            guard let cookieToken else { throw CSRFRejected() }
            var submitted = request.headers[.csrfToken]
            if submitted == nil, let form = try await PostedForm.read(&request) {
                context.postedForm = form
                submitted = form.fields[Self.fieldName]?.first
            }
            guard let submitted, constantTimeEquals(submitted, cookieToken) else { throw CSRFRejected() }
        }
        var response = try await next(request, context)
        // Only pages carry forms; health checks and assets need no token.
        if cookieToken == nil, response.headers[.contentType]?.hasPrefix("text/html") == true {
            response.setCookie(
                Cookie(
                    name: Self.cookieName, value: context.csrfToken, path: "/", secure: secureCookies, httpOnly: true,
                    sameSite: .lax))
        }
        return response
    }

    /// A CSRF token is a bearer token like a session id: 256 random bits, base64url.
    static func generate() -> String { Tokens.generate() }

    static func isWellFormed(_ token: String) -> Bool { Tokens.isWellFormed(token) }

}

/// A state-changing request whose CSRF token did not match.
struct CSRFRejected: Error {}

/// Resolves the force named in the address for a force's site, or answers with the force
/// "not found" page. Adds the force id to the request's log metadata.
struct ForceResolverMiddleware: RouterMiddleware {
    typealias Context = PeelRequestContext
    let forces: any ForceRepository

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let text = context.parameters.get(SiteURL.forceParameter),
            let id = ForceID(validating: text),
            let force = try await forces.find(id)
        else { throw ForceNotFound() }
        var context = context
        context.resolvedForce = force
        context.logger[metadataKey: "force_id"] = "\(force.id)"
        return try await next(request, context)
    }
}

/// Turns every error into a page in the request's language: a helpful 404, a 403 for a failed
/// form check, and for anything unexpected a 500 that shows a reference and never internals.
struct ErrorPageMiddleware: RouterMiddleware {
    typealias Context = PeelRequestContext
    let pages: PageRenderer

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let kind: ErrorPage.Kind
            switch error {
            case is ForceNotFound:
                kind = .forceNotFound
            case is CSRFRejected:
                kind = .forbidden
            case is StaffForbidden:
                kind = .noAccess
            case let missing as JourneyMissing:
                return redirect(to: missing.start)
            case let error as HTTPError:
                switch error.status {
                case .notFound: kind = .notFound
                case .serviceUnavailable: kind = .unavailable
                default:
                    if error.status.code >= 500 {
                        context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
                    }
                    kind = error.status.code >= 500 ? .serverError : .other(error.status)
                }
            default:
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
                kind = .serverError
            }
            let page = ErrorPage(
                kind: kind, layout: pages.layout(for: context, request: request), pages: pages,
                requestID: context.requestID)
            return pages.response(page, template: "error", status: kind.status)
        }
    }
}

extension Request {
    /// The value of the cookie `name` the browser sent (the first, when it sent several), read
    /// straight from the `Cookie` headers: a page asks for three or four cookies, and building
    /// every cookie with its attributes for each question was a fortieth of a page's time.
    func cookie(_ name: String) -> String? {
        for field in headers where field.name == .cookie {
            for pair in field.value.utf8.split(separator: UInt8(ascii: ";")) {
                let trimmed = pair.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
                guard let equals = trimmed.firstIndex(of: UInt8(ascii: "=")),
                    trimmed[..<equals].elementsEqual(name.utf8)
                else { continue }
                return String(Substring(trimmed[trimmed.index(after: equals)...]))
            }
        }
        return nil
    }
}
