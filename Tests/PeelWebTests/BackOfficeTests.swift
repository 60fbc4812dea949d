import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PeelAuth
import PeelCore
import PeelForms
import PeelStore
import PeelTestSupport
import SQLKit
import Testing

@Suite("Back office: sign-in, handling a report, audit")
struct BackOfficeTests {
    @Test("a handler signs in, finds a report from the public site, assesses and assigns it; the officer sees it; the audit chain verifies, then fails after a direct edit",
        arguments: TestEngine.all)
    func endToEnd(engine: TestEngine) async throws {
        let clock = TestClock()
        try await withTestApp(engine, now: clock.reader) { client, scratch in
            let reference = try await submitReport(client)
            let handler = try await createStaff(scratch, force: "metropolitan", roles: [.contactHandler], email: "handler@met.police.uk", name: "Hana Handler")
            let officer = try await createStaff(scratch, force: "metropolitan", roles: [.officer], email: "officer@met.police.uk", name: "Omar Officer")

            var browser = TestBrowser(client: client)
            let signedIn = try await browser.signIn(handler, force: "metropolitan", clock: clock)
            #expect(signedIn.status == .ok)
            #expect(signedIn.path == "/metropolitan/staff/")
            #expect(signedIn.html.contains(reference))

            let found = try await browser.get("/metropolitan/staff/?q=\(reference.lowercased())")
            #expect(found.html.contains(reference))
            #expect(found.html.contains("1 report"))
            let reportPath = try #require(links(in: found.html).first { $0.hasPrefix("/metropolitan/staff/reports/") })
            let report = try await browser.get(reportPath)
            #expect(report.status == .ok)
            #expect(report.html.contains("Report \(reference)"))
            #expect(report.html.contains("Report \(reference) submitted online"))

            // An incomplete assessment is refused with the error summary and changes nothing.
            let incomplete = try await browser.post("\(reportPath)/assess", [("threat", "high")])
            #expect(incomplete.status == .badRequest)
            #expect(incomplete.html.contains("error-summary"))
            #expect(incomplete.html.contains("Choose the response grade"))

            let assessed = try await browser.post(
                "\(reportPath)/assess",
                [("threat", "high"), ("harm", "medium"), ("risk", "high"), ("investigation", "CCTV at the shop <b>"),
                 ("vulnerability", "Lives alone"), ("engagement", "Willing to give a statement"), ("grade", "priority")])
            #expect(assessed.status == .ok)
            #expect(assessed.html.contains("Grade 2: priority"))
            #expect(assessed.html.contains("CCTV at the shop &lt;b&gt;"))
            #expect(assessed.html.contains("Triaged"))

            let assigned = try await browser.post("\(reportPath)/assign", [("officer", officer.member.id)])
            #expect(assigned.html.contains("Assigned to Omar Officer"))

            // A move the workflow does not allow is refused and leaves the report as it was.
            let skipped = try await browser.post("\(reportPath)/status", [("status", "triaged")])
            #expect(skipped.status == .conflict)
            #expect(skipped.html.contains("cannot be moved to triaged"))

            var officerBrowser = TestBrowser(client: client)
            try await officerBrowser.signIn(officer, force: "metropolitan", clock: clock)
            let mine = try await officerBrowser.get("/metropolitan/staff/?assigned=me")
            #expect(mine.html.contains(reference))
            #expect(mine.html.contains("Grade 2: priority"))
            // The officer may not assess: their role does not include it.
            let refused = try await officerBrowser.post("\(reportPath)/assess", [("threat", "low")])
            #expect(refused.status == .forbidden)

            try await withStore(of: scratch) { store in
                guard case .intact(let entries, _) = try await store.audit.verify() else {
                    Issue.record("the audit chain should verify")
                    return
                }
                #expect(entries >= 6)
                let views = try await store.database.sql.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'report.view'").first()?
                    .decode(column: "n", as: Int.self)
                #expect((views ?? 0) >= 3)
                try await store.database.sql.raw("UPDATE audit_log SET detail = 'nothing happened' WHERE sequence = 3").run()
                let broken = try await store.audit.verify()
                #expect(broken == .broken(atSequence: 3, reason: "entry 3 was changed after it was written"))
            }
        }
    }

