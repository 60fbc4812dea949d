import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PeelAuth
import PeelCore
import PeelForms
import PeelStore
import PeelTestSupport
import Synchronization
import Testing

/// A clock tests move by hand, for timeouts and one-time codes.
final class TestClock: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date = Date()) { current = Mutex(start) }
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 += seconds } }
    var reader: @Sendable () -> Date { { [self] in self.now } }
}

/// A member of staff made for a test, with what they sign in with.
struct StaffAccount: Sendable {
    let member: StaffMember
    let password: String
    let totp: TOTP
}

/// Creates an enrolled member of staff directly in the store, sealed with the test secret key.
func createStaff(
    _ scratch: ScratchDatabase, force: String, roles: Set<StaffRole>, email: String, name: String = "Test Person",
    enrolled: Bool = true
) async throws -> StaffAccount {
    let password = "copper kettle marmalade \(email.prefix(3))"
    let totp = TOTP.generate()
    let box = SecretBox(key: SymmetricKey(data: Data(base64Encoded: testSecretKey)!))
    let passwordHash = await PasswordHasher(cost: 4).hash(password)
    let member = StaffMember(
        id: UUID().uuidString.lowercased(), forceID: ForceID(validating: force), email: email, name: name, roles: roles,
        passwordHash: passwordHash, sealedTOTPSecret: enrolled ? try box.seal(totp.secret) : nil,
        totpEnrolled: enrolled, createdAt: Date())
    try await withStore(of: scratch) { store in try await store.staff.create(member) }
    return StaffAccount(member: member, password: password, totp: totp)
}

extension TestBrowser {
    /// Signs in with password and the code of the clock's current step; the clock moves on 30
    /// seconds first, so that each sign-in has a fresh code.
    @discardableResult
    mutating func signIn(_ account: StaffAccount, force: String, clock: TestClock) async throws -> (path: String, status: HTTPResponse.Status, html: String) {
        clock.advance(30)
        let first = try await post("/\(force)/staff/sign-in", [("email", account.member.email), ("password", account.password)])
        guard first.path.hasSuffix("/sign-in/code") else { return first }
        return try await post("/\(force)/staff/sign-in/code", [("code", account.totp.code(step: TOTP.step(at: clock.now)))])
    }
}

/// Submits one report through the public site and returns its reference.
func submitReport(_ client: any TestClientProtocol, service: String = "report-theft") async throws -> String {
    let catalogue = try ServiceCatalogue.bundled()
    let definition = try #require(catalogue.service(service))
    for plan in WalkPlanner.plan(definition).walks {
        var browser = TestBrowser(client: client)
        var walker = JourneyWalker(definition: definition, force: ForceID("metropolitan"), plan: plan)
        if case .reference(let reference) = try await walker.walk(&browser) { return reference }
    }
    throw WalkError(message: "no walk of \(service) reached a reference")
}
