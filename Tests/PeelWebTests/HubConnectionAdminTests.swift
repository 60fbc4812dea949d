import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PeelApp
import PeelAuth
import PeelCore
import PeelHub
import PeelStore
import PeelTestSupport
import SQLKit
import Testing

@Suite("Back office: the force's connection to its records system")
struct HubConnectionAdminTests {
    static let secret = "a long shared secret for the met"
    static let page = "/metropolitan/staff/admin/delivery/connection"

    /// A test instance whose data folder is known (on PostgreSQL a fresh temporary one), so that
    /// file drops can be found.
    func withConnectionApp(
        _ engine: TestEngine, clock: TestClock,
        _ body: @escaping @Sendable (any TestClientProtocol, ScratchDatabase, String) async throws -> Void
    ) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("peel-data-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var extra: [String: String] = [:]
        if case .postgres = engine { extra["PEEL_DATA_DIR"] = folder }
        try await withTestApp(engine, extra: extra, now: clock.reader) { client, scratch in
            let data: String
            if case .sqlite(let path) = scratch.location {
                data = URL(fileURLWithPath: path).deletingLastPathComponent().path
            } else {
                data = folder
            }
            try await body(client, scratch, data)
        }
    }

    /// The metropolitan force's administrator, signed in.
    func signedInAdministrator(_ client: any TestClientProtocol, _ scratch: ScratchDatabase, _ clock: TestClock)
        async throws -> TestBrowser
    {
        let admin = try await createStaff(
            scratch, force: "metropolitan", roles: [.forceAdministrator], email: "ops@met.police.uk")
        var browser = TestBrowser(client: client)
        try await browser.signIn(admin, force: "metropolitan", clock: clock)
        return browser
    }

    func endpoint(_ scratch: ScratchDatabase, force: ForceID = ForceID("metropolitan")) async throws -> HubEndpoint? {
        try await withStoreValue(scratch) { store in try await store.hub.endpoint(for: force) }
    }

    func auditDetails(_ scratch: ScratchDatabase) async throws -> [String] {
        try await withStoreValue(scratch) { store in
            try await store.database.sql.raw(
                "SELECT detail FROM audit_log WHERE action = 'hub.configure' ORDER BY sequence"
            ).all()
                .map { try $0.decode(column: "detail", as: String.self) }
        }
    }