    @Test("passwords: wrong ones are refused alike, five lock the account, and a locked account refuses the right one")
    func lockout() async throws {
        let clock = TestClock()
        try await withTestApp(now: clock.reader) { client, scratch in
            let handler = try await createStaff(scratch, force: "metropolitan", roles: [.contactHandler], email: "lock@met.police.uk")
            var browser = TestBrowser(client: client)
            let unknown = try await browser.post("/metropolitan/staff/sign-in", [("email", "nobody@met.police.uk"), ("password", "whatever it is")])
            #expect(unknown.status == .unauthorized)
            #expect(unknown.html.contains("Enter a correct email address and password"))
            let empty = try await browser.post("/metropolitan/staff/sign-in", [("email", ""), ("password", "")])
            #expect(empty.status == .badRequest)
            #expect(empty.html.contains(##"href="#email""##))
            // Staff of one force cannot sign in at another force's address.
            let elsewhere = try await browser.post("/west-midlands/staff/sign-in", [("email", handler.member.email), ("password", handler.password)])
            #expect(elsewhere.status == .unauthorized)
            for attempt in 1...5 {
                let wrong = try await browser.post("/metropolitan/staff/sign-in", [("email", handler.member.email), ("password", "wrong password \(attempt)")])
                #expect(wrong.status == (attempt < 5 ? .unauthorized : .tooManyRequests))
            }
            let locked = try await browser.post("/metropolitan/staff/sign-in", [("email", handler.member.email), ("password", handler.password)])
            #expect(locked.status == .tooManyRequests)
            clock.advance(16 * 60)
            let after = try await browser.signIn(handler, force: "metropolitan", clock: clock)
            #expect(after.path == "/metropolitan/staff/")
        }
    }

    @Test("codes: a password alone opens nothing, a replayed code is refused, and the session id changes at sign-in")
    func codesAndFixation() async throws {
        let clock = TestClock()
        try await withTestApp(now: clock.reader) { client, scratch in
            let handler = try await createStaff(scratch, force: "metropolitan", roles: [.contactHandler], email: "codes@met.police.uk")
            var browser = TestBrowser(client: client)
            let first = try await browser.post("/metropolitan/staff/sign-in", [("email", handler.member.email), ("password", handler.password)])
            #expect(first.path == "/metropolitan/staff/sign-in/code")
            let pending = try #require(browser.cookies["peel_staff"])
            // Half signed in: the queue sends the person back to sign in.
            let queue = try await browser.get("/metropolitan/staff/")
            #expect(queue.path == "/metropolitan/staff/sign-in")
            let code = handler.totp.code(step: TOTP.step(at: clock.now))
            let wrong = try await browser.post("/metropolitan/staff/sign-in/code", [("code", code == "000000" ? "111111" : "000000")])
            #expect(wrong.status == .unauthorized)
            let accepted = try await browser.post("/metropolitan/staff/sign-in/code", [("code", code)])
            #expect(accepted.path == "/metropolitan/staff/")
            let signedIn = try #require(browser.cookies["peel_staff"])
            #expect(signedIn != pending)
            // The pending id is worth nothing now.
            var attacker = TestBrowser(client: client)
            attacker.cookies["peel_staff"] = pending
            #expect(try await attacker.get("/metropolitan/staff/").path == "/metropolitan/staff/sign-in")
            // The same code again, from another sign-in within its 30 seconds: a replay.
            var second = TestBrowser(client: client)
            _ = try await second.post("/metropolitan/staff/sign-in", [("email", handler.member.email), ("password", handler.password)])
            let replay = try await second.post("/metropolitan/staff/sign-in/code", [("code", code)])
            #expect(replay.status == .unauthorized)
        }
    }

