import Foundation
import PeelNotify
import Testing

@Suite("Notify API keys and tokens")
struct NotifyAuthenticationTests {
    static let service = "26785a09-ab16-4eb0-8407-a37497a57506"
    static let secret = "3d844edf-8d35-48ac-975b-e847b4f122b0"
    static let key = try! NotifyAPIKey(parsing: "peel_test-\(service)-\(secret)")
    static let issued = Date(timeIntervalSince1970: 1_700_000_000)

    @Test("a key is read from its end: the secret is the last 36 characters, the service id the 36 before them")
    func parsing() throws {
        let key = try NotifyAPIKey(parsing: "my-test-key-\(Self.service)-\(Self.secret)")
        #expect(key.name == "my-test-key")
        #expect(key.serviceID == Self.service)
        #expect(key.secret == Self.secret)
        #expect(key.text == "my-test-key-\(Self.service)-\(Self.secret)")
        let bare = try NotifyAPIKey(parsing: " \(Self.service)-\(Self.secret)\n")
        #expect(bare.name == "")
        #expect(bare.serviceID == Self.service)
    }

    @Test(
        "text that is not a key is refused, and the refusal does not repeat it",
        arguments: [
            "", "too-short", "name-\(service)\(secret)", "name-not-a-uuid-at-all-at-all-at-all-xx-\(secret)",
            "name-\(service)-not-a-uuid-at-all-at-all-at-all-xx",
        ])
    func refused(text: String) {
        #expect(throws: NotifyAPIKeyError.self) { try NotifyAPIKey(parsing: text) }
        do { _ = try NotifyAPIKey(parsing: text) } catch {
            #expect(!error.description.contains(Self.secret))
        }
    }

    @Test(
        "a token is HS256 with Notify's header and claims, base64url without padding, as an independent HMAC computes it"
    )
    func token() throws {
        let token = NotifyToken.make(Self.key, now: Self.issued.addingTimeInterval(0.9))
        // Computed with Python's hmac and base64 modules for this key and time.
        #expect(
            token
                == "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJpc3MiOiIyNjc4NWEwOS1hYjE2LTRlYjAtODQwNy1hMzc0OTdhNTc1MDYiLCJpYXQiOjE3MDAwMDAwMDB9.q1v0ZBAPOtT5-Ng39fZDm8ojJu-wrEQD-OrsVHHKnIM"
        )
        #expect(!token.contains("="))
        let header = try #require(Base64URL.decode(String(token.split(separator: ".")[0])))
        #expect(String(decoding: header, as: UTF8.self) == #"{"typ":"JWT","alg":"HS256"}"#)
    }

    @Test("a token is accepted within 30 seconds of the receiver's clock, and refused with Notify's message outside")
    func time() throws {
        let token = NotifyToken.make(Self.key, now: Self.issued)
        try NotifyToken.verify(token, key: Self.key, now: Self.issued + 30)
        try NotifyToken.verify(token, key: Self.key, now: Self.issued - 30)
        #expect(throws: NotifyTokenError.expired) {
            try NotifyToken.verify(token, key: Self.key, now: Self.issued + 31)
        }
        #expect(
            NotifyTokenError.expired.description == "Error: Your system clock must be accurate to within 30 seconds")
    }

    @Test("a token signed with another secret, issued by another service, or not signed with HS256 is refused")
    func forged() throws {
        let otherSecret = try NotifyAPIKey(parsing: "x-\(Self.service)-\(UUID().uuidString.lowercased())")
        let otherService = try NotifyAPIKey(parsing: "x-\(UUID().uuidString.lowercased())-\(Self.secret)")
        #expect(throws: NotifyTokenError.signature) {
            try NotifyToken.verify(NotifyToken.make(otherSecret, now: Self.issued), key: Self.key, now: Self.issued)
        }
        #expect(throws: NotifyTokenError.unknownService) {
            try NotifyToken.verify(NotifyToken.make(otherService, now: Self.issued), key: Self.key, now: Self.issued)
        }
        let parts = NotifyToken.make(Self.key, now: Self.issued).split(separator: ".")
        let none = Base64URL.encode(Data(#"{"typ":"JWT","alg":"none"}"#.utf8))
        #expect(throws: NotifyTokenError.algorithm) {
            try NotifyToken.verify("\(none).\(parts[1]).", key: Self.key, now: Self.issued)
        }
        let noIssuer = Base64URL.encode(Data(#"{"iat":1700000000}"#.utf8))
        #expect(throws: NotifyTokenError.noIssuer) {
            try NotifyToken.verify("\(parts[0]).\(noIssuer).\(parts[2])", key: Self.key, now: Self.issued)
        }
        #expect(throws: NotifyTokenError.malformed) {
            try NotifyToken.verify("not a token", key: Self.key, now: Self.issued)
        }
    }
}
