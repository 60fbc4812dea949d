import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PeelApp
import PeelCore
import PeelForms
import PeelStore
import PeelWeb
import PeelTestSupport
import SQLKit
import Synchronization
import Testing

func reportCount(_ scratch: ScratchDatabase) async throws -> Int {
    var count = 0
    try await withStore(of: scratch) { store in
        count = try await store.database.sql.raw("SELECT COUNT(*) AS n FROM reports").first()?.decode(column: "n", as: Int.self) ?? -1
    }
    return count
}

/// Fills every page of the lost-property journey the short way; returns the browser at check answers.
func lostPropertyToCheckAnswers(_ browser: inout TestBrowser, force: String = "north-wales") async throws -> String {
    let base = "/\(force)/services/lost-property"
    _ = try await browser.post(base, [])
    var page = try await browser.post("\(base)/what-type", [("item-type", "other")])
    page = try await browser.post("\(base)/stolen", [("stolen", "no")])
    page = try await browser.post("\(base)/describe", [("item-description", "Black wallet")])
    page = try await browser.post("\(base)/photo", [])
    page = try await browser.post("\(base)/when", [("lost-when-mode", "exact"), ("lost-when-day", "1"), ("lost-when-month", "11"), ("lost-when-year", "2026")])
    page = try await browser.post("\(base)/where", [("lost-where-description", "Rhyl station")])
    page = try await browser.post("\(base)/transport", [("on-transport", "no")])
    page = try await browser.post("\(base)/your-name", [("name", "Sam Jones")])
    page = try await browser.post("\(base)/contact", [("email", "sam@example.org")])
    page = try await browser.post("\(base)/address", [])
    return page.path
}

@Suite("Journeys")
struct JourneyTests {
    @Test("choosing 'yes, it is an emergency' reaches the 999 page and creates no report", arguments: [Language.english, .welsh])
    func emergency(language: Language) async throws {
        try await withTestApp { client, scratch in
            var browser = TestBrowser(client: client)
            browser.language = language
            _ = try await browser.post("/metropolitan/services/report-crime", [])
            let page = try await browser.post("/metropolitan/services/report-crime/emergency", [("emergency-now", "yes")])
            #expect(page.path.hasSuffix("/call-999"))
            #expect(page.html.contains(language == .welsh ? "999" : "Call 999"))
            #expect(!page.html.contains("<form method=\"post\""))
            // Going to check answers from here is refused: the journey ends at the stop page.
            let check = try await browser.get("/metropolitan/services/report-crime/check-answers")
            #expect(check.path.hasSuffix("/call-999"))
            let sent = try await browser.post("/metropolitan/services/report-crime/check-answers", [])
            #expect(sent.path.hasSuffix("/call-999"))
            #expect(try await reportCount(scratch) == 0)
        }
    }

    @Test("sending twice gives one report and the same confirmation")
    func doubleSubmit() async throws {
        try await withTestApp { client, scratch in
            var browser = TestBrowser(client: client)
            let check = try await lostPropertyToCheckAnswers(&browser)
            #expect(check.hasSuffix("/check-answers"))
            let first = try await browser.post("/north-wales/services/lost-property/check-answers", [])
            let second = try await browser.post("/north-wales/services/lost-property/check-answers", [])
            #expect(first.path.hasSuffix("/confirmation"))
            #expect(second.path.hasSuffix("/confirmation"))
            let reference = first.html.firstMatch(of: /class="reference">([A-Z0-9-]+)</)?.1
            #expect(reference != nil)
            #expect(second.html.firstMatch(of: /class="reference">([A-Z0-9-]+)</)?.1 == reference)
            #expect(try await reportCount(scratch) == 1)
            // Answering a page after sending changes nothing.
            let late = try await browser.post("/north-wales/services/lost-property/describe", [("item-description", "Changed")])
            #expect(late.path.hasSuffix("/confirmation"))
        }
    }