    @Test("sessions: cookie flags, no-store, idle and absolute timeouts, sign out everywhere, CSRF")
    func sessions() async throws {
        let clock = TestClock()
        try await withTestApp(extra: ["PEEL_PUBLIC_URL": "https://peel.example"], now: clock.reader) { client, scratch in
            let handler = try await createStaff(scratch, force: "metropolitan", roles: [.contactHandler], email: "sess@met.police.uk")
            var browser = TestBrowser(client: client)
            _ = try await browser.post("/metropolitan/staff/sign-in", [("email", handler.member.email), ("password", handler.password)])
            let response = try await client.execute(
                uri: "/metropolitan/staff/sign-in/code", method: .post,
                headers: [.cookie: browser.cookieHeader, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "csrf_token=\(browser.cookies["peel_csrf"] ?? "")&code=\(handler.totp.code(step: TOTP.step(at: clock.now)))"))
            let cookie = try #require(response.headers[values: .setCookie].first { $0.hasPrefix("peel_staff=") })
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("Secure"))
            #expect(cookie.contains("SameSite=Strict"))
            browser.remember(response)
            let queue = try await client.execute(uri: "/metropolitan/staff/", method: .get, headers: [.cookie: browser.cookieHeader])
            #expect(queue.status == .ok)
            #expect(queue.headers[.cacheControl] == "no-store")

            // CSRF: a state change without the token is refused.
            let forged = try await client.execute(
                uri: "/metropolitan/staff/sign-out-everywhere", method: .post,
                headers: [.cookie: browser.cookieHeader, .contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: ""))
            #expect(forged.status == .forbidden)

            // Idle: 29 minutes is fine, 31 more is not.
            clock.advance(29 * 60)
            #expect(try await browser.get("/metropolitan/staff/").path == "/metropolitan/staff/")
            clock.advance(31 * 60)
            #expect(try await browser.get("/metropolitan/staff/").path == "/metropolitan/staff/sign-in")

            // Absolute: busy all day, still signed out after 12 hours.
            try await browser.signIn(handler, force: "metropolitan", clock: clock)
            for _ in 0..<37 {
                clock.advance(20 * 60)
                _ = try await browser.get("/metropolitan/staff/")
            }
            #expect(try await browser.get("/metropolitan/staff/").path == "/metropolitan/staff/sign-in")

            // Sign out everywhere ends the other device's session too.
            try await browser.signIn(handler, force: "metropolitan", clock: clock)
            var phone = TestBrowser(client: client)
            try await phone.signIn(handler, force: "metropolitan", clock: clock)
            #expect(try await phone.get("/metropolitan/staff/").path == "/metropolitan/staff/")
            let out = try await browser.post("/metropolitan/staff/sign-out-everywhere", [])
            #expect(out.path == "/metropolitan/staff/sign-in")
            #expect(browser.cookies["peel_staff"] == nil)
            #expect(try await phone.get("/metropolitan/staff/").path == "/metropolitan/staff/sign-in")
        }
    }

    @Test("first sign-in enrols an authenticator with a QR code and shows recovery codes once; a recovery code signs in once")
    func enrolment() async throws {
        let clock = TestClock()
        try await withTestApp(now: clock.reader) { client, scratch in
            let account = try await createStaff(scratch, force: "metropolitan", roles: [.officer], email: "new@met.police.uk", enrolled: false)
            var browser = TestBrowser(client: client)
            let enrol = try await browser.post("/metropolitan/staff/sign-in", [("email", account.member.email), ("password", account.password)])
            #expect(enrol.path == "/metropolitan/staff/sign-in/enrol")
            #expect(enrol.html.contains("<svg"))
            let keyText = try #require(enrol.html.components(separatedBy: #"<code class="staff-secret">"#).dropFirst().first?
                .components(separatedBy: "</code>").first)
            let secret = try #require(Base32.decode(keyText))
            let totp = TOTP(secret: secret)
            // The page shows the same secret when reloaded.
            #expect(try await browser.get("/metropolitan/staff/sign-in/enrol").html.contains(keyText))
            let done = try await browser.post("/metropolitan/staff/sign-in/enrol", [("code", totp.code(step: TOTP.step(at: clock.now)))])
            #expect(done.status == .ok)
            let codes = done.html.components(separatedBy: "<li><code>").dropFirst().compactMap { $0.components(separatedBy: "</code>").first }
            #expect(codes.count == 10)
            #expect(try await browser.get("/metropolitan/staff/account").html.contains("10"))

            var other = TestBrowser(client: client)
            _ = try await other.post("/metropolitan/staff/sign-in", [("email", account.member.email), ("password", account.password)])
            let recovered = try await other.post("/metropolitan/staff/sign-in/code", [("code", codes[0].lowercased())])
            #expect(recovered.path == "/metropolitan/staff/")
            var again = TestBrowser(client: client)
            _ = try await again.post("/metropolitan/staff/sign-in", [("email", account.member.email), ("password", account.password)])
            let reused = try await again.post("/metropolitan/staff/sign-in/code", [("code", codes[0])])
            #expect(reused.status == .unauthorized)
        }
    }
}

