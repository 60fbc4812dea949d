import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PeelCore
import PeelStore
import PeelTestSupport
import Testing

@Suite("Find your force")
struct LandingPageTests {
    @Test("the landing page lists every force and body, grouped by region")
    func listsAllForces() async throws {
        try await withTestApp { client, _ in
            let response = try await client.execute(uri: "/", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            let forceLinks = Set(links(in: response.text).filter { $0.hasPrefix("/") && $0.hasSuffix("/") && $0 != "/" })
            #expect(forceLinks == Set(ForceRegistry.all.map { "/\($0.id)/" }))
            #expect(forceLinks.count >= 46)
            #expect(response.text.contains(#"<h3 class="heading-m" id="region-wales">Wales</h3>"#))
            #expect(response.text.contains(#"<html lang="en">"#))
        }
    }

    @Test("the filter narrows the list by region, place or name without JavaScript")
    func filter() async throws {
        try await withTestApp { client, _ in
            let wales = try await client.execute(uri: "/?q=wales", method: .get).text
            let welshForces = Set(links(in: wales).filter { $0.hasSuffix("/") && $0 != "/" })
            #expect(welshForces == ["/dyfed-powys/", "/gwent/", "/north-wales/", "/south-wales/"])
            #expect(wales.contains("4 forces match “wales”"))

            let oxford = try await client.execute(uri: "/?q=Oxford", method: .get).text
            #expect(Set(links(in: oxford).filter { $0.hasSuffix("/") && $0 != "/" }) == ["/thames-valley/"])
            #expect(oxford.contains("1 force matches “Oxford”"))

            let railway = try await client.execute(uri: "/?q=rheilffordd&lang=cy", method: .get).text
            #expect(links(in: railway).contains("/btp/"))
            #expect(railway.contains("Heddlu Trafnidiaeth Prydeinig"))
        }
    }

    @Test("a search with no match says so and what to try, and never echoes markup")
    func noMatch() async throws {
        try await withTestApp { client, _ in
            let page = try await client.execute(uri: "/?q=%3Cscript%3Ealert(1)%3C/script%3E", method: .get)
            #expect(page.status == .ok)
            #expect(page.text.contains("No force matches “&lt;script&gt;alert(1)&lt;/script&gt;”."))
            #expect(!page.text.contains("<script>"))
            #expect(page.text.contains("Check the spelling"))
        }
    }
}

@Suite("Force sites")
struct ForceSiteTests {
    @Test("a force's home page shows its name, brand and contact routes")
    func forceHome() async throws {
        try await withTestApp { client, _ in
            let response = try await client.execute(uri: "/metropolitan/", method: .get)
            #expect(response.status == .ok)
            let html = response.text
            #expect(html.contains("<h1 class=\"heading-xl\">Contact Metropolitan Police Service online</h1>"))
            #expect(html.contains(#"<a class="header__name" href="/metropolitan/">Metropolitan Police Service</a>"#))
            #expect(html.contains(#"<link rel="stylesheet" href="/metropolitan/brand.css">"#))
            #expect(html.contains(#"<a href="tel:101">Call 101</a>"#))
            #expect(html.contains("Apply for a firearms or shotgun certificate"))  // full model
            let css = try await client.execute(uri: "/metropolitan/brand.css", method: .get)
            #expect(css.text == ":root { --brand: #0b2a5b; }\n")
            #expect(css.headers[.contentType] == "text/css; charset=utf-8")
        }
    }

    @Test("North Wales in Welsh shows the Welsh name and remembers the choice")
    func welsh() async throws {
        try await withTestApp { client, _ in
            let response = try await client.execute(uri: "/north-wales/?lang=cy", method: .get)
            #expect(response.status == .ok)
            #expect(response.text.contains(#"<html lang="cy">"#))
            #expect(response.text.contains("Cysylltu â Heddlu Gogledd Cymru ar-lein"))
            #expect(response.text.contains("Neidio i&#39;r prif gynnwys"))
            let cookie = try #require(response.headers[values: .setCookie].first { $0.hasPrefix("peel_lang=") })
            #expect(cookie.hasPrefix("peel_lang=cy"))
            #expect(cookie.contains("SameSite=Lax"))

            // The cookie keeps Welsh on the next page, over the browser's English preference.
            let next = try await client.execute(
                uri: "/", method: .get, headers: [.cookie: "peel_lang=cy", .acceptLanguage: "en-GB,en;q=0.9"])
            #expect(next.text.contains(#"<html lang="cy">"#))
            #expect(next.text.contains("Dod o hyd i&#39;ch heddlu"))

            // Accept-Language alone chooses Welsh; the toggle links back to English.
            let accepted = try await client.execute(uri: "/btp/", method: .get, headers: [.acceptLanguage: "cy, en;q=0.5"])
            #expect(accepted.text.contains("Heddlu Trafnidiaeth Prydeinig"))
            #expect(accepted.text.contains(#"<a href="/btp/?lang=en" hreflang="en" lang="en">English</a>"#))
        }
    }