    @Test("a journey survives a restart of Peel", arguments: TestEngine.all)
    func restart(engine: TestEngine) async throws {
        let scratch = try await ScratchDatabase.make(engine)
        let configuration = try testConfiguration(scratch)
        let saved = Mutex<[String: String]>([:])
        let first = try await buildApplication(configuration, logger: testLogger)
        try await first.test(.router) { client in
            var browser = TestBrowser(client: client)
            _ = try await browser.post("/north-wales/services/lost-property", [])
            _ = try await browser.post("/north-wales/services/lost-property/what-type", [("item-type", "other")])
            let cookies = browser.cookies
            saved.withLock { $0 = cookies }
        }
        let cookies = saved.withLock { $0 }
        let second = try await buildApplication(configuration, logger: testLogger)
        try await second.test(.router) { client in
            var browser = TestBrowser(client: client)
            browser.cookies = cookies
            let resumed = try await browser.get("/north-wales/services/lost-property/stolen")
            #expect(resumed.status == .ok)
            #expect(resumed.path.hasSuffix("/stolen"))
            let back = try await browser.get("/north-wales/services/lost-property/what-type")
            #expect(back.html.contains(#"value="other" checked"#))
        }
        await scratch.remove()
    }

    @Test("a page the answers no longer lead to is not accepted, and its stale answers are dropped")
    func stalePage() async throws {
        try await withTestApp { client, scratch in
            var browser = TestBrowser(client: client)
            let base = "/north-wales/services/lost-property"
            _ = try await browser.post(base, [])
            _ = try await browser.post("\(base)/what-type", [("item-type", "other")])
            _ = try await browser.post("\(base)/stolen", [("stolen", "no")])
            _ = try await browser.post("\(base)/describe", [("item-description", "Black wallet")])
            // The person goes back and says it was stolen: the route now ends at a signpost.
            let changed = try await browser.post("\(base)/stolen", [("stolen", "yes")])
            #expect(changed.path.hasSuffix("/report-theft"))
            // A stale page posted from another tab is refused with a redirect, not stored.
            let stale = try await browser.post("\(base)/when", [("lost-when-mode", "exact"), ("lost-when-day", "1"), ("lost-when-month", "1"), ("lost-when-year", "2026")])
            #expect(stale.path.hasSuffix("/report-theft"))
            // A page that was never shown cannot be answered either.
            let skipped = try await browser.post("\(base)/address", [("address-line1", "x")])
            #expect(skipped.path.hasSuffix("/report-theft"))
            #expect(try await reportCount(scratch) == 0)
        }
    }

    @Test("a form error shows the error summary and the field message, in the person's language, with 400")
    func errors() async throws {
        try await withTestApp { client, _ in
            var browser = TestBrowser(client: client)
            browser.language = .welsh
            _ = try await browser.post("/north-wales/services/lost-property", [])
            _ = try await browser.post("/north-wales/services/lost-property/what-type", [("item-type", "other")])
            _ = try await browser.post("/north-wales/services/lost-property/stolen", [("stolen", "no")])
            _ = try await browser.post("/north-wales/services/lost-property/describe", [("item-description", "Waled")])
            _ = try await browser.post("/north-wales/services/lost-property/photo", [])
            let page = try await browser.post(
                "/north-wales/services/lost-property/when",
                [("lost-when-mode", "exact"), ("lost-when-day", "31"), ("lost-when-month", "2"), ("lost-when-year", "2026")])
            #expect(page.status == .badRequest)
            #expect(page.html.contains(#"<h2 class="error-summary__title" id="error-summary-title">Mae problem</h2>"#))
            #expect(page.html.contains(##"<a href="#lost-when-day">"##))
            #expect(page.html.contains("fod yn ddyddiad go iawn"))
            #expect(page.html.contains(#"<title>Gwall: "#))
            // What was typed is shown again.
            #expect(page.html.contains(#"value="31""#))
        }
    }