@Suite("Back office: force administration")
struct ForceAdministrationTests {
    @Test("an administrator invites a member of staff by email; the link sets a password once; roles and deactivation take effect")
    func invitation() async throws {
        let clock = TestClock()
        try await withTestApp(now: clock.reader) { client, scratch in
            let admin = try await createStaff(scratch, force: "metropolitan", roles: [.forceAdministrator], email: "admin@met.police.uk", name: "Ada Admin")
            var browser = TestBrowser(client: client)
            try await browser.signIn(admin, force: "metropolitan", clock: clock)
            // An administrator alone does not read reports.
            #expect(try await browser.get("/metropolitan/staff/").status == .forbidden)
            let invalid = try await browser.post("/metropolitan/staff/admin/staff", [("name", ""), ("email", "not an email")])
            #expect(invalid.status == .badRequest)
            #expect(invalid.html.contains("Choose at least one role"))
            let sent = try await browser.post(
                "/metropolitan/staff/admin/staff", [("name", "Nia Newcomer"), ("email", "nia@met.police.uk"), ("roles", "officer")])
            #expect(sent.html.contains("Invitation sent to nia@met.police.uk"))

            // The worker sends the email to the local mailbox.
            var link: String?
            for _ in 0..<100 where link == nil {
                let mailbox = try await client.execute(uri: "/_dev/mailbox.json", method: .get)
                link = mailbox.text.replacingOccurrences(of: "\\/", with: "/")
                    .components(separatedBy: "/metropolitan/staff/join?token=").dropFirst().first
                    .map { "/metropolitan/staff/join?token=" + String($0.prefix(43)) }
                if link == nil { try await Task.sleep(for: .milliseconds(50)) }
            }
            let joinPath = try #require(link)
            var newcomer = TestBrowser(client: client)
            let join = try await newcomer.get(joinPath)
            #expect(join.html.contains("Nia Newcomer"))
            let token = String(joinPath.split(separator: "=").last ?? "")
            let weak = try await newcomer.post("/metropolitan/staff/join", [("token", token), ("password", "password1234")])
            #expect(weak.status == .badRequest)
            #expect(weak.html.contains("too common"))
            let joined = try await newcomer.post("/metropolitan/staff/join", [("token", token), ("password", "lantern orchard pebble")])
            #expect(joined.path == "/metropolitan/staff/sign-in")
            #expect(try await newcomer.get(joinPath).status == .notFound)
            let signIn = try await newcomer.post(
                "/metropolitan/staff/sign-in", [("email", "nia@met.police.uk"), ("password", "lantern orchard pebble")])
            #expect(signIn.path == "/metropolitan/staff/sign-in/enrol")

            // The administrator makes her a supervisor too, then deactivates her: her session ends.
            let member = try #require(try await withStoreValue(scratch) { try await $0.staff.find(email: "nia@met.police.uk") })
            let roles = try await browser.post(
                "/metropolitan/staff/admin/staff/\(member.id)", [("roles", "officer"), ("roles", "supervisor"), ("active", "yes")])
            #expect(roles.html.contains("Nia Newcomer saved"))
            #expect(try await withStoreValue(scratch) { try await $0.staff.find(id: member.id)?.roles } == [.officer, .supervisor])
            _ = try await browser.post("/metropolitan/staff/admin/staff/\(member.id)", [("roles", "officer")])
            #expect(try await newcomer.get("/metropolitan/staff/sign-in/enrol").path == "/metropolitan/staff/sign-in")
            // Administrators cannot lock themselves out.
            let own = try await browser.post("/metropolitan/staff/admin/staff/\(admin.member.id)", [("roles", "officer"), ("active", "yes")])
            #expect(own.status == .conflict)
        }
    }

