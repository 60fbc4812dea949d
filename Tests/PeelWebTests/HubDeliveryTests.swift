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

/// The fake records system's `GET /received`, as tests read it.
struct ReceivedByRMS: Decodable {
    struct Entry: Decodable {
        struct Document: Decodable {
            struct Media: Decodable {
                let id, fileName, contentType, sha256, questionId, question, url, expiresAt: String
                let size: Int
            }
            let duplicateCandidates: [String]
            let media: [Media]
        }
        let reference: String
        let idempotencyKey: String
        let recordsReference: String
        let document: Document
    }
    let received: [Entry]
    let duplicates: Int
    let refused: Int
}

@Suite("Integration hub: delivery to a records system")
struct HubDeliveryTests {
    static let secret = "a long shared secret for the met"

    /// Points the force (the metropolitan, unless told) at the fake records system on `port`,
    /// signing with `secret`.
    func connect(_ scratch: ScratchDatabase, port: Int, secret: String, force: ForceID = ForceID("metropolitan")) async throws {
        let box = SecretBox(key: SymmetricKey(data: Data(base64Encoded: testSecretKey)!))
        try await withStore(of: scratch) { store in
            try await store.hub.save(
                HubEndpoint(
                    forceID: force, adapter: .standardAPI, url: "http://127.0.0.1:\(port)/reports",
                    sealedSecret: try box.seal(Array(secret.utf8))),
                at: Date())
        }
    }

    func received(_ rms: any TestClientProtocol) async throws -> ReceivedByRMS {
        let response = try await rms.execute(uri: "/received", method: .get)
        return try JSONDecoder().decode(ReceivedByRMS.self, from: Data(String(buffer: response.body).utf8))
    }

    @Test("the fake records system fails at its rate only for the time it is told, then answers on its merits")
    func fakeFailsForAWhile() async throws {
        // Within its failing time (ten minutes): every request fails.
        let failing = FakeRecordsSystem(options: .init(secret: Array(Self.secret.utf8), failRate: 1, failFor: .seconds(600)))
        try await Application(router: failing.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: testLogger)
            .test(.router) { rms in
                let early = try await rms.execute(uri: "/reports", method: .post, body: ByteBuffer(string: "{}"))
                #expect(early.status == .serviceUnavailable)
            }
        // After it (one millisecond): refused only on its merits (here, unsigned).
        let recovered = FakeRecordsSystem(options: .init(secret: Array(Self.secret.utf8), failRate: 1, failFor: .milliseconds(1)))
        try await Task.sleep(for: .milliseconds(20))
        try await Application(router: recovered.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: testLogger)
            .test(.router) { rms in
                let later = try await rms.execute(uri: "/reports", method: .post, body: ByteBuffer(string: "{}"))
                #expect(later.status != .serviceUnavailable)
                #expect(later.status.code >= 400 && later.status.code < 500)
            }
    }