    /// Waits until the report with `reference` is delivered.
    func waitDelivered(_ scratch: ScratchDatabase, _ reference: String) async throws {
        let query: SQLQueryString = "SELECT status FROM reports WHERE reference = \(bind: reference)"
        for _ in 0..<300 {
            let status = try await withStoreValue(scratch) { store in
                try await store.database.sql.raw(query).first()?
                    .decode(column: "status", as: String.self)
            }
            if status == "delivered" { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("\(reference) was not delivered")
    }

    @Test(
        "an administrator saves each adapter in turn and delivery uses it; the secret never appears in the page or the audit log",
        arguments: TestEngine.all)
    func eachAdapter(engine: TestEngine) async throws {
        let fake = FakeRecordsSystem(options: .init(secret: Array(Self.secret.utf8)))
        let rmsApp = Application(
            router: fake.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: testLogger)
        let clock = TestClock()
        try await rmsApp.test(.live) { rms in
            let port = try #require(rms.port)
            try await withConnectionApp(engine, clock: clock) { client, scratch, data in
                var browser = try await signedInAdministrator(client, scratch, clock)
                let delivery = try await browser.get("/metropolitan/staff/admin/delivery")
                #expect(delivery.html.contains("None: the demo records system"))
                #expect(links(in: delivery.html).contains(Self.page))
                let empty = try await browser.get(Self.page)
                #expect(empty.status == .ok)
                #expect(
                    empty.html.contains(
                        #"id="adapter-none" name="adapter" value="none" aria-describedby="adapter-none-hint" checked"#))

                // The standard API, to the fake records system on this machine.
                let url = "http://127.0.0.1:\(port)/reports"
                let saved = try await browser.post(
                    Self.page, [("adapter", "standard-api"), ("url", url), ("secret", Self.secret)])
                #expect(saved.status == .ok)
                #expect(saved.path == Self.page + "?saved=1")
                #expect(saved.html.contains("Connection saved"))
                #expect(saved.html.contains("A shared secret is set (since "))
                #expect(saved.html.contains(url))
                #expect(!saved.html.contains(Self.secret))
                let api = try #require(try await endpoint(scratch))
                #expect(api.adapter == .standardAPI && api.url == url)
                let box = SecretBox(key: SymmetricKey(data: Data(base64Encoded: testSecretKey)!))
                #expect(try box.open(try #require(api.sealedSecret)) == Array(Self.secret.utf8))
                #expect(!saved.html.contains(try #require(api.sealedSecret)))
                let toAPI = try await submitReport(client)
                try await waitDelivered(scratch, toAPI)
                let got = try await rms.execute(uri: "/received", method: .get).text
                #expect(got.contains(toAPI))
                #expect(
                    try await browser.get("/metropolitan/staff/admin/delivery").html.contains("Standard API: \(url)"))

                // A file drop, into a folder under the data folder's drops/metropolitan/.
                let dropped = try await browser.post(
                    Self.page, [("adapter", "file-drop"), ("directory", "inbound"), ("url", url)])
                #expect(dropped.html.contains("Connection saved"))
                #expect(dropped.html.contains(#"name="directory" type="text" value="inbound""#))
                let folder = URL(fileURLWithPath: data).appendingPathComponent("drops/metropolitan/inbound")
                    .standardizedFileURL.path
                let drop = try #require(try await endpoint(scratch))
                #expect(drop.adapter == .fileDrop && drop.directory == folder)
                #expect(drop.url == nil && drop.sealedSecret == nil)
                let toFolder = try await submitReport(client)
                try await waitDelivered(scratch, toFolder)
                #expect(FileManager.default.fileExists(atPath: "\(folder)/\(toFolder)-1.json"))

                // Secure email, to the force mailbox.
                let mailed = try await browser.post(
                    Self.page, [("adapter", "email"), ("email", "online-reports@met.police.uk")])
                #expect(mailed.html.contains("Connection saved"))
                let toMailbox = try await submitReport(client)
                try await waitDelivered(scratch, toMailbox)
                let messages = try await withStoreValue(scratch) { store in try await store.messages.recent(limit: 50) }
                #expect(messages.contains { $0.to == "online-reports@met.police.uk" && $0.subject.contains(toMailbox) })

                // None: back to the demo records system.
                let none = try await browser.post(Self.page, [("adapter", "none")])
                #expect(none.html.contains("Connection saved"))
                #expect(try await endpoint(scratch) == nil)
                let toDemo = try await submitReport(client)
                try await waitDelivered(scratch, toDemo)

                let details = try await auditDetails(scratch)
                #expect(
                    details == [
                        "standard-api to \(url); new secret", "file-drop into \(folder)",
                        "email to online-reports@met.police.uk",
                        "none: the demo records system",
                    ])
                let everything = try await withStoreValue(scratch) { store in
                    try await store.database.sql.raw("SELECT detail, subject, action FROM audit_log").all().map {
                        try $0.decode(column: "detail", as: String.self)
                            + (try $0.decode(column: "subject", as: String.self))
                    }
                }
                #expect(!everything.contains { $0.contains(Self.secret) })
            }
        }
    }

    @Test(
        "bad input gives the error summary with every problem and saves nothing; a typed secret is not shown back",
        arguments: TestEngine.all)
    func badInput(engine: TestEngine) async throws {
        let clock = TestClock()
        try await withConnectionApp(engine, clock: clock) { client, scratch, _ in
            var browser = try await signedInAdministrator(client, scratch, clock)
            let cases: [([(String, String)], [String])] = [
                (
                    [
                        ("adapter", "standard-api"), ("url", "http://records.met.example/reports"),
                        ("secret", "too short a secret"),
                    ],
                    [
                        "The address must start https://", "The shared secret must be 32 characters or more",
                        ##"href="#url""##, ##"href="#secret""##,
                    ]
                ),
                (
                    [("adapter", "standard-api"), ("url", "https://records.met.example/reports")],
                    ["Enter the shared secret (32 characters or more), or generate a new one"]
                ),
                (
                    [
                        ("adapter", "standard-api"), ("url", "https://records.met.example/reports"),
                        ("secret", Self.secret), ("generate-secret", "yes"),
                    ],
                    ["Enter a secret or ask for a new one to be generated, not both"]
                ),
                (
                    [
                        ("adapter", "standard-api"), ("url", "https://ops:pw@records.met.example/reports"),
                        ("secret", Self.secret),
                    ],
                    ["Take the user name and password out of the address"]
                ),
                (
                    [("adapter", "file-drop"), ("directory", "../../etc")],
                    ["Enter a folder name of letters, digits, hyphens and underscores"]
                ),
                ([("adapter", "file-drop"), ("directory", "/srv/exchange")], ["Enter a folder name of letters"]),
                (
                    [("adapter", "email"), ("email", "not an address")],
                    ["Enter the force mailbox", ##"href="#email""##]
                ),
                (
                    [("adapter", "carrier-pigeon")],
                    ["Choose how reports reach the records system", ##"href="#adapter-standard-api""##]
                ),
                ([], ["Choose how reports reach the records system"]),
            ]
            for (fields, messages) in cases {
                let refused = try await browser.post(Self.page, fields)
                #expect(refused.status == .badRequest, "\(fields)")
                #expect(refused.html.contains("error-summary"), "\(fields)")
                for message in messages { #expect(refused.html.contains(message), "\(fields): \(message)") }
                #expect(
                    !refused.html.contains("too short a secret") && !refused.html.contains(Self.secret), "\(fields)")
            }
            #expect(try await endpoint(scratch) == nil)
            #expect(try await auditDetails(scratch).isEmpty)
            // What was typed (but the secret) is kept on the page to put right.
            let kept = try await browser.post(Self.page, [("adapter", "email"), ("email", "not an address")])
            #expect(kept.html.contains(#"value="not an address""#))
            #expect(
                kept.html.contains(
                    #"id="adapter-email" name="adapter" value="email" aria-describedby="adapter-email-hint" checked"#))
        }
    }

    @Test(
        "a generated secret is shown once and works; leaving the secret empty keeps it; the audit names neither",
        arguments: TestEngine.all)
    func generatedSecret(engine: TestEngine) async throws {
        let clock = TestClock()
        try await withConnectionApp(engine, clock: clock) { client, scratch, _ in
            var browser = try await signedInAdministrator(client, scratch, clock)
            let generated = try await browser.post(
                Self.page,
                [
                    ("adapter", "standard-api"), ("url", "https://records.met.example/reports"),
                    ("generate-secret", "yes"),
                ])
            #expect(generated.status == .ok)
            #expect(generated.html.contains("The new shared secret"))
            let shown = try #require(
                generated.html.components(separatedBy: "<p><code>").dropFirst().first?.prefix { $0 != "<" })
            #expect(shown.count >= 43)
            let box = SecretBox(key: SymmetricKey(data: Data(base64Encoded: testSecretKey)!))
            let first = try #require(try await endpoint(scratch))
            #expect(try box.open(try #require(first.sealedSecret)) == Array(shown.utf8))
            // Never again.
            let again = try await browser.get(Self.page)
            #expect(!again.html.contains(String(shown)))
            #expect(!again.html.contains("The new shared secret"))
            #expect(again.html.contains("A shared secret is set"))

            // Later (within the session's idle timeout), a new address and an empty secret field.
            clock.advance(600)
            let moved = try await browser.post(
                Self.page,
                [("adapter", "standard-api"), ("url", "https://records2.met.example/reports"), ("secret", "")])
            #expect(moved.html.contains("Connection saved"))
            let second = try #require(try await endpoint(scratch))
            #expect(second.url == "https://records2.met.example/reports")
            #expect(second.sealedSecret == first.sealedSecret)
            #expect(second.secretSetAt == first.secretSetAt)
            let details = try await auditDetails(scratch)
            #expect(
                details == [
                    "standard-api to https://records.met.example/reports; new secret generated",
                    "standard-api to https://records2.met.example/reports; secret kept",
                ])
            #expect(!details.contains { $0.contains(String(shown)) })
        }
    }

    @Test(
        "a contact handler may not see or change the connection; another force's administrator cannot read or change ours",
        arguments: TestEngine.all)
    func refusals(engine: TestEngine) async throws {
        let clock = TestClock()
        try await withConnectionApp(engine, clock: clock) { client, scratch, _ in
            var browser = try await signedInAdministrator(client, scratch, clock)
            _ = try await browser.post(
                Self.page,
                [("adapter", "standard-api"), ("url", "https://records.met.example/reports"), ("secret", Self.secret)])
            let ours = try #require(try await endpoint(scratch))

            let handler = try await createStaff(
                scratch, force: "metropolitan", roles: [.contactHandler, .supervisor], email: "h@met.police.uk")
            var handling = TestBrowser(client: client)
            try await handling.signIn(handler, force: "metropolitan", clock: clock)
            #expect(try await handling.get(Self.page).status == .forbidden)
            #expect(try await handling.post(Self.page, [("adapter", "none")]).status == .forbidden)

            let theirs = try await createStaff(
                scratch, force: "west-midlands", roles: [.forceAdministrator], email: "ops@wmp.police.uk")
            var elsewhere = TestBrowser(client: client)
            try await elsewhere.signIn(theirs, force: "west-midlands", clock: clock)
            let read = try await elsewhere.get(Self.page)
            #expect(read.status == .notFound)
            #expect(!read.html.contains("records.met.example"))
            let change = try await elsewhere.post(Self.page, [("adapter", "email"), ("email", "thief@wmp.police.uk")])
            #expect(change.status == .notFound)
            // Their own page shows their own connection, which is none.
            let own = try await elsewhere.get("/west-midlands/staff/admin/delivery/connection")
            #expect(own.status == .ok)
            #expect(!own.html.contains("records.met.example"))
            #expect(!own.html.contains("A shared secret is set"))
            _ = try await elsewhere.post(
                "/west-midlands/staff/admin/delivery/connection",
                [("adapter", "email"), ("email", "hub@wmp.police.uk")])
            #expect(try await endpoint(scratch) == ours)
            #expect(try await endpoint(scratch, force: ForceID("west-midlands"))?.email == "hub@wmp.police.uk")
        }
    }
}
