import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PeelCore

/// The request context of every route: the request id, the page language, the CSRF token, and
/// (between the force resolver and a force route) the resolved force.
package struct PeelRequestContext: RequestContext {
    package var coreContext: CoreRequestContextStorage
    package var requestID: String = ""
    package var language: Language = .english
    package var csrfToken: String = ""
    /// Set by ``ForceResolverMiddleware`` for the routes of a force's site.
    package var resolvedForce: Force?
    /// The posted form, when the CSRF check had to read it, so that handlers do not read it again.
    var postedForm: PostedForm?
    /// Set by ``StaffSessionMiddleware`` on staff routes when the request carries a live session.
    var staffSession: StaffIdentity?
    /// Set by ``PortalSessionMiddleware`` on MyPolice routes when the request carries a live session.
    var citizenSession: CitizenIdentity?
    /// The address the request came from (the connection's peer, or the proxy's
    /// `X-Forwarded-For` when Peel is told to trust it), for per-client limits.
    var clientAddress: String

    package init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }
}

/// The request context of a force's site: the force is not optional, so a handler registered
/// here cannot run without one.
package struct ForceRequestContext: ChildRequestContext {
    package typealias ParentContext = PeelRequestContext
    package var coreContext: CoreRequestContextStorage
    package let requestID: String
    package let language: Language
    package let csrfToken: String
    package let force: Force
    let postedForm: PostedForm?
    let staffSession: StaffIdentity?
    let citizenSession: CitizenIdentity?
    let clientAddress: String

    package init(context: PeelRequestContext) throws {
        guard let force = context.resolvedForce else {
            // Only reachable if a route is registered outside the resolver's group.
            throw HTTPError(.notFound)
        }
        self.coreContext = context.coreContext
        self.requestID = context.requestID
        self.language = context.language
        self.csrfToken = context.csrfToken
        self.force = force
        self.postedForm = context.postedForm
        self.staffSession = context.staffSession
        self.citizenSession = context.citizenSession
        self.clientAddress = context.clientAddress
    }
}

/// Raised when a force id in the address is malformed or unknown; rendered as a force-specific
/// "not found" page.
package struct ForceNotFound: Error {}

/// A request context that may carry the form the CSRF check already read, so that a handler
/// never reads the body twice.
protocol CarriesPostedForm {
    var postedForm: PostedForm? { get }
}

extension CarriesPostedForm {
    /// The posted form, files included: as the CSRF check read it, or read here when a header
    /// carried the token.
    func formWithFiles(_ request: Request) async throws -> PostedForm {
        if let postedForm { return postedForm }
        var request = request
        return try await PostedForm.read(&request) ?? PostedForm()
    }

    /// The posted form's fields.
    func form(_ request: Request) async throws -> [String: [String]] {
        try await formWithFiles(request).fields
    }
}

extension ForceRequestContext: CarriesPostedForm {}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}

extension Request {
    /// The client's address for per-client limits: the connection's `peer`, or, behind a proxy
    /// Peel trusts, the last `X-Forwarded-For` entry (the one that proxy added).
    func clientAddress(peer: String, trustForwardedFor: Bool) -> String {
        if trustForwardedFor, let forwarded = headers[.xForwardedFor],
            let last = forwarded.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !last.isEmpty
        {
            return last
        }
        return peer
    }
}
