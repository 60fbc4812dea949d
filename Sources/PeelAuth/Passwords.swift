import Crypto
import Foundation
import HummingbirdBcrypt
import NIOPosix

/// What Peel asks of a staff password, after the NCSC's advice: long rather than complicated,
/// not one that is known to be common, not made of the person's own details. There are no rules
/// about character classes and no forced expiry.
package struct PasswordPolicy: Sendable {
    package static let minimumLength = 12
    package static let maximumLength = 128

    package enum Refusal: Error, Hashable, CustomStringConvertible {
        case tooShort
        case tooLong
        case common
        case personal

        package var description: String {
            switch self {
            case .tooShort: "Password must be \(PasswordPolicy.minimumLength) characters or more"
            case .tooLong: "Password must be \(PasswordPolicy.maximumLength) characters or fewer"
            case .common: "Password is too common. Try three random words together"
            case .personal: "Password must not contain your email address or name"
            }
        }
    }

    private let common: Set<String>

    package init(common: Set<String>) {
        self.common = common
    }

    /// The policy with the bundled list of common passwords.
    package static func bundled() throws -> PasswordPolicy {
        guard let url = Bundle.module.url(forResource: "CommonPasswords", withExtension: "txt") else {
            throw CocoaError(.fileNoSuchFile)
        }
        let text = try String(contentsOf: url, encoding: .utf8)
        return PasswordPolicy(
            common: Set(text.split(whereSeparator: \.isNewline).map { $0.lowercased() }.filter { !$0.hasPrefix("#") }))
    }

    /// Why `password` is refused for someone with this email and name, or nil when it is fine.
    package func refusal(for password: String, email: String, name: String) -> Refusal? {
        if password.count < Self.minimumLength { return .tooShort }
        if password.count > Self.maximumLength { return .tooLong }
        let lowered = password.lowercased()
        // A common password with digits or symbols added at either end is still common.
        let core = lowered.trimmingCharacters(in: CharacterSet.letters.inverted)
        if common.contains(lowered) || common.contains(core) || Set(lowered).count <= 3 { return .common }
        let local = email.lowercased().split(separator: "@").first.map(String.init) ?? ""
        let words = name.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init).filter { $0.count >= 4 }
        if (local.count >= 4 && lowered.contains(local)) || words.contains(where: { lowered.contains($0) }) {
            return .personal
        }
        return nil
    }
}

/// Password hashing with bcrypt. Bcrypt reads at most 72 bytes, so the password is first reduced
/// to its SHA-256 digest (base64, 44 bytes): every character of a long password counts.
package struct PasswordHasher: Sendable {
    /// Bcrypt's cost: 12 in service (about a quarter of a second here); tests may use less.
    package let cost: UInt8

    /// A hash of a random password, verified against when an email is unknown, so that the
    /// answer takes as long as for a real account.
    package let decoy: String

    package init(cost: UInt8 = 12) {
        self.cost = max(4, min(31, cost))
        self.decoy = Bcrypt.hash(Tokens.generate(), cost: self.cost)
    }

    /// Hashes on NIO's thread pool, as ``verify(_:hash:)`` does.
    package func hash(_ password: String) async -> String {
        let (prehashed, cost) = (Self.prehash(password), cost)
        return await Self.offloaded { Bcrypt.hash(prehashed, cost: cost) }
    }

    /// Verifies on NIO's thread pool: a quarter of a second of bcrypt on the request's own thread
    /// would hold up every other request that shares it (and a stream of sign-in attempts would
    /// hold up the public's pages).
    package func verify(_ password: String, hash: String) async -> Bool {
        let prehashed = Self.prehash(password)
        return await Self.offloaded { Bcrypt.verify(prehashed, hash: hash) }
    }

    static func offloaded<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        // runIfActive throws only once the singleton pool is shut down, which Peel never does.
        (try? await NIOThreadPool.singleton.runIfActive(work)) ?? work()
    }

    private static func prehash(_ password: String) -> String {
        Data(SHA256.hash(data: Data(password.utf8))).base64EncodedString()
    }
}
