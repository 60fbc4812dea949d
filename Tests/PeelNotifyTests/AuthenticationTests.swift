import Foundation
import PeelNotify
import Testing

@Suite("Notify API keys and tokens")
struct NotifyAuthenticationTests {
    static let service = "26785a09-ab16-4eb0-8407-a37497a57506"
    static let secret = "3d844edf-8d35-48ac-975b-e847b4f122b0"

    @Test("a key is read from its end: the secret is the last 36 characters, the service id the 36 before them")
    func parsing() throws {
        let key = try NotifyAPIKey(parsing: "my-test-key-\(Self.service)-\(Self.secret)")
        #expect(key.name == "my-test-key")
        #expect(key.serviceID == Self.service)
        #expect(key.secret == Self.secret)
        #expect(key.text == "my-test-key-\(Self.service)-\(Self.secret)")
        let bare = try NotifyAPIKey(parsing: "\(Self.service)-\(Self.secret)")
        #expect(bare.name == "")
        #expect(bare.serviceID == Self.service)
    }
}
