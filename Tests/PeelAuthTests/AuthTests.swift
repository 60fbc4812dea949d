import Crypto
import Foundation
import Testing

@testable import PeelAuth

@Suite("One-time codes")
struct OneTimeCodeTests {
    let rfc = TOTP(secret: Array("12345678901234567890".utf8))

    @Test("codes match RFC 6238's SHA-1 test vectors (last six digits)", arguments: [
        (59, "287082"), (1_111_111_109, "081804"), (1_111_111_111, "050471"), (1_234_567_890, "005924"),
        (2_000_000_000, "279037"), (20_000_000_000, "353130"),
    ])
    func vectors(seconds: Int, expected: String) {
        #expect(rfc.code(step: TOTP.step(at: Date(timeIntervalSince1970: Double(seconds)))) == expected)
    }

    @Test("a code is accepted one step either side of now, and not two")
    func drift() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let step = TOTP.step(at: now)
        #expect(rfc.matchingStep(rfc.code(step: step), at: now) == step)
        #expect(rfc.matchingStep(rfc.code(step: step - 1), at: now) == step - 1)
        #expect(rfc.matchingStep(rfc.code(step: step + 1), at: now) == step + 1)
        #expect(rfc.matchingStep(rfc.code(step: step - 2), at: now) == nil)
        #expect(rfc.matchingStep("12345", at: now) == nil)
        #expect(rfc.matchingStep("abcdef", at: now) == nil)
        let spaced = rfc.code(step: step)
        #expect(rfc.matchingStep(String(spaced.prefix(3)) + " " + String(spaced.suffix(3)), at: now) == step)
    }

    @Test("Base32 matches RFC 4648 and round-trips")
    func base32() {
        #expect(Base32.encode(Array("foobar".utf8)) == "MZXW6YTBOI")
        #expect(Base32.encode(Array("f".utf8)) == "MY")
        #expect(Base32.decode("MZXW6YTBOI") == Array("foobar".utf8))
        #expect(Base32.decode("mzxw 6ytb oi") == Array("foobar".utf8))
        #expect(Base32.decode("MZ1") == nil)
        let secret = TOTP.generate()
        #expect(Base32.decode(secret.displaySecret) == secret.secret)
    }

    @Test("the provisioning address names the issuer, account and secret")
    func provisioning() {
        let uri = rfc.provisioningURI(account: "a.handler@avon.police.uk", issuer: "Peel: Avon and Somerset")
        #expect(uri.hasPrefix("otpauth://totp/Peel%3A%20Avon%20and%20Somerset%3Aa.handler@avon.police.uk?secret="))
        #expect(uri.contains("secret=\(Base32.encode(rfc.secret))&issuer=Peel%3A%20Avon%20and%20Somerset"))
    }
}

@Suite("Passwords and secrets")
struct PasswordTests {
    @Test("the policy refuses short, common, padded-common and personal passwords, and accepts three random words")
    func policy() throws {
        let policy = try PasswordPolicy.bundled()
        let refuse = { (password: String) in policy.refusal(for: password, email: "jane.smith@met.police.uk", name: "Jane Smith") }
        #expect(refuse("short") == .tooShort)
        #expect(refuse(String(repeating: "x", count: 129)) == .tooLong)
        #expect(refuse("passwordpassword") == .common)
        #expect(refuse("Password2024!!") == .common)
        #expect(refuse("Liverpool123456") == .common)
        #expect(refuse("aaaaaaaaaaaaaaaa") == .common)
        #expect(refuse("jane.smith-rocks-99") == .personal)
        #expect(refuse("smithsonian-galaxy") == .personal)
        #expect(refuse("copper kettle marmalade") == nil)
    }

    @Test("a hash verifies its password only, including characters past bcrypt's 72 bytes")
    func hashing() async {
        let hasher = PasswordHasher(cost: 4)
        let long = String(repeating: "a", count: 80)
        let hash = await hasher.hash(long + "1")
        #expect(await hasher.verify(long + "1", hash: hash))
        #expect(await !hasher.verify(long + "2", hash: hash))
        #expect(await !hasher.verify("anything", hash: hasher.decoy))
    }

    @Test("bcrypt runs on NIO's thread pool, not on the thread of the request that asks")
    func hashingOffTheRequestThread() async {
        let thread = await PasswordHasher.offloaded {
            (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
        }
        #expect(thread.contains("TP-#"), "\(thread)")
    }

    @Test("sealed secrets open with their key only")
    func sealing() throws {
        let box = SecretBox(key: SymmetricKey(size: .bits256))
        let sealed = try box.seal([1, 2, 3])
        #expect(sealed.hasPrefix("v1:"))
        #expect(try box.open(sealed) == [1, 2, 3])
        #expect(throws: SecretBox.Failure.self) { try SecretBox(key: SymmetricKey(size: .bits256)).open(sealed) }
        #expect(throws: SecretBox.Failure.self) { try box.open("v1:not-base64!") }
    }

    @Test("the node's key file is created once, private, and read back")
    func keyFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("peel-key-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = try SecretBox.load(base64: nil, dataDirectory: folder)
        let sealed = try first.seal([9])
        let again = try SecretBox.load(base64: nil, dataDirectory: folder)
        #expect(try again.open(sealed) == [9])
        let permissions = try FileManager.default.attributesOfItem(atPath: folder + "/secret.key")[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        #expect(throws: SecretBox.Failure.self) { try SecretBox.load(base64: "c2hvcnQ=", dataDirectory: folder) }
    }

    @Test("recovery codes are ten, distinct, typed in any case with or without the hyphen")
    func recovery() {
        let codes = RecoveryCodes.generate()
        #expect(codes.count == 10)
        #expect(Set(codes).count == 10)
        let code = codes[0]
        #expect(RecoveryCodes.hash(code.lowercased().replacingOccurrences(of: "-", with: " ")) == RecoveryCodes.hash(code))
        #expect(RecoveryCodes.hash(codes[1]) != RecoveryCodes.hash(code))
    }
}
