import Crypto
import Foundation
import PeelCore

/// Time-based one-time codes (RFC 6238: HMAC-SHA1, 30-second steps, six digits), as every
/// authenticator app reads them from an `otpauth://` address.
package struct TOTP: Sendable {
    package let secret: [UInt8]
    package static let step: TimeInterval = 30
    package static let digits = 6

    package init(secret: [UInt8]) {
        self.secret = secret
    }

    /// A new random 160-bit secret, as RFC 4226 recommends.
    package static func generate() -> TOTP {
        var generator = SystemRandomNumberGenerator()
        return TOTP(secret: (0..<20).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    package static func step(at date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / step).rounded(.down))
    }

    /// The code for a time step (RFC 4226 dynamic truncation).
    package func code(step: Int64) -> String {
        var counter = UInt64(step).bigEndian
        let message = withUnsafeBytes(of: &counter) { Data($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let value =
            (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8)
            | UInt32(mac[offset + 3])
        let code = value % 1_000_000
        let text = String(code)
        return String(repeating: "0", count: Self.digits - text.count) + text
    }

    /// The time step `code` belongs to, allowing one step of clock drift either way, or nil.
    /// The caller must still refuse a step it has accepted before (a replay).
    package func matchingStep(_ typedCode: String, at date: Date) -> Int64? {
        let typed = typedCode.filter { !$0.isWhitespace && $0 != "-" }
        guard typed.count == Self.digits, typed.allSatisfy(\.isASCII), typed.allSatisfy(\.isNumber) else { return nil }
        let now = Self.step(at: date)
        for step in [now, now - 1, now + 1] where constantTimeEquals(code(step: step), typed) {
            return step
        }
        return nil
    }

    /// The secret as authenticator apps take it when typed: Base32 in groups of four.
    package var displaySecret: String {
        let base32 = Base32.encode(secret)
        return stride(from: 0, to: base32.count, by: 4).map { start in
            let from = base32.index(base32.startIndex, offsetBy: start)
            let to = base32.index(from, offsetBy: min(4, base32.count - start))
            return String(base32[from..<to])
        }.joined(separator: " ")
    }

    /// The `otpauth://` address an authenticator app reads from a QR code.
    package func provisioningURI(account: String, issuer: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~@")
        let label = "\(issuer):\(account)".addingPercentEncoding(withAllowedCharacters: allowed) ?? account
        let issuerParameter = issuer.addingPercentEncoding(withAllowedCharacters: allowed) ?? issuer
        return "otpauth://totp/\(label)?secret=\(Base32.encode(secret))&issuer=\(issuerParameter)&algorithm=SHA1&digits=6&period=30"
    }
}

/// RFC 4648 Base32 without padding, for TOTP secrets.
package enum Base32 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    package static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                output.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 0x1F)])
                bits -= 5
            }
        }
        if bits > 0 { output.append(alphabet[Int((buffer << UInt32(5 - bits)) & 0x1F)]) }
        return String(decoding: output, as: UTF8.self)
    }

    package static func decode(_ text: String) -> [UInt8]? {
        var output: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for character in text.uppercased().utf8 where character != UInt8(ascii: " ") && character != UInt8(ascii: "=") {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            buffer = (buffer << 5) | UInt32(value)
            bits += 5
            if bits >= 8 {
                output.append(UInt8((buffer >> UInt32(bits - 8)) & 0xFF))
                bits -= 8
            }
        }
        return output
    }
}

/// Single-use recovery codes, for a member of staff who has lost their authenticator. Ten at
/// enrolment, shown once; the store keeps their SHA-256 hashes.
package enum RecoveryCodes {
    package static let count = 10
    /// Drawn like return codes (`ReturnCode`): ten characters of the reference alphabet.
    package static func generate() -> [String] {
        var generator = SystemRandomNumberGenerator()
        var codes = Set<String>()
        while codes.count < count { codes.insert(ReturnCode.make(using: &generator)) }
        return Array(codes)
    }

    /// The hash of a code as typed: case, spaces and hyphens do not matter.
    package static func hash(_ code: String) -> String {
        let normal = code.uppercased().filter { $0.isLetter || $0.isNumber }
        return Tokens.hash(normal)
    }
}

