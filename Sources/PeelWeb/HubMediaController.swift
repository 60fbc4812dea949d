import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PeelAuth
import PeelCore
import PeelHub

/// Where records systems download a report's evidence files (`GET /api/v1/hub/{force}/media/{file}`),
/// by the signed, expiring links the records document carries (``MediaLink``). The bytes go out
/// as an attachment that is not cached and not sniffed; each download is written to the force's
/// audit log with the file's id. Every refusal is JSON with a code and a message, and is logged.
struct HubMediaController {
    let hub: any HubRepository
    let forces: any ForceRepository
    let reports: any ReportRepository
    let secrets: SecretBox
    let audit: any AuditLog
    let now: @Sendable () -> Date

    func addRoutes(to router: Router<PeelRequestContext>) {
        router.get(RouterPath(MediaLink.routePattern)) { request, context in
            guard let text = context.parameters.get("force"), let force = ForceID(validating: text),
                try await forces.find(force) != nil
            else {
                return refuse(.notFound, "unknown_force", "There is no force with that id.", context)
            }
            let fileID = context.parameters.get("file") ?? ""
            let key = try MediaLink.key(for: try await hub.endpoint(for: force), force: force, secrets: secrets)
            let query = request.uri.queryParameters
            if let failure = MediaLink.verify(
                force: force, fileID: fileID, expires: query.get("expires"), signature: query.get("signature"),
                key: key, now: now())
            {
                return refuse(failure == .expired ? .gone : .forbidden, failure.code, failure.description, context)
            }
            // A link signed for this force names only this force's files: the signature proves who
            // made the link, the lookup by force keeps another force's files out of reach.
            guard let file = try await reports.file(fileID, force: force), let reportID = file.reportID else {
                return refuse(.notFound, "media_not_found", "This force has no evidence file with that id.", context)
            }
            try await audit.append(
                AuditRecord(
                    forceID: force, actorID: nil, action: "hub.media.download", subject: "report:\(reportID)",
                    detail: "evidence file \(file.id) (\(file.size) bytes) downloaded by signed link"),
                at: now())
            var response = Response.body(
                ByteBuffer(bytes: file.content), contentType: file.contentType, cacheControl: "no-store")
            response.headers[.contentDisposition] = Self.attachment(file.fileName)
            response.headers[.xContentTypeOptions] = "nosniff"
            return response
        }
    }

    /// `Content-Disposition` for a download named `name`: a plain ASCII name for every client and
    /// the exact name in UTF-8 (RFC 6266) for those that read it.
    static func attachment(_ name: String) -> String {
        let plain = String(
            name.unicodeScalars.map {
                $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "\\" ? Character($0) : "_"
            })
        let allowed = CharacterSet(
            charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~")
        let encoded = name.addingPercentEncoding(withAllowedCharacters: allowed) ?? plain
        return "attachment; filename=\"\(plain)\"; filename*=UTF-8''\(encoded)"
    }

    private func refuse(_ status: HTTPResponse.Status, _ code: String, _ message: String, _ context: PeelRequestContext)
        -> Response
    {
        context.logger.warning("media download refused", metadata: ["code": "\(code)", "status": "\(status.code)"])
        return APIError.response(status, code: code, message: message)
    }
}
