import Foundation
import PeelAuth
import PeelCore

/// Signed, expiring links to a report's evidence files, as the records document carries them
/// (`docs/integration/README.md`, decision 0020):
///
///     GET {PEEL_PUBLIC_URL}/api/v1/hub/{force}/media/{fileID}?expires=1795430400&signature=5f1c…(64 hex digits)
///
/// `signature` is the hex HMAC-SHA256 of `"{force}.{fileID}.{expires}"`, keyed with the force's
/// records-system shared secret or, for a force without one (file drop, email), with a key
/// derived from the node's key. Peel makes links and checks them here, with the same code.
package enum MediaLink {
    /// How long a link works after the document is sent: a week.
    package static let lifetime: TimeInterval = 7 * 86_400
    /// The route, with its parameters.
    package static let routePattern = "/api/v1/hub/:force/media/:file"

    package enum Failure: Error, Hashable, CustomStringConvertible {
        case malformed
        case mismatch
        case expired

        /// The API error code.
        package var code: String {
            switch self {
            case .malformed: "link_malformed"
            case .mismatch: "signature_mismatch"
            case .expired: "link_expired"
            }
        }

        package var description: String {
            switch self {
            case .malformed: "A media link needs expires (whole seconds since 1970) and signature (64 hex digits)."
            case .mismatch: "The signature does not match this force, file and expiry."
            case .expired: "This media link has expired. Links work for seven days after the report is sent."
            }
        }
    }

    /// The key the links of `force` are signed with: the standard API's shared secret when the
    /// force has one, otherwise a key derived from the node's key for the force.
    package static func key(for endpoint: HubEndpoint?, force: ForceID, secrets: SecretBox) throws -> [UInt8] {
        if let endpoint, endpoint.adapter == .standardAPI, let sealed = endpoint.sealedSecret {
            return try secrets.open(sealed)
        }
        return secrets.derivedKey(for: "peel media links v1 \(force.rawValue)")
    }

    /// The hex signature of the link to `fileID` of `force` working until `expires`.
    package static func signature(force: ForceID, fileID: String, expires: Int64, key: [UInt8]) -> String {
        HubSignature.mac(Data("\(force.rawValue).\(fileID).\(expires)".utf8), secret: key)
    }

    /// The route's path for one file.
    package static func path(force: ForceID, fileID: String) -> String {
        routePattern.replacingOccurrences(of: ":force", with: force.rawValue).replacingOccurrences(
            of: ":file", with: fileID)
    }

    /// The whole link, under Peel's public address.
    package static func url(base: String, force: ForceID, fileID: String, expires: Int64, key: [UInt8]) -> String {
        let signature = signature(force: force, fileID: fileID, expires: expires, key: key)
        return base.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path(force: force, fileID: fileID)
            + "?expires=\(expires)&signature=\(signature)"
    }

    /// Checks a link as received: well formed, signed with `key` (compared in constant time),
    /// then not expired, so that only a link Peel made is ever told it has expired. Returns why
    /// it is refused, or nil for a good link.
    package static func verify(
        force: ForceID, fileID: String, expires: String?, signature: String?, key: [UInt8], now: Date
    ) -> Failure? {
        guard let expires, let signature, let seconds = Int64(expires), HubSignature.isHex(signature, count: 64) else {
            return .malformed
        }
        let expected = self.signature(force: force, fileID: fileID, expires: seconds, key: key)
        guard constantTimeEquals(expected, signature.lowercased()) else { return .mismatch }
        guard Double(seconds) > now.timeIntervalSince1970 else { return .expired }
        return nil
    }
}