    @Test("fuzzed answers on every page type get 4xx with an error summary, never 5xx")
    func fuzz() async throws {
        let catalogue = try ServiceCatalogue.bundled()
        // One question page of every type from the catalogue, reached by its planned walk.
        var targets: [Question.Kind: (ServiceDefinition, String, PlannedWalk)] = [:]
        for definition in catalogue.services {
            let (walks, _) = WalkPlanner.plan(definition, patience: 50)
            for page in definition.pages where page.kind == .question {
                for question in page.questions where targets[question.type] == nil {
                    if let walk = walks.first(where: { $0.pages.contains(page.id) }) { targets[question.type] = (definition, page.id, walk) }
                }
            }
        }
        // Every type the catalogue uses is fuzzed (the engine tests read every type directly).
        let used = Set(catalogue.services.flatMap { $0.pages.flatMap { $0.questions.map(\.type) } })
        #expect(Set(targets.keys) == used)
        let junk = [
            "", " ", String(repeating: "x", count: 20_000), "<script>alert(1)</script>", "\u{0}\u{1}\u{7F}", "%ZZ", "'; DROP TABLE reports; --",
            "31", "-1", "99999999999999999999", "2026-02-30", "ё̈́🙂", "yes", "on", "\r\n\r\n",
        ]
        let chosen = targets.sorted(by: { $0.key.rawValue < $1.key.rawValue }).map(\.value)
        try await withTestApp { client, scratch in
            var random = SeededRandom(state: 42)
            for target in chosen {
                let (definition, pageID, walk) = target
                guard let page = definition.pages.first(where: { $0.id == pageID }) else { continue }
                let names = page.questions.flatMap { question -> [String] in
                    var turns: [String: Int] = [:]
                    return AnswerGenerator.fields(question, &random, turns: &turns).map(\.0) + [question.id]
                }
                for attempt in 0..<12 {
                    var browser = TestBrowser(client: client)
                    var walker = JourneyWalker(definition: definition, force: ForceID("metropolitan"), plan: walk)
                    // Walk to the page, then post junk to it.
                    let reached = try await walker.walk(&browser, stoppingAt: pageID)
                    guard reached else { continue }
                    let fields = names.map { ($0, junk[Int.random(in: 0..<junk.count, using: &random)]) }
                        + (attempt % 3 == 0 ? [("unexpected-field", "value")] : [])
                    let response = try await browser.post("/metropolitan/services/\(definition.id)/\(pageID)", fields)
                    #expect(response.status.code < 500, "\(definition.id)/\(pageID) answered \(response.status)")
                    if response.status == .badRequest {
                        #expect(response.html.contains("error-summary"), "\(definition.id)/\(pageID) 400 without a summary")
                    }
                }
            }
            #expect(try await reportCount(scratch) == 0)
        }
    }
}

@Suite("Services on a force's site")
struct ForceServicesTests {
    @Test("a force offers services by its model; one not onboarded offers none")
    func offered() async throws {
        try await withTestApp { client, _ in
            let core = try await client.execute(uri: "/btp/services/report-crime", method: .get)
            #expect(core.status == .ok)
            let fullOnly = try await client.execute(uri: "/btp/services/firearm-certificate-apply", method: .get)
            #expect(fullOnly.status == .notFound)
            let full = try await client.execute(uri: "/metropolitan/services/firearm-certificate-apply", method: .get)
            #expect(full.status == .ok)
            let none = try await client.execute(uri: "/kent/services/report-crime", method: .get)
            #expect(none.status == .notFound)
            let list = try await client.execute(uri: "/kent/services", method: .get)
            #expect(list.status == .notFound)
            let unknown = try await client.execute(uri: "/metropolitan/services/no-such-service", method: .get)
            #expect(unknown.status == .notFound)
        }
    }

    @Test("a journey belongs to the force it was started on")
    func tenancy() async throws {
        try await withTestApp { client, scratch in
            var browser = TestBrowser(client: client)
            _ = try await browser.post("/metropolitan/services/lost-property", [])
            _ = try await browser.post("/metropolitan/services/lost-property/what-type", [("item-type", "other")])
            // The same journey id presented on another force's site finds nothing there.
            let id = try #require(browser.cookies["peel_j_lost-property"])
            var other = TestBrowser(client: client)
            other.cookies["peel_j_lost-property"] = id
            let page = try await other.get("/north-wales/services/lost-property/stolen")
            #expect(page.path == "/north-wales/services/lost-property")
            let post = try await other.post("/north-wales/services/lost-property/stolen", [("stolen", "no")])
            #expect(post.path == "/north-wales/services/lost-property")
            try await withStore(of: scratch) { store in
                let there = try await store.journeys.find(id, force: ForceID("north-wales"))
                let here = try await store.journeys.find(id, force: ForceID("metropolitan"))
                #expect(there == nil)
                #expect(here != nil)
            }
        }
    }

