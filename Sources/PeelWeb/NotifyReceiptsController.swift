import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PeelCore

/// What the delivery-receipt endpoint needs: where notifications are kept, and the bearer token
/// GOV.UK Notify was given for its callbacks (none: the endpoint answers 503).
package struct NotifyReceipts: Sendable {
    package var notifications: any NotificationRepository
    package var token: String?

    package init(notifications: any NotificationRepository, token: String?) {
        self.notifications = notifications
        self.token = token
    }
}

/// `POST /api/v1/notify/receipts`: GOV.UK Notify's delivery receipts, with the callback token as
/// `Authorization: Bearer …`. A receipt sets the notification's status; the same receipt again
/// changes nothing. Refusals are JSON with a code and a message, and are logged.
///
/// With no token configured the endpoint answers 503: Notify retries a callback that failed
/// with a server error (every 5 minutes, 5 times), so receipts sent while an operator sets the
/// token are not lost, where a 404 would drop them (decision 0021).
struct NotifyReceiptsController {
    let receipts: NotifyReceipts
    let now: @Sendable () -> Date

    static let path = "/api/v1/notify/receipts"

    func addRoutes(to router: Router<PeelRequestContext>) {
        router.post(RouterPath(Self.path)) { request, context in
            guard let token = receipts.token else {
                return refuse(
                    .serviceUnavailable, "receipts_not_configured",
                    "Peel takes no delivery receipts until PEEL_NOTIFY_CALLBACK_TOKEN is set.", context)
            }
            guard let given = Self.bearer(request.headers[.authorization]), constantTimeEquals(given, token) else {
                return refuse(
                    .unauthorized, "unauthorized",
                    "The request must carry the callback token as Authorization: Bearer.", context)
            }
            let body = try await request.body.collect(upTo: 64 << 10)
            guard
                let receipt = try? JSONDecoder().decode(NotifyDeliveryReceipt.self, from: Data(body.readableBytesView))
            else {
                return refuse(
                    .badRequest, "receipt_malformed", "The body must be a GOV.UK Notify delivery receipt.", context)
            }
            guard let status = receipt.receiptStatus else {
                return refuse(
                    .badRequest, "receipt_invalid",
                    "A receipt's status is delivered, permanent-failure, temporary-failure or technical-failure, not '\(receipt.status)'.",
                    context)
            }
            switch try await receipts.notifications.applyReceipt(
                notifyID: receipt.id.lowercased(), status: status, at: receipt.statusTime ?? now())
            {
            case .applied:
                return try Response.json(["status": "applied"], cacheControl: "no-store")
            case .stale:
                return try Response.json(["status": "unchanged"], cacheControl: "no-store")
            case .unknown:
                return refuse(
                    .notFound, "unknown_notification", "Peel sent no notification with the id \(receipt.id).", context)
            }
        }
    }

    /// The token of an `Authorization: Bearer …` header.
    static func bearer(_ header: String?) -> String? {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        return String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    }

    private func refuse(_ status: HTTPResponse.Status, _ code: String, _ message: String, _ context: PeelRequestContext)
        -> Response
    {
        context.logger.warning("delivery receipt refused", metadata: ["code": "\(code)", "status": "\(status.code)"])
        return APIError.response(status, code: code, message: message)
    }
}
