import Crypto
import Foundation

/// A GOV.UK Notify API key: `{key_name}-{service id}-{secret}`, where the service id and the
/// secret are UUIDs. The name may itself contain hyphens, so the key is read from its end: the
/// last 36 characters are the secret, the 36 before the hyphen ahead of them the service id.
package struct NotifyAPIKey: Sendable, Hashable {
    package let name: String
    package let serviceID: String
    package let secret: String

    package init(serviceID: String, secret: String, name: String) {
        self.name = name
        self.serviceID = serviceID
        self.secret = secret
    }

    package init(parsing text: String) throws(NotifyAPIKeyError) {
        let key = Array(text.trimmingCharacters(in: .whitespacesAndNewlines))
        guard key.count >= 73 else { throw .tooShort }
        let secret = String(key[(key.count - 36)...])
        let service = String(key[(key.count - 73)..<(key.count - 37)])
        guard key[key.count - 37] == "-", key.count == 73 || key[key.count - 74] == "-" else { throw .malformed }
        guard UUID(uuidString: service) != nil else { throw .serviceID }
        guard UUID(uuidString: secret) != nil else { throw .secret }
        self.name = key.count > 73 ? String(key[..<(key.count - 74)]) : ""
        self.serviceID = service.lowercased()
        self.secret = secret.lowercased()
    }

    /// The whole key, as Notify shows it once when it is created.
    package var text: String { name.isEmpty ? "\(serviceID)-\(secret)" : "\(name)-\(serviceID)-\(secret)" }
}

/// Why text is not a Notify API key. None of these repeats the key.
package enum NotifyAPIKeyError: Error, CustomStringConvertible {
    case tooShort
    case malformed
    case serviceID
    case secret

    package var description: String {
        switch self {
        case .tooShort, .malformed: "is not a GOV.UK Notify API key: it must read key_name-service_id-secret"
        case .serviceID: "is not a GOV.UK Notify API key: the service id (the UUID before the secret) is not a UUID"
        case .secret: "is not a GOV.UK Notify API key: the secret (its last 36 characters) is not a UUID"
        }
    }
}

/// The JSON Web Token that authenticates each request to Notify: HS256, issued by the service,
/// at the time of the request (Notify refuses one more than 30 seconds from its clock).
package enum NotifyToken {
    /// How far a token's `iat` may be from the receiver's clock.
    package static let leeway: TimeInterval = 30

    /// A token for `key` issued at `now`.
    package static func make(_ key: NotifyAPIKey, now: Date) -> String {
        let header = Base64URL.encode(Data(#"{"typ":"JWT","alg":"HS256"}"#.utf8))
        let issued = Int(now.timeIntervalSince1970.rounded(.down))
        let payload = Base64URL.encode(Data(#"{"iss":"\#(key.serviceID)","iat":\#(issued)}"#.utf8))
        let input = "\(header).\(payload)"
        return "\(input).\(Base64URL.encode(signature(input, secret: key.secret)))"
    }

    /// Checks a token as Notify does: its shape and algorithm, its issuer (the service), its
    /// signature with `key`'s secret, and its time within ``leeway`` of `now`.
    package static func verify(_ token: String, key: NotifyAPIKey, now: Date) throws(NotifyTokenError) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Base64URL.decode(String(parts[0])),
            let header = try? JSONDecoder().decode(Header.self, from: headerData)
        else { throw .malformed }
        guard header.alg == "HS256" else { throw .algorithm }
        let claims = try claims(of: token)
        guard let issuer = claims.iss, !issuer.isEmpty else { throw .noIssuer }
        guard issuer.lowercased() == key.serviceID else { throw .unknownService }
        guard let given = Base64URL.decode(String(parts[2])),
            HMAC<SHA256>.isValidAuthenticationCode(
                given, authenticating: Data("\(parts[0]).\(parts[1])".utf8),
                using: SymmetricKey(data: Data(key.secret.utf8)))
        else { throw .signature }
        guard let issued = claims.iat else { throw .noIssuedAt }
        guard abs(now.timeIntervalSince1970 - issued) <= leeway else { throw .expired }
    }

    static func signature(_ input: String, secret: String) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: Data(secret.utf8))))
    }

    struct Header: Decodable { let alg: String? }
    struct Claims: Decodable {
        let iss: String?
        let iat: Double?
    }

    static func claims(of token: String) throws(NotifyTokenError) -> Claims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let data = Base64URL.decode(String(parts[1])),
            let claims = try? JSONDecoder().decode(Claims.self, from: data)
        else { throw .malformed }
        return claims
    }
}

/// Why Notify refuses a token, with the message Notify gives (an `AuthError`, 403).
package enum NotifyTokenError: Error, Hashable, CustomStringConvertible {
    case malformed
    case algorithm
    case signature
    case noIssuer
    case noIssuedAt
    case unknownService
    case expired

    package var description: String {
        switch self {
        case .malformed, .signature: "Invalid token: signature, api token is not valid"
        case .algorithm: "Invalid token: algorithm used is not HS256"
        case .noIssuer: "Invalid token: iss field not provided"
        case .noIssuedAt: "Invalid token: iat field not provided"
        case .unknownService: "Invalid token: service not found"
        case .expired: "Error: Your system clock must be accurate to within 30 seconds"
        }
    }
}

/// Base64url without padding, as JSON Web Tokens write it.
package enum Base64URL {
    package static func encode(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    package static func decode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !base64.contains("=") else { return nil }
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