    @Test("a report made on the public site reaches the records system signed, once, and its reference comes back to the report", arguments: TestEngine.all)
    func delivered(engine: TestEngine) async throws {
        let fake = FakeRecordsSystem(options: .init(secret: Array(Self.secret.utf8)))
        let rmsApp = Application(router: fake.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: testLogger)
        try await rmsApp.test(.live) { rms in
            let port = try #require(rms.port)
            try await withTestApp(engine) { client, scratch in
                try await connect(scratch, port: port, secret: Self.secret)
                let reference = try await submitReport(client)
                var got = try await received(rms)
                for _ in 0..<200 where got.received.isEmpty {
                    try await Task.sleep(for: .milliseconds(50))
                    got = try await received(rms)
                }
                #expect(got.received.map(\.reference) == [reference])
                #expect(got.received.first?.idempotencyKey == "\(reference):1")
                #expect(got.refused == 0)
                // The records system's reference is on the report and its timeline.
                var events: [CaseEvent] = []
                for _ in 0..<100 {
                    events = try await withStoreValue(scratch) { store in
                        guard let report = try await store.reports.find(reference: reference, force: ForceID("metropolitan")) else { return [] }
                        return try await store.cases.events(reportID: report.id, force: ForceID("metropolitan"))
                    }
                    if events.contains(where: { $0.kind == .delivered }) { break }
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(events.contains { $0.kind == .delivered && $0.text == "Received by the records system as RMS-000001" })
                let stored = try await withStoreValue(scratch) { store in
                    try await store.database.sql.raw("SELECT records_reference FROM reports").first()?.decode(column: "records_reference", as: String?.self)
                }
                #expect(stored == "RMS-000001")
            }
        }
    }

    @Test("the same person reporting twice: the second report names the first as a likely duplicate, to the records system and on its timeline")
    func duplicates() async throws {
        let fake = FakeRecordsSystem(options: .init(secret: Array(Self.secret.utf8)))
        let rmsApp = Application(router: fake.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: testLogger)
        try await rmsApp.test(.live) { rms in
            let port = try #require(rms.port)
            try await withTestApp { client, scratch in
                try await connect(scratch, port: port, secret: Self.secret)
                let first = try await submitReport(client)
                var got = try await received(rms)
                for _ in 0..<200 where got.received.count < 1 {
                    try await Task.sleep(for: .milliseconds(50))
                    got = try await received(rms)
                }
                let second = try await submitReport(client)
                for _ in 0..<200 where got.received.count < 2 {
                    try await Task.sleep(for: .milliseconds(50))
                    got = try await received(rms)
                }
                let delivered = try #require(got.received.first { $0.reference == second })
                #expect(delivered.document.duplicateCandidates == [first])
                #expect(got.received.first { $0.reference == first }?.document.duplicateCandidates == [])
                let timeline = try await withStoreValue(scratch) { store in
                    let report = try #require(try await store.reports.find(reference: second, force: ForceID("metropolitan")))
                    return try await store.cases.events(reportID: report.id, force: ForceID("metropolitan")).map(\.text)
                }
                #expect(timeline.contains { $0.hasPrefix("Possible duplicate of \(first) (same reporter email") })
            }
        }
    }

    /// Reports lost property to the metropolitan force with `photos` uploaded on its photo page;
    /// returns the reference.
    func reportLostProperty(_ client: any TestClientProtocol, photos: [(name: String, data: Data)]) async throws -> String {
        var browser = TestBrowser(client: client)
        let base = "/metropolitan/services/lost-property"
        _ = try await browser.post(base, [])
        _ = try await browser.post("\(base)/what-type", [("item-type", "other")])
        _ = try await browser.post("\(base)/stolen", [("stolen", "no")])
        _ = try await browser.post("\(base)/describe", [("item-description", "Black wallet")])
        let boundary = "peel-test-boundary"
        let uploaded = try await client.execute(
            uri: "\(base)/photo", method: .post,
            headers: [.cookie: browser.cookieHeader, .contentType: "multipart/form-data; boundary=\(boundary)"],
            body: multipart(
                [("csrf_token", nil, Data((browser.cookies["peel_csrf"] ?? "").utf8))] + photos.map { ("photo", $0.name, $0.data) },
                boundary: boundary))
        #expect(uploaded.status == .seeOther)
        let forms: [String: [(String, String)]] = [
            "when": [
                ("lost-when-mode", "exact"), ("lost-when-day", "3"), ("lost-when-month", "11"), ("lost-when-year", "2024"),
                ("lost-when-time", "09:15"),
            ],
            "where": [("lost-where-description", "Outside the station")], "transport": [("on-transport", "no")],
            "your-name": [("name", "Sam Reporter")], "contact": [("email", "sam@example.org")],
        ]
        var page = try await browser.get(try #require(uploaded.headers[.location]))
        for _ in 0..<20 {
            let id = String(page.path.split(separator: "?")[0].split(separator: "/").last ?? "")
            if id == "confirmation" {
                return String(try #require(page.html.firstMatch(of: /class="reference">([A-Z0-9-]+)</)?.1))
            }
            page = try await browser.post("\(base)/\(id)", forms[id] ?? [])
        }
        throw WalkError(message: "lost property did not reach its confirmation from \(page.path)")
    }

    @Test("a report's photos travel as signed, expiring links that download exactly their bytes, audited; tampered, foreign, unknown and expired links are refused; the files outlive the journey", arguments: TestEngine.all)
    func media(engine: TestEngine) async throws {
        let fake = FakeRecordsSystem(options: .init(secret: Array(Self.secret.utf8)))
        let rmsApp = Application(router: fake.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: testLogger)
        let clock = TestClock()
        let kentSecret = "kent's own long shared secret for its records"
        try await rmsApp.test(.live) { rms in
            let port = try #require(rms.port)
            try await withTestApp(engine, extra: ["PEEL_PUBLIC_URL": "https://peel.example.police.uk"], now: clock.reader) { client, scratch in
                try await connect(scratch, port: port, secret: Self.secret)
                try await connect(scratch, port: 9, secret: kentSecret, force: ForceID("kent"))
                let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<300).map { UInt8($0 % 256) })
                let jpeg = Data([0xFF, 0xD8, 0xFF, 0xE0] + Array(repeating: 7, count: 200))
                let reference = try await reportLostProperty(client, photos: [("wallet.png", png), ("Wallet – back.jpg", jpeg)])
                var got = try await received(rms)
                for _ in 0..<200 where got.received.isEmpty {
                    try await Task.sleep(for: .milliseconds(50))
                    got = try await received(rms)
                }
                let media = try #require(got.received.first { $0.reference == reference }?.document.media)
                #expect(media.map(\.fileName) == ["wallet.png", "Wallet – back.jpg"])
                #expect(media.map(\.contentType) == ["image/png", "image/jpeg"])
                #expect(media.map(\.size) == [png.count, jpeg.count])
                #expect(media.map(\.sha256) == [png, jpeg].map { SHA256.hash(data: $0).map { String(format: "%02x", $0) }.joined() })
                #expect(media.allSatisfy { $0.questionId == "photo" && $0.question.hasPrefix("Upload a photo of the item") })
                let png0 = try #require(media.first)
                #expect(png0.url.hasPrefix("https://peel.example.police.uk/api/v1/hub/metropolitan/media/\(png0.id)?expires="))
                let expires = try #require(Double(png0.url.split(separator: "expires=")[1].prefix { $0 != "&" }))
                #expect(abs(expires - Date().timeIntervalSince1970 - 7 * 86_400) < 120)
                #expect(png0.expiresAt == Date(timeIntervalSince1970: expires).formatted(.iso8601))

                func download(_ url: String) async throws -> TestResponse {
                    try await client.execute(uri: String(url.dropFirst("https://peel.example.police.uk".count)), method: .get)
                }
                func refusal(_ response: TestResponse) throws -> String {
                    #expect(response.headers[.contentType] == "application/json")
                    struct Refusal: Decodable { struct Body: Decodable { let code, message: String }; let error: Body }
                    return try JSONDecoder().decode(Refusal.self, from: Data(response.text.utf8)).error.code
                }
                let pngBytes = try await download(png0.url)
                #expect(pngBytes.status == .ok)
                #expect(Data(pngBytes.body.readableBytesView) == png)
                #expect(pngBytes.headers[.contentType] == "image/png")
                #expect(pngBytes.headers[.contentDisposition] == #"attachment; filename="wallet.png"; filename*=UTF-8''wallet.png"#)
                #expect(pngBytes.headers[.cacheControl] == "no-store")
                #expect(pngBytes.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
                let jpegBytes = try await download(media[1].url)
                #expect(Data(jpegBytes.body.readableBytesView) == jpeg)
                #expect(jpegBytes.headers[.contentDisposition] == #"attachment; filename="Wallet _ back.jpg"; filename*=UTF-8''Wallet%20%E2%80%93%20back.jpg"#)

                // A changed signature, another force's address for the link, or none at all.
                let tampered = String(png0.url.dropLast()) + (png0.url.hasSuffix("0") ? "1" : "0")
                let refusedTampered = try await download(tampered)
                #expect(refusedTampered.status == .forbidden)
                #expect(try refusal(refusedTampered) == "signature_mismatch")
                let moved = try await download(png0.url.replacingOccurrences(of: "/metropolitan/", with: "/kent/"))
                #expect(moved.status == .forbidden)
                #expect(try refusal(moved) == "signature_mismatch")
                let bare = try await download("https://peel.example.police.uk/api/v1/hub/metropolitan/media/\(png0.id)")
                #expect(bare.status == .forbidden)
                #expect(try refusal(bare) == "link_malformed")
                // Kent's records system can sign links with its own secret, but not reach the Met's files.
                let later = Int64(Date().timeIntervalSince1970) + 3600
                let foreign = try await download(
                    MediaLink.url(base: "https://peel.example.police.uk", force: ForceID("kent"), fileID: png0.id, expires: later, key: Array(kentSecret.utf8)))
                #expect(foreign.status == .notFound)
                #expect(try refusal(foreign) == "media_not_found")
                let unknown = try await download(
                    MediaLink.url(base: "https://peel.example.police.uk", force: ForceID("metropolitan"), fileID: "no-such-file", expires: later, key: Array(Self.secret.utf8)))
                #expect(unknown.status == .notFound)
                #expect(try refusal(unknown) == "media_not_found")
                let nowhere = try await download(png0.url.replacingOccurrences(of: "/metropolitan/", with: "/atlantis/"))
                #expect(nowhere.status == .notFound)
                #expect(try refusal(nowhere) == "unknown_force")

                // Each download is in the force's audit log, on the report, with the file's id.
                let audited = try await withStoreValue(scratch) { store in
                    let report = try #require(try await store.reports.find(reference: reference, force: ForceID("metropolitan")))
                    return try await store.audit.entries(subject: "report:\(report.id)", force: ForceID("metropolitan")).filter { $0.action == "hub.media.download" }
                }
                #expect(audited.count == 2)
                #expect(audited.first?.detail.contains(png0.id) == true)
                #expect(audited.allSatisfy { $0.actorID == nil })

                // The journey is purged; the report's files stay.
                let purged = try await withStoreValue(scratch) { store in try await store.journeys.purgeExpired(before: Date() + 30 * 86_400) }
                #expect(purged >= 1)
                #expect(Data(try await download(png0.url).body.readableBytesView) == png)

                // A week after it was sent, the link has expired.
                clock.advance(expires - clock.now.timeIntervalSince1970 + 1)
                let expired = try await download(png0.url)
                #expect(expired.status == .gone)
                #expect(try refusal(expired) == "link_expired")
            }
        }
    }

    @Test("a force without a shared secret (a file drop) gets links signed with a key only Peel holds, which download the file", arguments: TestEngine.all)
    func mediaWithoutSecret(engine: TestEngine) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("peel-drop-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await withTestApp(engine) { client, scratch in
            try await withStore(of: scratch) { store in
                try await store.hub.save(
                    HubEndpoint(forceID: ForceID("metropolitan"), adapter: .fileDrop, directory: folder.path), at: Date())
            }
            let pdf = Data("%PDF-1.7 a receipt".utf8)
            let reference = try await reportLostProperty(client, photos: [("receipt.pdf", pdf)])
            let dropped = folder.appendingPathComponent("\(reference)-1.json")
            for _ in 0..<200 where !FileManager.default.fileExists(atPath: dropped.path) {
                try await Task.sleep(for: .milliseconds(50))
            }
            let document = try JSONDecoder().decode(ReceivedByRMS.Entry.Document.self, from: Data(contentsOf: dropped))
            let entry = try #require(document.media.first)
            #expect(entry.contentType == "application/pdf")
            let path = String(entry.url.drop { $0 != "/" }.dropFirst(2).drop { $0 != "/" })
            let download = try await client.execute(uri: path, method: .get)
            #expect(download.status == .ok)
            #expect(Data(download.body.readableBytesView) == pdf)
            // Not the signature a records system could make with a secret: there is none to share.
            let forged = MediaLink.url(
                base: "", force: ForceID("metropolitan"), fileID: entry.id, expires: Int64(Date().timeIntervalSince1970) + 60,
                key: Array(Self.secret.utf8))
            #expect(try await client.execute(uri: forged, method: .get).status == .forbidden)
        }
    }