    @Test("a force that is not onboarded signposts its own channels")
    func notOnboarded() async throws {
        try await withTestApp { client, _ in
            let html = try await client.execute(uri: "/kent/", method: .get).text
            #expect(html.contains("Online services are not on this site yet"))
            #expect(html.contains(#"href="https://www.kent.police.uk""#))
            #expect(!html.contains("Report a crime"))
        }
    }

    @Test("a core force offers the core services only")
    func coreForce() async throws {
        try await withTestApp { client, _ in
            let html = try await client.execute(uri: "/thames-valley/", method: .get).text
            #expect(html.contains("Report a crime"))
            #expect(!html.contains("firearms"))
        }
    }

    @Test("one force's content never appears on another force's site", arguments: TestEngine.all)
    func tenancy(engine: TestEngine) async throws {
        try await withTestApp(engine) { client, scratch in
            try await withStore(of: scratch) { store in
                try await store.forceContent.saveHomeContent(
                    ForceHomeContent(forceID: ForceID("kent"), language: .english, intro: "Kent only words", updatedAt: Date()))
            }
            #expect(try await client.execute(uri: "/kent/", method: .get).text.contains("Kent only words"))
            #expect(!(try await client.execute(uri: "/essex/", method: .get).text.contains("Kent only words")))
        }
    }
}

@Suite("Errors and headers")
struct ErrorAndHeaderTests {
    @Test("unknown forces and pages get a helpful 404 in the page's language", arguments: [
        ("/atlantis/", "Police force not found"), ("/Not_A_Force/", "Police force not found"),
        ("/metropolitan/no-such-page", "Page not found"), ("/no/such/page", "Page not found"),
    ])
    func notFound(path: String, heading: String) async throws {
        try await withTestApp { client, _ in
            let response = try await client.execute(uri: path, method: .get)
            #expect(response.status == .notFound)
            #expect(response.text.contains("<h1 class=\"heading-xl\">\(heading)</h1>"))
            #expect(response.text.contains(#"<a href="/">Find your police force</a>"#))
            let welsh = try await client.execute(uri: path + "?lang=cy", method: .get)
            #expect(welsh.status == .notFound)
            #expect(welsh.text.contains(#"<html lang="cy">"#))
        }
    }

    @Test("every response carries the security headers and a request id")
    func securityHeaders() async throws {
        try await withTestApp { client, _ in
            for path in ["/", "/metropolitan/", "/atlantis/", "/health/live", "/assets/peel.css"] {
                let response = try await client.execute(uri: path, method: .get)
                let csp = try #require(response.headers[HTTPField.Name("Content-Security-Policy")!])
                #expect(csp.contains("script-src 'self'"))
                #expect(!csp.contains("unsafe-inline"))
                #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
                #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "strict-origin-when-cross-origin")
                #expect(response.headers[HTTPField.Name("Permissions-Policy")!] != nil)
                #expect(response.headers[HTTPField.Name("Strict-Transport-Security")!] == nil)
                #expect(response.headers[HTTPField.Name("X-Request-ID")!]?.count == 16)
            }
            // A caller's safe request id is kept; an unsafe one is replaced.
            let kept = try await client.execute(uri: "/", method: .get, headers: [HTTPField.Name("X-Request-ID")!: "trace-12345678"])
            #expect(kept.headers[HTTPField.Name("X-Request-ID")!] == "trace-12345678")
            let replaced = try await client.execute(uri: "/", method: .get, headers: [HTTPField.Name("X-Request-ID")!: "<bad>"])
            #expect(replaced.headers[HTTPField.Name("X-Request-ID")!] != "<bad>")
        }
    }