/// Random bearer tokens (session ids, invitation links) and their hashes for storage.
package enum Tokens {
    /// 256 random bits, base64url without padding.
    package static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8]()
        bytes.reserveCapacity(32)
        // Four 64-bit draws rather than thirty-two byte draws: this runs on every new visitor.
        for _ in 0..<4 { withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) } }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// SHA-256, hex: what the store keeps instead of a token, so a copy of the database opens
    /// no session.
    package static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).lowercaseHex
    }

    package static func isWellFormed(_ token: String) -> Bool {
        token.utf8.count == 43 && token.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }
}


/// Seals secrets kept in the database (TOTP secrets; later, records-system credentials) with
/// AES-256-GCM under the node's secret key, so that a copy of the database alone does not give
/// them away. Sealed text is `v1:` and base64 of nonce, ciphertext and tag.
package struct SecretBox: Sendable {
    private let key: SymmetricKey

    package init(key: SymmetricKey) {
        self.key = key
    }

    package enum Failure: Error, CustomStringConvertible {
        case malformed
        case wrongKey
        case badKeyFile(String)
        package var description: String {
            switch self {
            case .malformed: "a sealed secret is malformed"
            case .wrongKey: "a sealed secret does not open with this node's secret key (was PEEL_SECRET_KEY changed?)"
            case .badKeyFile(let reason): reason
            }
        }
    }

    package func seal(_ bytes: [UInt8]) throws -> String {
        let box = try AES.GCM.seal(bytes, using: key)
        guard let combined = box.combined else { throw Failure.malformed }
        return "v1:" + combined.base64EncodedString()
    }

    package func open(_ sealed: String) throws -> [UInt8] {
        guard sealed.hasPrefix("v1:"), let data = Data(base64Encoded: String(sealed.dropFirst(3))) else {
            throw Failure.malformed
        }
        do {
            return Array(try AES.GCM.open(AES.GCM.SealedBox(combined: data), using: key))
        } catch {
            throw Failure.wrongKey
        }
    }

    /// A key for one purpose, derived from the node's key (HKDF-SHA256 with `purpose` as its
    /// info): every node with the same key derives the same one, and it tells nothing of the
    /// node's key or of keys for other purposes.
    package func derivedKey(for purpose: String) -> [UInt8] {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data(purpose.utf8), outputByteCount: 32)
            .withUnsafeBytes { Array($0) }
    }

    /// The key from `PEEL_SECRET_KEY` (base64 of 32 bytes) when set; otherwise from `secret.key` in
    /// the data folder, created (readable by its owner only) on first start.
    package static func load(base64: String?, dataDirectory: String) throws -> SecretBox {
        if let base64 {
            guard let data = Data(base64Encoded: base64), data.count == 32 else {
                throw Failure.badKeyFile("PEEL_SECRET_KEY must be the base64 of 32 random bytes (openssl rand -base64 32)")
            }
            return SecretBox(key: SymmetricKey(data: data))
        }
        let path = URL(fileURLWithPath: dataDirectory).appendingPathComponent("secret.key").path
        if let data = FileManager.default.contents(atPath: path) {
            guard let decoded = Data(base64Encoded: String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)),
                decoded.count == 32
            else { throw Failure.badKeyFile("\(path) is not the base64 of 32 bytes") }
            return SecretBox(key: SymmetricKey(data: decoded))
        }
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let key = SymmetricKey(size: .bits256)
        let text = key.withUnsafeBytes { Data($0) }.base64EncodedString() + "\n"
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        else { throw Failure.badKeyFile("cannot write \(path)") }
        return SecretBox(key: key)
    }
}
