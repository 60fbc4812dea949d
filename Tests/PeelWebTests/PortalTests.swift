import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PeelApp
import PeelCore
import PeelForms
import PeelStore
import PeelTestSupport
import PeelWeb
import SQLKit
import Testing

/// Waits (up to twenty seconds, for a machine running the whole suite) until `condition` holds, for what the job worker does in the background.
func eventually(_ what: String, _ condition: () async throws -> Bool) async throws {
    for _ in 0..<400 {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("timed out waiting for \(what)")
}

@Suite("MyPolice: the person follows their report and messages the officer in charge")
struct PortalTests {
    @Test("a person reports, signs in with the emailed code, messages the force; the officer answers from the back office; the person is told and reads it; the records system's status shows on the timeline",
        arguments: TestEngine.all)
    func endToEnd(engine: TestEngine) async throws {
        let clock = TestClock()
        try await withTestApp(engine, now: clock.reader) { client, scratch in
            let reference = try await submitReport(client)
            var person = TestBrowser(client: client)
            let home = try await person.signInToPortalFromMailbox(email: "walker@example.org")
            #expect(home.path == "/metropolitan/my/")
            #expect(home.status == .ok)
            #expect(home.html.contains(reference))
            #expect(home.html.contains("Received: we are looking at your report"))
            let reportPath = "/metropolitan/my/reports/\(reference)"
            let page = try await person.get(reportPath)
            #expect(page.status == .ok)
            #expect(page.html.contains("Report \(reference)"))
            #expect(page.html.contains("You made this report"))
            #expect(page.html.contains("Not yet given to an officer"))

            let sent = try await person.post("\(reportPath)/messages", [("message", "Is there any CCTV from the shop?\nThanks")])
            #expect(sent.status == .ok)
            #expect(sent.html.contains("Your message has been sent."))
            #expect(sent.html.contains("Is there any CCTV from the shop?"))

            // The handler assigns an officer; the officer sees the message, unread, and answers.
            let handler = try await createStaff(scratch, force: "metropolitan", roles: [.contactHandler], email: "handler@met.police.uk", name: "Hana Handler")
            let officer = try await createStaff(scratch, force: "metropolitan", roles: [.officer], email: "officer@met.police.uk", name: "Omar Officer")
            var handlerBrowser = TestBrowser(client: client)
            try await handlerBrowser.signIn(handler, force: "metropolitan", clock: clock)
            let queue = try await handlerBrowser.get("/metropolitan/staff/?q=\(reference.lowercased())")
            #expect(queue.html.contains("1 new message"))
            let staffPath = try #require(links(in: queue.html).first { $0.hasPrefix("/metropolitan/staff/reports/") })
            // The first look by someone who can answer shows the message as new, and reads it.
            let assigned = try await handlerBrowser.post("\(staffPath)/assign", [("officer", officer.member.id)])
            #expect(assigned.html.contains("Is there any CCTV from the shop?"))
            #expect(assigned.html.contains(#"<strong class="tag">New</strong>"#))
            var officerBrowser = TestBrowser(client: client)
            try await officerBrowser.signIn(officer, force: "metropolitan", clock: clock)
            let staffView = try await officerBrowser.get(staffPath)
            #expect(staffView.html.contains("Is there any CCTV from the shop?"))
            #expect(!staffView.html.contains(#"<strong class="tag">New</strong>"#))
            let empty = try await officerBrowser.post("\(staffPath)/messages", [("message", "  ")])
            #expect(empty.status == .badRequest)
            #expect(empty.html.contains("Enter the message"))
            let replied = try await officerBrowser.post("\(staffPath)/messages", [("message", "We have asked the shop for its CCTV.")])
            #expect(replied.status == .ok)
            #expect(replied.html.contains("We have asked the shop for its CCTV."))
            #expect(!replied.html.contains(#"<strong class="tag">New</strong>"#))

            // The person is told there is an update, by email, without what it says.
            try await eventually("the update notification") {
                try await queuedNotifications(scratch).contains { $0.template == .newUpdate && $0.recipient == "walker@example.org" }
            }
            let update = try #require(try await queuedNotifications(scratch).last { $0.template == .newUpdate })
            #expect(update.channel == .email)
            #expect(update.personalisation["reference"] == reference)
            #expect(update.personalisation["link"]?.hasSuffix(reportPath) == true)
            #expect(!update.personalisation.values.contains { $0.contains("CCTV") })

            let listed = try await person.get("/metropolitan/my/")
            #expect(listed.html.contains("1 new message(s)"))
            let reading = try await person.get(reportPath)
            #expect(reading.html.contains("We have asked the shop for its CCTV."))
            #expect(reading.html.contains("Omar Officer"))
            #expect(reading.html.contains(#"<strong class="tag">New</strong>"#))
            #expect(reading.html.contains("An officer was given your report"))
            let again = try await person.get(reportPath)
            #expect(!again.html.contains(#"<strong class="tag">New</strong>"#))

            // The records system gives its reference and a status: both on the person's timeline.
            try await withStore(of: scratch) { store in
                let outcome = try await store.hub.apply(
                    RecordsCallback(peelReference: reference, sequence: 1, recordsReference: "MET/4411/26", status: "Under investigation"),
                    force: ForceID("metropolitan"), at: clock.now)
                #expect(outcome == .applied)
            }
            // A status from the records system is worth telling the person; its acknowledgement alone was not.
            // Three in all: the officer given the report, the answer, the status.
            try await eventually("the records system's status notification") {
                try await queuedNotifications(scratch).filter { $0.template == .newUpdate }.count == 3
            }
            let recorded = try await person.get(reportPath)
            #expect(recorded.html.contains("Your report was recorded as MET/4411/26"))
            #expect(recorded.html.contains("Update from our records: Under investigation"))
            #expect(recorded.html.contains("MET/4411/26"))

            // Welsh: the same page in the person's language.
            person.language = .welsh
            let welsh = try await person.get(reportPath + "?lang=cy")
            #expect(welsh.html.contains("Diweddariadau"))
            #expect(welsh.html.contains("Cofnodwyd eich adroddiad fel MET/4411/26"))
        }
    }

    @Test("codes: a wrong code says how many tries are left, five end it, an expired or used code is refused, and floods are limited",
        arguments: TestEngine.all)
    func codes(engine: TestEngine) async throws {
        let clock = TestClock()
        try await withTestApp(engine, now: clock.reader) { client, scratch in
            var person = TestBrowser(client: client)
            let empty = try await person.post("/metropolitan/my/sign-in", [("email", "")])
            #expect(empty.status == .badRequest)
            #expect(empty.html.contains(##"<a href="#email">Enter your email address</a>"##))
            let malformed = try await person.post("/metropolitan/my/sign-in", [("email", "not an address")])
            #expect(malformed.status == .badRequest)
            #expect(malformed.html.contains("Enter an email address in the correct format"))

            _ = try await person.post("/metropolitan/my/sign-in", [("email", "ana@example.org")])
            let code = try #require(try await queuedNotifications(scratch).last?.personalisation["code"])
            #expect(code.count == 6)
            let wrongCode = code == "000000" ? "111111" : "000000"
            let wrong = try await person.post("/metropolitan/my/sign-in/code", [("code", wrongCode)])
            #expect(wrong.status == .badRequest)
            #expect(wrong.html.contains("The code is not right. You can try 4 more times."))
            for _ in 0..<4 { _ = try await person.post("/metropolitan/my/sign-in/code", [("code", wrongCode)]) }
            let burnt = try await person.post("/metropolitan/my/sign-in/code", [("code", code)])
            #expect(burnt.status == .tooManyRequests)
            #expect(burnt.html.contains("Too many wrong codes. Ask for a new code."))

            // Expired after ten minutes.
            _ = try await person.post("/metropolitan/my/sign-in", [("email", "ana@example.org")])
            let second = try #require(try await queuedNotifications(scratch).last?.personalisation["code"])
            clock.advance(11 * 60)
            let expired = try await person.post("/metropolitan/my/sign-in/code", [("code", second)])
            #expect(expired.status == .badRequest)
            #expect(expired.html.contains("The code has expired."))

            // Used once: the same code again (a second tab, a replay) is refused.
            _ = try await person.post("/metropolitan/my/sign-in", [("email", "ana@example.org")])
            let third = try #require(try await queuedNotifications(scratch).last?.personalisation["code"])
            let pending = try #require(person.cookies["peel_my_code"])
            let signedIn = try await person.post("/metropolitan/my/sign-in/code", [("code", third)])
            #expect(signedIn.path == "/metropolitan/my/")
            var replay = TestBrowser(client: client)
            replay.cookies["peel_my_code"] = pending
            let reused = try await replay.post("/metropolitan/my/sign-in/code", [("code", third)])
            #expect(reused.status == .badRequest)
            #expect(reused.html.contains("This code has already been used."))
            #expect(replay.cookies["peel_my"] == nil)

            // Five codes an hour for one address; the sixth is refused and nothing is queued.
            var flood = TestBrowser(client: client)
            for _ in 0..<2 { _ = try await flood.post("/metropolitan/my/sign-in", [("email", "ana@example.org")]) }
            let before = try await queuedNotifications(scratch).count
            let refused = try await flood.post("/metropolitan/my/sign-in", [("email", "ANA@example.org")])
            #expect(refused.status == .tooManyRequests)
            #expect(refused.html.contains("Too many codes have been sent to this email address."))
            #expect(try await queuedNotifications(scratch).count == before)
            // Twenty an hour from one client, whatever the addresses (this one has asked for five so far).
            for index in 0..<15 {
                let asked = try await flood.post("/metropolitan/my/sign-in", [("email", "person\(index)@example.org")])
                #expect(asked.path == "/metropolitan/my/sign-in/code")
            }
            let client21 = try await flood.post("/metropolitan/my/sign-in", [("email", "another@example.org")])
            #expect(client21.status == .tooManyRequests)
            #expect(client21.html.contains("Too many codes have been asked for from this device."))
            // An hour later, codes flow again.
            clock.advance(61 * 60)
            let later = try await flood.post("/metropolitan/my/sign-in", [("email", "ana@example.org")])
            #expect(later.path == "/metropolitan/my/sign-in/code")
        }
    }

    @Test("sessions: a new id at sign-in, no-store pages, strict cookies, a 15-minute idle timeout and sign-out")
    func sessions() async throws {
        let clock = TestClock()
        try await withTestApp(now: clock.reader) { client, scratch in
            var person = TestBrowser(client: client)
            let asked = try await client.execute(uri: "/metropolitan/my/sign-in", method: .get)
            #expect(asked.headers[.cacheControl] == "no-store")
            try await person.signInToPortal(scratch, email: "sam@example.org")
            let token = try #require(person.cookies["peel_my"])
            #expect(person.cookies["peel_my_code"] == nil)
            let response = try await client.execute(uri: "/metropolitan/my/", method: .get, headers: [.cookie: person.cookieHeader])
            #expect(response.status == .ok)
            #expect(response.headers[.cacheControl] == "no-store")
            // A second sign-in is a second session under another id.
            var other = TestBrowser(client: client)
            try await other.signInToPortal(scratch, email: "sam@example.org")
            #expect(other.cookies["peel_my"] != token)
            clock.advance(16 * 60)
            #expect(try await person.get("/metropolitan/my/").path == "/metropolitan/my/sign-in")
            try await other.signInToPortal(scratch, email: "sam@example.org")
            let out = try await other.post("/metropolitan/my/sign-out", [])
            #expect(out.path == "/metropolitan/my/sign-in")
            #expect(try await other.get("/metropolitan/my/account").path == "/metropolitan/my/sign-in")
        }
    }

    @Test("messages that are empty, too long or carry HTML are refused with the error summary and nothing is stored",
        arguments: TestEngine.all)
    func badMessages(engine: TestEngine) async throws {
        try await withTestApp(engine) { client, scratch in
            var report: Report?
            try await withStore(of: scratch) { store in
                report = try await seedReport(store, force: ForceID("metropolitan"), contactEmail: "Rhian@Example.org")
            }
            let reference = try #require(report?.reference)
            var person = TestBrowser(client: client)
            try await person.signInToPortal(scratch, email: "rhian@example.org")
            let path = "/metropolitan/my/reports/\(reference)/messages"
            let cases: [(String, String)] = [
                ("", "Enter a message"),
                (String(repeating: "a", count: PortalMessage.maximumLength + 1), "Your message must be 2,000 characters or fewer"),
                ("<script>alert(1)</script>", "Your message must be plain text"),
                ("Look at <a href=x>this</a>", "Your message must be plain text"),
                ("Tom &amp; Jerry", "Your message must be plain text"),
            ]
            for (text, message) in cases {
                let refused = try await person.post(path, [("message", text)])
                #expect(refused.status == .badRequest, "\(text.prefix(30))")
                #expect(refused.html.contains("error-summary"))
                #expect(refused.html.contains(message), "\(text.prefix(30))")
            }
            // Plain text with a less-than sign and an ampersand is fine, and shown escaped.
            let fine = try await person.post(path, [("message", "5 < 6 & that's fine")])
            #expect(fine.status == .ok)
            #expect(fine.html.contains("5 &lt; 6 &amp; that&#39;s fine") || fine.html.contains("5 &lt; 6 &amp; that's fine"))
            try await withStore(of: scratch) { store in
                let count = try await store.database.sql.raw("SELECT COUNT(*) AS n FROM report_messages").first()?.decode(column: "n", as: Int.self)
                #expect(count == 1)
            }
        }
    }

    @Test("asking for an update prompts the officer in charge by email, once a day at most")
    func requestUpdate() async throws {
        try await withTestApp { client, scratch in
            let officer = try await createStaff(scratch, force: "metropolitan", roles: [.officer], email: "oic@met.police.uk", name: "Olu Officer")
            var report: Report?
            try await withStore(of: scratch) { store in
                let seeded = try await seedReport(store, force: ForceID("metropolitan"), contactEmail: "ife@example.org")
                report = seeded
                _ = try await store.cases.apply(
                    .assign(staffID: officer.member.id, name: officer.member.name), reportID: seeded.id, force: ForceID("metropolitan"),
                    actor: officer.member, at: Date())
            }
            let reference = try #require(report?.reference)
            var person = TestBrowser(client: client)
            try await person.signInToPortal(scratch, email: "ife@example.org")
            let asked = try await person.post("/metropolitan/my/reports/\(reference)/request-update", [])
            #expect(asked.status == .ok)
            #expect(asked.html.contains("We have asked the officer dealing with your report for an update."))
            #expect(asked.html.contains("You asked for an update."))
            try await eventually("the officer's prompt") {
                try await queuedNotifications(scratch).contains { $0.template == .updateRequested && $0.recipient == "oic@met.police.uk" }
            }
            let again = try await person.post("/metropolitan/my/reports/\(reference)/request-update", [])
            #expect(again.status == .tooManyRequests)
            #expect(again.html.contains("You can ask again 24 hours after that."))
        }
    }

    @Test("withdrawn consent stops update emails; a mobile number and Welsh bring Welsh text messages; the person downloads their data",
        arguments: TestEngine.all)
    func consentAndData(engine: TestEngine) async throws {
        try await withTestApp(engine) { client, scratch in
            let staff = try await createStaff(scratch, force: "north-wales", roles: [.contactHandler], email: "h@nwp.police.uk", name: "Huw Handler")
            var report: Report?
            try await withStore(of: scratch) { store in
                report = try await seedReport(store, force: ForceID("north-wales"), contactEmail: "gwen@example.org")
            }
            let seeded = try #require(report)
            var person = TestBrowser(client: client)
            try await person.signInToPortal(scratch, email: "gwen@example.org", force: "north-wales")
            let badPhone = try await person.post("/north-wales/my/account", [("notify", "sms"), ("phone", "01234 5"), ("language", "en")])
            #expect(badPhone.status == .badRequest)
            #expect(badPhone.html.contains("Enter a UK mobile number"))
            let noPhone = try await person.post("/north-wales/my/account", [("notify", "sms"), ("phone", ""), ("language", "en")])
            #expect(noPhone.status == .badRequest)
            #expect(noPhone.html.contains("Enter a mobile number to be told by text message"))
            // Email withdrawn, text messages to a mobile, in Welsh.
            let saved = try await person.post("/north-wales/my/account", [("notify", "sms"), ("phone", "07700 900 123"), ("language", "cy")])
            #expect(saved.status == .ok)
            #expect(saved.html.contains("Your choices have been saved."))

            try await withStore(of: scratch) { store in
                _ = try await store.portal.reply(
                    reportID: seeded.id, force: ForceID("north-wales"), staff: staff.member, body: "Please call us.", at: Date())
            }
            try await eventually("the update text message") {
                try await queuedNotifications(scratch).contains { $0.template == .newUpdate }
            }
            let updates = try await queuedNotifications(scratch).filter { $0.template == .newUpdate }
            #expect(updates.count == 1)
            #expect(updates.first?.channel == .sms)
            #expect(updates.first?.recipient == "07700900123")
            #expect(updates.first?.language == .welsh)
            #expect(updates.first?.personalisation["force"] == "Heddlu Gogledd Cymru")

            // The Victims' Code page gives the force's own numbers, in the person's language.
            person.language = .welsh
            let code = try await person.get("/north-wales/my/victims-code")
            #expect(code.html.contains("I siarad â Heddlu Gogledd Cymru am eich adroddiad"))
            #expect(code.html.contains("ffoniwch 101"))
            let download = try await client.execute(uri: "/north-wales/my/account/data.json", method: .get, headers: [.cookie: person.cookieHeader])
            #expect(download.status == .ok)
            #expect(download.headers[.contentDisposition]?.contains("attachment") == true)
            let export = try JSONSerialization.jsonObject(with: Data(download.text.utf8)) as? [String: Any]
            let account = export?["account"] as? [String: Any]
            #expect(account?["email"] as? String == "gwen@example.org")
            #expect(account?["emailConsent"] as? Bool == false)
            let reports = export?["reports"] as? [[String: Any]]
            #expect(reports?.first?["reference"] as? String == seeded.reference)
            let messages = reports?.first?["messages"] as? [[String: Any]]
            #expect(messages?.first?["body"] as? String == "Please call us.")
            // What was sent to them, once the worker has sent it: the sign-in code's email, the update's text message.
            let sent = export?["notifications"] as? [[String: Any]] ?? []
            #expect(sent.contains { $0["template"] as? String == "sign-in-code" && $0["recipient"] as? String == "gwen@example.org" })
        }
    }

    @Test("the officer in charge's name and collar number show only where the force's administrator allows it")
    func officerShownByChoice() async throws {
        let clock = TestClock()
        try await withTestApp(now: clock.reader) { client, scratch in
            let officer = try await createStaff(scratch, force: "metropolitan", roles: [.officer], email: "pc@met.police.uk", name: "Priya Constable")
            let admin = try await createStaff(scratch, force: "metropolitan", roles: [.forceAdministrator], email: "fa@met.police.uk")
            var report: Report?
            try await withStore(of: scratch) { store in
                try await store.database.sql.raw("UPDATE staff SET collar_number = 'PC 4521' WHERE id = \(bind: officer.member.id)").run()
                let seeded = try await seedReport(store, force: ForceID("metropolitan"), contactEmail: "kit@example.org")
                report = seeded
                _ = try await store.cases.apply(
                    .assign(staffID: officer.member.id, name: officer.member.name), reportID: seeded.id, force: ForceID("metropolitan"),
                    actor: officer.member, at: Date())
            }
            let path = "/metropolitan/my/reports/\(try #require(report?.reference))"
            var person = TestBrowser(client: client)
            try await person.signInToPortal(scratch, email: "kit@example.org")
            #expect(try await person.get(path).html.contains("Priya Constable, collar number PC 4521"))
            var adminBrowser = TestBrowser(client: client)
            try await adminBrowser.signIn(admin, force: "metropolitan", clock: clock)
            let saved = try await adminBrowser.post(
                "/metropolitan/staff/admin/force",
                [("onboarding", "full"), ("phone", "101"), ("website", "https://www.met.police.uk"), ("brand-colour", "#0b3d91"),
                 ("intro-en", "Contact the Met."), ("intro-cy", "Cysylltwch â'r Met.")])
            #expect(saved.html.contains("Force details saved"))
            let hidden = try await person.get(path)
            #expect(!hidden.html.contains("Priya Constable"))
            #expect(hidden.html.contains("An officer is dealing with your report"))
        }
    }

    @Test("housekeeping deletes sessions past their timeouts and codes past the hour the limits count", arguments: TestEngine.all)
    func purge(engine: TestEngine) async throws {
        try await withTestApp(engine) { client, scratch in
            var person = TestBrowser(client: client)
            try await person.signInToPortal(scratch, email: "lee@example.org")
            try await withStore(of: scratch) { store in
                // Within the hour, nothing goes: the code still counts towards the limits.
                let early = try await store.citizens.purge(now: Date() + 60)
                #expect(early == 0)
                let late = try await store.citizens.purge(now: Date() + 3 * 3600)
                #expect(late == 2)
            }
            #expect(try await person.get("/metropolitan/my/").path == "/metropolitan/my/sign-in")
        }
    }
}