    @Test("HSTS and secure cookies when served over TLS")
    func tls() async throws {
        try await withTestApp(extra: ["PEEL_PUBLIC_URL": "https://peel.example.police.uk"]) { client, _ in
            let response = try await client.execute(uri: "/?lang=cy", method: .get)
            #expect(response.headers[HTTPField.Name("Strict-Transport-Security")!] == "max-age=31536000; includeSubDomains")
            #expect(response.headers[values: .setCookie].allSatisfy { $0.contains("Secure") })
        }
    }

    @Test("a form post without the matching token is refused; with it, it is let through")
    func csrf() async throws {
        try await withTestApp { client, _ in
            let page = try await client.execute(uri: "/", method: .get)
            let cookie = try #require(page.headers[values: .setCookie].first { $0.hasPrefix("peel_csrf=") })
            let token = String(cookie.dropFirst("peel_csrf=".count).prefix { $0 != ";" })
            #expect(token.count == 43)

            let missing = try await client.execute(uri: "/", method: .post)
            #expect(missing.status == .forbidden)
            #expect(missing.text.contains("We could not accept that form"))

            let form: HTTPFields = [.cookie: "peel_csrf=\(token)", .contentType: "application/x-www-form-urlencoded"]
            let wrong = try await client.execute(
                uri: "/", method: .post, headers: form, body: ByteBuffer(string: "csrf_token=\(String(repeating: "A", count: 43))"))
            #expect(wrong.status == .forbidden)

            // The token passes the check: the request reaches routing, which has no POST here.
            let right = try await client.execute(
                uri: "/", method: .post, headers: form, body: ByteBuffer(string: "name=x&csrf_token=\(token)"))
            #expect(right.status != .forbidden)
            let header = try await client.execute(
                uri: "/", method: .post, headers: [.cookie: "peel_csrf=\(token)", HTTPField.Name("X-CSRF-Token")!: token])
            #expect(header.status != .forbidden)
        }
    }
}

@Suite("Operations")
struct OperationsTests {
    @Test("liveness and readiness answer in JSON", arguments: TestEngine.all)
    func health(engine: TestEngine) async throws {
        try await withTestApp(engine) { client, _ in
            let live = try await client.execute(uri: "/health/live", method: .get)
            #expect(live.status == .ok)
            #expect(live.text == #"{"status":"live"}"#)
            let ready = try await client.execute(uri: "/health/ready", method: .get)
            #expect(ready.status == .ok)
            #expect(ready.text == #"{"status":"ready","database":"ok"}"#)
        }
    }

    @Test("metrics count requests by route and report the job queue", arguments: TestEngine.all)
    func metrics(engine: TestEngine) async throws {
        try await withTestApp(engine, extra: ["PEEL_ROLE": "web"]) { client, scratch in
            _ = try await client.execute(uri: "/metropolitan/", method: .get)
            _ = try await client.execute(uri: "/north-wales/", method: .get)
            _ = try await client.execute(uri: "/atlantis/", method: .get)
            try await withStore(of: scratch) { store in
                try await store.jobs.enqueue(NewJob(kind: "waiting", runAt: Date() - 30))
            }
            let text = try await client.execute(uri: "/metrics", method: .get).text
            #expect(text.contains(#"peel_http_requests_total{method="GET",route="/{force}",status="200"} 2"#))
            #expect(text.contains(#"peel_http_requests_total{method="GET",route="/{force}",status="404"} 1"#))
            #expect(text.contains(#"peel_http_request_duration_seconds_count{method="GET",route="/{force}"} 3"#))
            #expect(text.contains(#"peel_job_queue_depth{state="due"} 1.0"#))
            let age = try #require(
                text.split(separator: "\n").first { $0.hasPrefix("peel_job_queue_oldest_due_age_seconds ") })
            #expect((Double(age.split(separator: " ").last ?? "") ?? 0) >= 29)
        }
    }

    @Test("the stylesheet is served with caching")
    func stylesheet() async throws {
        try await withTestApp { client, _ in
            let css = try await client.execute(uri: "/assets/peel.css", method: .get)
            #expect(css.status == .ok)
            #expect(css.headers[.contentType] == "text/css; charset=utf-8")
            #expect(css.text.contains(".skip-link"))
        }
    }
}