    @Test("the services API lists a force's services with their titles in both languages")
    func api() async throws {
        try await withTestApp { client, _ in
            let response = try await client.execute(uri: "/api/v1/services?force=btp", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            struct Body: Decodable {
                struct Service: Decodable { let id: String; let version: Int; let title: [String: String]; let enabled: Bool }
                let force: String
                let services: [Service]
            }
            let body = try JSONDecoder().decode(Body.self, from: Data(response.text.utf8))
            #expect(body.force == "btp")
            #expect(body.services.count >= 40)
            #expect(body.services.first { $0.id == "report-crime" }?.enabled == true)
            #expect(body.services.first { $0.id == "firearm-certificate-apply" }?.enabled == false)
            #expect(body.services.first { $0.id == "report-crime" }?.title["cy"]?.isEmpty == false)

            let unknown = try await client.execute(uri: "/api/v1/services?force=atlantis", method: .get)
            #expect(unknown.status == .notFound)
            #expect(unknown.text == #"{"error":{"code":"unknown_force","message":"There is no force with id 'atlantis'."}}"#)
            let missing = try await client.execute(uri: "/api/v1/services", method: .get)
            #expect(missing.status == .badRequest)
            #expect(missing.text.contains(#""code":"force_required""#))
        }
    }

    @Test("the confirmation email reaches the local mailbox; a sensitive service's says nothing of the answers")
    func mailbox() async throws {
        try await withTestApp { client, _ in
            var browser = TestBrowser(client: client)
            _ = try await lostPropertyToCheckAnswers(&browser)
            let sent = try await browser.post("/north-wales/services/lost-property/check-answers", [])
            let reference = try #require(sent.html.firstMatch(of: /class="reference">([A-Z0-9-]+)</)?.1)
            var messages = ""
            for _ in 0..<100 {
                messages = try await client.execute(uri: "/_dev/mailbox.json", method: .get).text
                if messages.contains(String(reference)) { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(messages.contains("Your reference: \(reference)"))
            #expect(messages.contains("Black wallet"))
            let html = try await client.execute(uri: "/_dev/mailbox", method: .get)
            #expect(html.status == .ok)
            #expect(html.text.contains(String(reference)))
        }
    }
}

@Suite("Save and return")
struct SaveAndReturnTests {
    @Test("a person saves, gets a code by email, and carries on from another device")
    func saveAndResume() async throws {
        try await withTestApp { client, _ in
            var phone = TestBrowser(client: client)
            let base = "/north-wales/services/lost-property"
            _ = try await phone.post(base, [])
            _ = try await phone.post("\(base)/what-type", [("item-type", "other")])
            _ = try await phone.post("\(base)/stolen", [("stolen", "no")])
            let bad = try await phone.post("\(base)/save", [("email", "not-an-email")])
            #expect(bad.status == .badRequest)
            #expect(bad.html.contains("error-summary"))
            let saved = try await phone.post("\(base)/save", [("email", "sam@example.org")])
            let code = try #require(saved.html.firstMatch(of: /class="reference return-code">([A-Z0-9-]+)</)?.1).description
            #expect(ReturnCode.normalise(code) == code)

            var mail = ""
            for _ in 0..<100 {
                mail = try await client.execute(uri: "/_dev/mailbox.json", method: .get).text
                if mail.contains(code) { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(mail.contains("resume?code=\(code)"))
            #expect(!mail.contains("Something else"))  // never the answers

            // Another device: no cookies. A wrong code is refused with the error summary.
            var laptop = TestBrowser(client: client)
            let wrong = try await laptop.post("\(base)/resume", [("code", "ZZZZZ-ZZZZZ")])
            #expect(wrong.status == .badRequest)
            #expect(wrong.html.contains("We could not find saved answers with that code"))
            // The code as a person might type it.
            let typed = code.lowercased().replacingOccurrences(of: "-", with: " ")
            let resumed = try await laptop.post("\(base)/resume", [("code", typed)])
            #expect(resumed.path.hasSuffix("/describe"))
            let earlier = try await laptop.get("\(base)/what-type")
            #expect(earlier.html.contains(#"value="other" checked"#))

            // The code does not open the journey on another force's site.
            var elsewhere = TestBrowser(client: client)
            let other = try await elsewhere.post("/metropolitan/services/lost-property/resume", [("code", code)])
            #expect(other.status == .badRequest)
        }
    }

    @Test("codes cannot be guessed: after ten wrong codes a connection is refused even the right one, in its language; others are not")
    func wrongCodesAreLimited() async throws {
        try await withTestApp(extra: ["PEEL_TRUST_FORWARDED_FOR": "true"]) { client, _ in
            var phone = TestBrowser(client: client)
            phone.forwardedFor = "198.51.100.7"
            let base = "/north-wales/services/lost-property"
            _ = try await phone.post(base, [])
            _ = try await phone.post("\(base)/what-type", [("item-type", "other")])
            let saved = try await phone.post("\(base)/save", [("email", "")])
            let code = try #require(saved.html.firstMatch(of: /class="reference return-code">([A-Z0-9-]+)</)?.1).description

            var guesser = TestBrowser(client: client)
            guesser.forwardedFor = "203.0.113.9"
            guesser.language = .welsh
            _ = try await guesser.get("\(base)/resume")
            for attempt in 0..<10 {
                let wrong = try await guesser.post("\(base)/resume", [("code", attempt.isMultiple(of: 2) ? "ZZZZZ-ZZZZZ" : "not a code")])
                #expect(wrong.status == .badRequest)
            }
            let refused = try await guesser.post("\(base)/resume", [("code", code)])
            #expect(refused.status == .tooManyRequests)
            #expect(refused.html.contains("error-summary"))
            #expect(refused.html.contains("Mae gormod o godau nad oeddent yn cyfateb"))
            #expect(guesser.cookies.keys.allSatisfy { !$0.hasPrefix("peel_j_") })

            // Another connection is not held back, and right codes never count against it.
            var laptop = TestBrowser(client: client)
            laptop.forwardedFor = "192.0.2.44"
            for _ in 0..<12 {
                laptop.cookies = [:]
                let resumed = try await laptop.post("\(base)/resume", [("code", code)])
                #expect(resumed.path.hasSuffix("/stolen"))
            }
            var fresh = TestBrowser(client: client)
            #expect(try await fresh.get("\(base)/resume").status == .ok)
        }
    }
}

@Suite("A force's choice of services")
struct ForceServiceChoiceTests {
    @Test("a force can turn a service off and word a service its own way, in both languages")
    func settings() async throws {
        try await withTestApp { client, scratch in
            try await withStore(of: scratch) { store in
                try await store.serviceSettings.save(
                    ForceServiceSetting(forceID: ForceID("metropolitan"), serviceID: "lost-property", enabled: false), at: Date())
                try await store.serviceSettings.save(
                    ForceServiceSetting(
                        forceID: ForceID("metropolitan"), serviceID: "report-theft",
                        title: [.english: "Tell the Met about a theft", .welsh: "Dywedwch wrth y Met am ladrad"]),
                    at: Date())
            }
            let off = try await client.execute(uri: "/metropolitan/services/lost-property", method: .get)
            #expect(off.status == .notFound)
            let home = try await client.execute(uri: "/metropolitan/", method: .get).text
            #expect(!home.contains("/metropolitan/services/lost-property"))
            #expect(home.contains("Tell the Met about a theft"))
            let welsh = try await client.execute(uri: "/metropolitan/services/report-theft?lang=cy", method: .get).text
            #expect(welsh.contains("Dywedwch wrth y Met am ladrad"))
            // Other forces keep the national wording and service.
            let other = try await client.execute(uri: "/north-wales/services/lost-property", method: .get)
            #expect(other.status == .ok)
            let api = try await client.execute(uri: "/api/v1/services?force=metropolitan", method: .get).text
            #expect(api.contains(#""enabled":false,"id":"lost-property""#))
        }
    }
}

@Suite("Evidence uploads")
struct EvidenceUploadTests {
    @Test("a photo is kept with the journey; a disguised file is refused with a reason", arguments: TestEngine.all)
    func upload(engine: TestEngine) async throws {
        try await withTestApp(engine) { client, scratch in
            var browser = TestBrowser(client: client)
            let base = "/north-wales/services/lost-property"
            _ = try await browser.post(base, [])
            _ = try await browser.post("\(base)/what-type", [("item-type", "other")])
            _ = try await browser.post("\(base)/stolen", [("stolen", "no")])
            let photoPage = try await browser.post("\(base)/describe", [("item-description", "Black wallet")])
            #expect(photoPage.path.hasSuffix("/photo"))
            #expect(photoPage.html.contains(#"enctype="multipart/form-data""#))
            let token = try #require(browser.cookies["peel_csrf"])
            let boundary = "peel-test-boundary"
            let headers: HTTPFields = [.cookie: browser.cookieHeader, .contentType: "multipart/form-data; boundary=\(boundary)"]

            let disguised = try await client.execute(
                uri: "\(base)/photo", method: .post, headers: headers,
                body: multipart([("csrf_token", nil, Data(token.utf8)), ("photo", "wallet.jpg", Data("not really a photo".utf8))], boundary: boundary))
            #expect(disguised.status == .badRequest)
            #expect(disguised.text.contains("‘wallet.jpg’ must be a photo (JPG, PNG or HEIC), a video (MP4 or MOV) or a PDF"))

            let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 0, count: 100))
            let accepted = try await client.execute(
                uri: "\(base)/photo", method: .post, headers: headers,
                body: multipart([("csrf_token", nil, Data(token.utf8)), ("photo", "wallet.png", png)], boundary: boundary))
            #expect(accepted.status == .seeOther)

            // Without the token, the upload is refused before it is read.
            let forged = try await client.execute(
                uri: "\(base)/photo", method: .post, headers: headers,
                body: multipart([("photo", "wallet.png", png)], boundary: boundary))
            #expect(forged.status == .forbidden)

            let journey = try #require(browser.cookies["peel_j_lost-property"])
            try await withStore(of: scratch) { store in
                let files = try await store.journeys.files(journey: journey, force: ForceID("north-wales"))
                #expect(files.map(\.fileName) == ["wallet.png"])
                #expect(files.first?.contentType == "image/png")
                #expect(files.first?.size == png.count)
                let elsewhere = try await store.journeys.files(journey: journey, force: ForceID("metropolitan"))
                #expect(elsewhere.isEmpty)
            }
            let again = try await browser.get("\(base)/photo")
            #expect(again.html.contains("<li>wallet.png</li>"))
        }
    }
}

@Suite("Repeating groups")
struct RepeatingGroupTests {
    @Test("entries are added, changed and removed from the summary")
    func addChangeRemove() async throws {
        let catalogue = try ServiceCatalogue.bundled()
        let definition = try #require(catalogue.service("report-theft"))
        let repeatPage = try #require(definition.pages.first { $0.kind == .repeat && ($0.max ?? 1) >= 2 && $0.questions.count == 1 })
        let question = repeatPage.questions[0]
        let (walks, _) = WalkPlanner.plan(definition)
        let plan = try #require(walks.first { $0.pages.contains(repeatPage.id) })
        try await withTestApp { client, _ in
            var browser = TestBrowser(client: client)
            var walker = JourneyWalker(definition: definition, force: ForceID("metropolitan"), plan: plan)
            #expect(try await walker.walk(&browser, stoppingAt: repeatPage.id))
            let path = "/metropolitan/services/report-theft/\(repeatPage.id)"
            var random = SeededRandom(state: 7)
            var turns: [String: Int] = [:]
            func fields(_ marker: String) -> [(String, String)] {
                AnswerGenerator.fields(question, &random, turns: &turns).map { name, value in
                    (name, name.hasSuffix("description") || name.hasSuffix("name") || name == question.id ? "\(marker)" : value)
                }
            }
            // The group may open on its summary (optional) or its entry form.
            var page = try await browser.get(path)
            if !page.html.contains(#"name="action" value="add""#) { page = try await browser.get("\(path)?entry=new") }
            page = try await browser.post(path, [("action", "add")] + fields("First entry"))
            #expect(page.html.contains("First entry"))
            // Change the first entry.
            let form = try await browser.get("\(path)?entry=0")
            #expect(form.html.contains(#"name="index" value="0""#))
            #expect(form.html.contains("First entry"))
            page = try await browser.post(path, [("action", "add"), ("index", "0")] + fields("Changed entry"))
            #expect(page.html.contains("Changed entry"))
            #expect(!page.html.contains("First entry"))
            // Add another, then remove it.
            page = try await browser.post(path, [("action", "more"), ("add-another", "yes")])
            page = try await browser.post(path, [("action", "add")] + fields("Second entry"))
            #expect(page.html.contains("Second entry"))
            page = try await browser.post(path, [("action", "remove"), ("index", "1")])
            #expect(!page.html.contains("Second entry"))
            #expect(page.html.contains("Changed entry"))
        }
    }
}

@Suite("Question gallery")
struct QuestionGalleryTests {
    @Test("the demo gallery draws one question of every type, and every field's error state")
    func gallery() async throws {
        try await withTestApp { client, _ in
            let plain = try await client.execute(uri: "/_dev/question-types", method: .get).text
            for kind in Question.Kind.allCases {
                #expect(plain.contains("A \(kind.rawValue) question"), "\(kind.rawValue) is missing")
            }
            #expect(plain.contains(#"type="file""#))
            let errors = try await client.execute(uri: "/_dev/question-types?errors=1&lang=cy", method: .get).text
            #expect(errors.components(separatedBy: #"class="error-message""#).count - 1 == Question.Kind.allCases.count)
            #expect(errors.contains("Mae problem"))
        }
    }
}

@Suite("Service settings cache")
struct SettingsCacheTests {
    final class CountingSettings: ForceServiceSettingsRepository, @unchecked Sendable {
        private let lock = NSLock()
        private var reads = 0
        var count: Int { lock.withLock { reads } }
        func settings(for force: ForceID) async throws -> [String: ForceServiceSetting] {
            lock.withLock { reads += 1 }
            return [:]
        }
        func save(_ setting: ForceServiceSetting, at date: Date) async throws {}
    }

    @Test("a force's settings are read once per lifetime, per force")
    func cached() async throws {
        let store = CountingSettings()
        let cache = SettingsCache(repository: store, lifetime: .milliseconds(200))
        for _ in 0..<5 { _ = try await cache.settings(for: ForceID("kent")) }
        #expect(store.count == 1)
        _ = try await cache.settings(for: ForceID("essex"))
        #expect(store.count == 2)
        try await Task.sleep(for: .milliseconds(250))
        _ = try await cache.settings(for: ForceID("kent"))
        #expect(store.count == 3)
    }
}

@Suite("Force cache")
struct ForceCacheTests {
    @Test("a force is read once per lifetime: another node's change shows once it ends, this node's at once; unknown ids are not kept", arguments: TestEngine.all)
    func cachedForces(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let kent = ForceID("kent")
            let cache = CachedForceRepository(store.forces, lifetime: .seconds(3600))
            let before = try #require(try await cache.find(kent))
            // Another node onboards Kent: this node serves what it read until the lifetime ends.
            let other: OnboardingModel = before.onboarding == .full ? .core : .full
            _ = try await store.forces.setOnboarding(kent, to: other, at: Date())
            #expect(try await cache.find(kent)?.onboarding == before.onboarding)
            #expect(try await CachedForceRepository(store.forces, lifetime: .zero).find(kent)?.onboarding == other)
            // A change through this node is seen at once.
            _ = try await cache.setOnboarding(kent, to: other, at: Date())
            #expect(try await cache.find(kent)?.onboarding == other)
            try await cache.setShowsOfficerInPortal(kent, shows: false, at: Date())
            #expect(try await cache.find(kent)?.showsOfficerInPortal == false)
            #expect(try await cache.find(ForceID("atlantis")) == nil)
        }
    }
}
