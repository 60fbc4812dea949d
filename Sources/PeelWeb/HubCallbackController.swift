import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PeelAuth
import PeelCore
import PeelHub

/// Where records systems call Peel back (`POST /api/v1/hub/{force}/callbacks`), signed as Peel
/// signs what it sends them: their reference, status changes, officer in charge and outcome,
/// which appear on the report's timeline. Every refusal is JSON with a code and a message, and
/// is logged.
struct HubCallbackController {
    let hub: any HubRepository
    let forces: any ForceRepository
    let secrets: SecretBox
    let replays = ReplayGuard()
    let now: @Sendable () -> Date

    static let path = "/api/v1/hub/:force/callbacks"

    func addRoutes(to router: Router<PeelRequestContext>) {
        router.post(RouterPath(Self.path)) { request, context in
            guard let text = context.parameters.get("force"), let id = ForceID(validating: text),
                try await forces.find(id) != nil, let endpoint = try await hub.endpoint(for: id),
                endpoint.adapter == .standardAPI, let sealed = endpoint.sealedSecret
            else {
                return refuse(.notFound, "unknown_force", "No force with that id takes records-system callbacks.", context)
            }
            let body = try await request.body.collect(upTo: 64 << 10)
            let bytes = Array(body.readableBytesView)
            let verified = HubSignature.verify(
                bytes, timestamp: request.headers[HTTPField.Name(HubSignature.timestampHeader)!],
                signature: request.headers[HTTPField.Name(HubSignature.signatureHeader)!], secret: try secrets.open(sealed),
                now: now())
            switch verified {
            case .failure(let failure):
                return refuse(.unauthorized, failure.code, failure.description, context)
            case .success(let signature):
                guard replays.accept(signature, now: now()) else {
                    let failure = HubSignature.Failure.replayed
                    return refuse(.unauthorized, failure.code, failure.description, context)
                }
            }
            guard let callback = try? JSONDecoder().decode(RecordsCallback.self, from: Data(bytes)) else {
                return refuse(.badRequest, "callback_malformed", "The body must be a callback: peelReference, sequence and what changed.", context)
            }
            if let problem = callback.problem { return refuse(.badRequest, "callback_invalid", problem, context) }
            switch try await hub.apply(callback, force: id, at: now()) {
            case .applied:
                return try Response.json(["status": "applied"], cacheControl: "no-store")
            case .unknownReference:
                return refuse(.notFound, "unknown_reference", "There is no report \(callback.peelReference) in this force.", context)
            case .outOfOrder(let last):
                return refuse(
                    .conflict, "out_of_order", "Message \(callback.sequence) arrived after message \(last) was applied; it is not applied.",
                    context)
            }
        }
    }

    private func refuse(_ status: HTTPResponse.Status, _ code: String, _ message: String, _ context: PeelRequestContext) -> Response {
        context.logger.warning("records-system callback refused", metadata: ["code": "\(code)", "status": "\(status.code)"])
        return APIError.response(status, code: code, message: message)
    }
}