    @Test("a refused signature is a permanent failure: the job is a dead letter with the records system's answer; the administrator sees it and, once the secret is right, sends it again", arguments: TestEngine.all)
    func deadLetter(engine: TestEngine) async throws {
        let fake = FakeRecordsSystem(options: .init(secret: Array(Self.secret.utf8)))
        let rmsApp = Application(router: fake.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: testLogger)
        let clock = TestClock()
        try await rmsApp.test(.live) { rms in
            let port = try #require(rms.port)
            try await withTestApp(engine, now: clock.reader) { client, scratch in
                try await connect(scratch, port: port, secret: "not the secret the records system knows")
                _ = try await submitReport(client)
                var dead: String?
                for _ in 0..<200 where dead == nil {
                    dead = try await withStoreValue(scratch) { store in
                        try await store.database.sql.raw(
                            "SELECT last_error FROM jobs WHERE kind = \(bind: JobKinds.deliverReport) AND state = 'dead'"
                        ).first()?.decode(column: "last_error", as: String?.self)
                    }
                    if dead == nil { try await Task.sleep(for: .milliseconds(50)) }
                }
                let reason = try #require(dead)
                #expect(reason.contains("HTTP 401"))
                #expect(reason.contains("signature_mismatch"))
                let got = try await received(rms)
                #expect(got.received.isEmpty)
                #expect(got.refused == 1)

                let admin = try await createStaff(scratch, force: "metropolitan", roles: [.forceAdministrator], email: "ops@met.police.uk")
                var browser = TestBrowser(client: client)
                try await browser.signIn(admin, force: "metropolitan", clock: clock)
                let page = try await browser.get("/metropolitan/staff/admin/delivery")
                #expect(page.html.contains("Dead letter"))
                #expect(page.html.contains("signature_mismatch"))
                let nothing = try await browser.post("/metropolitan/staff/admin/delivery/replay", [])
                #expect(nothing.status == .badRequest)
                let jobID = try #require(page.html.components(separatedBy: #"name="job" value=""#).dropFirst().first?.prefix { $0 != "\"" })
                try await connect(scratch, port: port, secret: Self.secret)
                let replayed = try await browser.post("/metropolitan/staff/admin/delivery/replay", [("job", String(jobID))])
                #expect(replayed.html.contains("1 dead letter sent again"))
                var after = try await received(rms)
                for _ in 0..<200 where after.received.isEmpty {
                    try await Task.sleep(for: .milliseconds(50))
                    after = try await received(rms)
                }
                #expect(after.received.count == 1)
            }
        }
    }