    @Test("an administrator turns a service off and words it in both languages, or is told why not")
    func services() async throws {
        let clock = TestClock()
        try await withTestApp(now: clock.reader) { client, scratch in
            let admin = try await createStaff(scratch, force: "metropolitan", roles: [.forceAdministrator], email: "svc@met.police.uk")
            var browser = TestBrowser(client: client)
            try await browser.signIn(admin, force: "metropolitan", clock: clock)
            let page = try await browser.get("/metropolitan/staff/admin/services")
            #expect(page.html.contains("report-theft-title-en"))
            let half = try await browser.post("/metropolitan/staff/admin/services/report-theft", [("enabled", "yes"), ("title-en", "Report a theft to the Met")])
            #expect(half.status == .badRequest)
            #expect(half.html.contains("Give the title in both English and Welsh"))
            let saved = try await browser.post(
                "/metropolitan/staff/admin/services/report-theft",
                [("title-en", "Report a theft to the Met"), ("title-cy", "Rhoi gwybod am ladrad i'r Met")])
            #expect(saved.html.contains("saved"))
            let setting = try await withStoreValue(scratch) { try await $0.serviceSettings.settings(for: ForceID("metropolitan"))["report-theft"] }
            #expect(setting?.enabled == false)
            #expect(setting?.title[.welsh] == "Rhoi gwybod am ladrad i'r Met")
            #expect(try await browser.post("/metropolitan/staff/admin/services/no-such-service", []).status == .notFound)

            // The wording of one page, in both languages, reaches the public journey.
            let definition = try #require(try ServiceCatalogue.bundled().service("report-crime"))
            let first = try #require(definition.pages.first { $0.id == definition.start })
            let pagesForm = try await browser.get("/metropolitan/staff/admin/services/report-crime/pages")
            #expect(pagesForm.html.contains("\(first.id)-title-cy"))
            let halfPage = try await browser.post(
                "/metropolitan/staff/admin/services/report-crime/pages", [("\(first.id)-title-en", "Is anyone in danger right now?")])
            #expect(halfPage.status == .badRequest)
            #expect(halfPage.html.contains("in both English and Welsh"))
            let worded = try await browser.post(
                "/metropolitan/staff/admin/services/report-crime/pages",
                [("\(first.id)-title-en", "Is anyone in danger right now?"), ("\(first.id)-title-cy", "A oes unrhyw un mewn perygl nawr?")])
            #expect(worded.html.contains("Page wording saved"))
            var person = TestBrowser(client: client)
            _ = try await person.get("/metropolitan/services/report-crime")
            let firstPage = try await person.post("/metropolitan/services/report-crime", [])
            #expect(firstPage.html.contains("Is anyone in danger right now?"))
            person.language = .welsh
            #expect(try await person.get(firstPage.path).html.contains("A oes unrhyw un mewn perygl nawr?"))
            #expect(try await browser.get("/metropolitan/staff/admin/services/no-such-service/pages").status == .notFound)
        }
    }
}