    @Test("the fake records system refuses bad signatures, replays and a missing idempotency key, and answers a resent key with its first reference")
    func fakeRules() async throws {
        let fake = FakeRecordsSystem(options: .init(secret: Array(Self.secret.utf8)))
        try await Application(router: fake.router(), logger: testLogger).test(.router) { rms in
            let body = #"{"peelReference":"MET-ABC234-X"}"#
            func post(_ headers: HTTPFields) async throws -> TestResponse {
                try await rms.execute(uri: "/reports", method: .post, headers: headers, body: ByteBuffer(string: body))
            }
            let signed = HubSignature.headers(for: Array(body.utf8), secret: Array(Self.secret.utf8), at: Date())
            var headers = HTTPFields()
            for (name, value) in signed { headers[HTTPField.Name(name)!] = value }
            let unsigned = try await post([:])
            #expect(unsigned.status == .unauthorized)
            #expect(String(buffer: unsigned.body).contains("signature_missing"))
            let noKey = try await post(headers)
            #expect(noKey.status == .badRequest)
            var keyed = headers
            keyed[HTTPField.Name(HubSignature.idempotencyHeader)!] = "MET-ABC234-X:1"
            let notADocument = try await post(keyed)
            #expect(notADocument.status == .unprocessableContent)
            // The same signed message again is a replay.
            #expect(try await post(keyed).status == .unauthorized)
        }
    }