@Suite("Back office: bad input")
struct BackOfficeBadInputTests {
    @Test("malformed filters, hostile search text, oversized notes and bad force details are refused with the error summary, and change nothing")
    func refused() async throws {
        let clock = TestClock()
        try await withTestApp(now: clock.reader) { client, scratch in
            _ = try await submitReport(client)
            let account = try await createStaff(
                scratch, force: "metropolitan", roles: [.contactHandler, .forceAdministrator], email: "bad@met.police.uk")
            var browser = TestBrowser(client: client)
            try await browser.signIn(account, force: "metropolitan", clock: clock)
            let filters = try await browser.get("/metropolitan/staff/?status=lost&grade=urgent&service=nope&assigned=them&from=2026-02-30&to=tomorrow&q=%25")
            #expect(filters.status == .badRequest)
            for message in ["Choose a status from the list", "Choose a grade from the list", "Choose a service from the list",
                            "Choose who the reports are assigned to", "Enter the start date as YYYY-MM-DD", "Enter the end date as YYYY-MM-DD",
                            "Enter at least 2 letters or numbers to search for"] {
                #expect(filters.html.contains(message), "missing: \(message)")
            }
            let hostile = try await browser.get("/metropolitan/staff/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
            #expect(hostile.status == .ok)
            #expect(!hostile.html.contains("<script>alert(1)"))
            #expect(try await browser.get("/metropolitan/staff/?page=-4").status == .ok)
            #expect(try await browser.get("/metropolitan/staff/reports/..%2F..%2Fetc").status == .notFound)

            let queue = try await browser.get("/metropolitan/staff/")
            let reportPath = try #require(links(in: queue.html).first { $0.hasPrefix("/metropolitan/staff/reports/") })
            let before = try await browser.get(reportPath).html.components(separatedBy: "<li><p><strong>").count
            let long = try await browser.post("\(reportPath)/note", [("note", String(repeating: "x", count: 4001))])
            #expect(long.status == .badRequest)
            #expect(long.html.contains("Note must be 4000 characters or fewer"))
            let empty = try await browser.post("\(reportPath)/note", [("note", "   ")])
            #expect(empty.status == .badRequest)
            let closing = try await browser.post("\(reportPath)/status", [("status", "closed")])
            #expect(closing.status == .conflict)
            #expect(closing.html.contains("Choose an outcome to close the report"))
            #expect(try await browser.get(reportPath).html.components(separatedBy: "<li><p><strong>").count == before)

            let details = try await browser.post(
                "/metropolitan/staff/admin/force",
                [("onboarding", "everything"), ("phone", "call us"), ("website", "http://example.com"), ("brand-colour", "#ffff00"),
                 ("intro-en", ""), ("intro-cy", "Croeso")])
            #expect(details.status == .badRequest)
            for message in ["Choose which services the force offers", "Enter a phone number", "starting https://",
                            "Choose a darker brand colour", "Enter the English introduction"] {
                #expect(details.html.contains(message), "missing: \(message)")
            }
            let saved = try await browser.post(
                "/metropolitan/staff/admin/force",
                [("onboarding", "core"), ("phone", "101"), ("text-number", ""), ("website", "https://www.met.police.uk"),
                 ("brand-colour", "#0B3D91"), ("intro-en", "Contact the Met online."), ("intro-cy", "Cysylltwch â'r Met ar-lein.")])
            #expect(saved.html.contains("Force details saved"))
            let force = try await withStoreValue(scratch) { try await $0.forces.find(ForceID("metropolitan")) }
            #expect(force?.onboarding == .core)
            #expect(force?.definition.brandColour == "#0b3d91")
            let home = try await browser.get("/metropolitan/")
            #expect(home.html.contains("Contact the Met online."))
        }
    }
}

/// Reads one value from a test instance's store.
func withStoreValue<T: Sendable>(_ scratch: ScratchDatabase, _ body: (Store) async throws -> T) async throws -> T {
    var value: T?
    try await withStore(of: scratch) { store in value = try await body(store) }
    return value!
}

@Suite("Back office: the national team")
struct NationalTeamTests {
    @Test("a national administrator signs in at the national address, onboards a force and reads the catalogue, and reads no force's pages")
    func national() async throws {
        let clock = TestClock()
        try await withTestApp(now: clock.reader) { client, scratch in
            let admin = try await createStaff(scratch, force: "", roles: [.nationalAdministrator], email: "team@police.uk", name: "Nat Team")
            let handler = try await createStaff(scratch, force: "metropolitan", roles: [.contactHandler], email: "h@met.police.uk")
            var browser = TestBrowser(client: client)
            // Not at a force's address, and a force's staff not at the national one.
            let atForce = try await browser.post("/metropolitan/staff/sign-in", [("email", admin.member.email), ("password", admin.password)])
            #expect(atForce.status == .unauthorized)
            var other = TestBrowser(client: client)
            let forceAtNational = try await other.post("/national/staff/sign-in", [("email", handler.member.email), ("password", handler.password)])
            #expect(forceAtNational.status == .unauthorized)

            _ = try await browser.post("/national/staff/sign-in", [("email", admin.member.email), ("password", admin.password)])
            clock.advance(30)
            let home = try await browser.post("/national/staff/sign-in/code", [("code", admin.totp.code(step: TOTP.step(at: clock.now)))])
            #expect(home.path == "/national/staff/")
            #expect(home.html.contains("West Midlands Police"))
            let saved = try await browser.post("/national/staff/forces/west-midlands", [("onboarding", "core")])
            #expect(saved.html.contains("West Midlands Police saved"))
            #expect(try await withStoreValue(scratch) { try await $0.forces.find(ForceID("west-midlands"))?.onboarding } == .core)
            #expect(try await browser.post("/national/staff/forces/west-midlands", [("onboarding", "everything")]).status == .badRequest)
            #expect(try await browser.post("/national/staff/forces/atlantis", [("onboarding", "core")]).status == .notFound)
            let catalogue = try await browser.get("/national/staff/catalogue")
            #expect(catalogue.html.contains("report-crime"))
            #expect(try await browser.get("/metropolitan/staff/").status == .notFound)
            let audit = try await withStoreValue(scratch) { try await $0.audit.entries(subject: "force:west-midlands", force: ForceID("west-midlands")) }
            #expect(audit.map(\.action) == ["force.onboarding"])

            // Reports: none until the force grants it; then read only, audited in the force's log.
            let reference = try await submitReport(client)
            #expect(try await browser.get("/national/staff/forces/metropolitan/reports").status == .notFound)
            let forceAdmin = try await createStaff(scratch, force: "metropolitan", roles: [.forceAdministrator], email: "fa@met.police.uk")
            var adminBrowser = TestBrowser(client: client)
            try await adminBrowser.signIn(forceAdmin, force: "metropolitan", clock: clock)
            let form = try await adminBrowser.get("/metropolitan/staff/admin/force")
            #expect(form.html.contains("national-access"))
            let granted = try await adminBrowser.post(
                "/metropolitan/staff/admin/force",
                [("onboarding", "full"), ("phone", "101"), ("website", "https://www.met.police.uk"), ("brand-colour", "#0b3d91"),
                 ("intro-en", "Contact the Met."), ("intro-cy", "Cysylltwch â'r Met."), ("national-access", "yes")])
            #expect(granted.html.contains("Force details saved"))
            let queue = try await browser.get("/national/staff/forces/metropolitan/reports?q=\(reference)")
            #expect(queue.status == .ok)
            let reportPath = try #require(links(in: queue.html).first { $0.hasPrefix("/national/staff/forces/metropolitan/reports/") })
            let report = try await browser.get(reportPath)
            #expect(report.html.contains("Report \(reference)"))
            #expect(!report.html.contains("<form method=\"post\" action=\"/metropolitan/"))
            let views = try await withStoreValue(scratch) { store in
                try await store.audit.entries(force: ForceID("metropolitan"), limit: 50).filter { $0.action == "report.view" && $0.actorID == admin.member.id }
            }
            #expect(views.count == 1)
            _ = try await adminBrowser.post(
                "/metropolitan/staff/admin/force",
                [("onboarding", "full"), ("phone", "101"), ("website", "https://www.met.police.uk"), ("brand-colour", "#0b3d91"),
                 ("intro-en", "Contact the Met."), ("intro-cy", "Cysylltwch â'r Met.")])
            #expect(try await browser.get(reportPath).status == .notFound)
        }
    }
}