    @Test("records systems call back signed: the reference, status and officer reach the timeline; bad signatures, replays, unknown references, malformed and out-of-order messages are refused", arguments: TestEngine.all)
    func callbacks(engine: TestEngine) async throws {
        try await withTestApp(engine) { client, scratch in
            try await connect(scratch, port: 9, secret: Self.secret)
            let reference = try await submitReport(client)
            func send(_ json: String, secret: String = Self.secret, at date: Date = Date(), force: String = "metropolitan", headers extra: [(String, String)]? = nil) async throws -> TestResponse {
                var headers = HTTPFields()
                headers[.contentType] = "application/json"
                for (name, value) in extra ?? HubSignature.headers(for: Array(json.utf8), secret: Array(secret.utf8), at: date) {
                    headers[HTTPField.Name(name)!] = value
                }
                return try await client.execute(uri: "/api/v1/hub/\(force)/callbacks", method: .post, headers: headers, body: ByteBuffer(string: json))
            }
            func code(_ response: TestResponse) -> String { String(buffer: response.body) }
            let first = #"{"peelReference":"\#(reference)","sequence":1,"recordsReference":"CRIME/123/26","status":"recorded"}"#
            let firstHeaders = HubSignature.headers(for: Array(first.utf8), secret: Array(Self.secret.utf8), at: Date())
            let applied = try await send(first, headers: firstHeaders)
            #expect(applied.status == .ok)
            // The same signed message again: a replay.
            let replayed = try await send(first, headers: firstHeaders)
            #expect(replayed.status == .unauthorized)
            #expect(code(replayed).contains("signature_replayed"))
            let wrong = try await send(#"{"peelReference":"\#(reference)","sequence":5,"status":"closed"}"#, secret: "somebody else's secret entirely")
            #expect(wrong.status == .unauthorized)
            #expect(code(wrong).contains("signature_mismatch"))
            let stale = try await send(#"{"peelReference":"\#(reference)","sequence":5,"status":"closed"}"#, at: Date() - 600)
            #expect(code(stale).contains("timestamp_outside_window"))
            let unsigned = try await send("{}", headers: [])
            #expect(code(unsigned).contains("signature_missing"))
            let unknown = try await send(#"{"peelReference":"MET-ZZZZZZ-Z","sequence":1,"status":"recorded"}"#)
            #expect(unknown.status == .notFound)
            #expect(code(unknown).contains("unknown_reference"))
            let malformed = try await send(#"{"reference":"nope"}"#)
            #expect(malformed.status == .badRequest)
            let empty = try await send(#"{"peelReference":"\#(reference)","sequence":7}"#)
            #expect(empty.status == .badRequest)
            #expect(code(empty).contains("callback_invalid"))
            let officer = try await send(#"{"peelReference":"\#(reference)","sequence":3,"officer":"PC 4567 Morgan","status":"under investigation"}"#)
            #expect(officer.status == .ok)
            let late = try await send(#"{"peelReference":"\#(reference)","sequence":2,"status":"recorded again"}"#)
            #expect(late.status == .conflict)
            #expect(code(late).contains("out_of_order"))
            #expect(try await send(first, force: "kent").status == .notFound)
            let events = try await withStoreValue(scratch) { store in
                let report = try #require(try await store.reports.find(reference: reference, force: ForceID("metropolitan")))
                return try await store.cases.events(reportID: report.id, force: ForceID("metropolitan")).filter { $0.kind == .records }.map(\.text)
            }
            #expect(events.contains("Records system: reference CRIME/123/26; status: recorded"))
            #expect(events.contains("Records system: status: under investigation; officer in charge: PC 4567 Morgan"))
            #expect(!events.contains { $0.contains("recorded again") })
        }
    }
}
