import Crypto
import Foundation
import PeelAuth
import PeelCore
import PeelHub
import Testing

@Suite("Records-system connections: the rules the back office and the command line share")
struct HubConnectionTests {
    let box = SecretBox(key: SymmetricKey(size: .bits256))
    let force = ForceID("metropolitan")
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let secret = "a long shared secret for the met"

    func settle(
        _ request: HubConnectionRequest, current: HubEndpoint? = nil,
        folders: HubConnection.Folders = .named(dataDirectory: "/var/peel")
    )
        throws -> HubConnection.Change
    {
        try HubConnection.settle(request, force: force, current: current, folders: folders, secrets: box, now: now)
    }

    func problems(
        _ request: HubConnectionRequest, current: HubEndpoint? = nil,
        folders: HubConnection.Folders = .named(dataDirectory: "/var/peel")
    )
        -> [HubConnection.Field]
    {
        do {
            _ = try settle(request, current: current, folders: folders)
            return []
        } catch let refused as HubConnection.Refused {
            return refused.problems.map(\.field)
        } catch {
            return [.adapter]
        }
    }

    @Test(
        "the standard API needs an absolute https address (http only on this machine), without credentials, and a secret of 32 characters or more, sealed"
    )
    func standardAPI() throws {
        guard
            case .save(let endpoint, nil, true) = try settle(
                HubConnectionRequest(
                    adapter: "standard-api", url: "https://records.met.example/reports", secret: secret))
        else {
            Issue.record("a good request should be saved with its new secret")
            return
        }
        #expect(endpoint.url == "https://records.met.example/reports")
        #expect(try box.open(try #require(endpoint.sealedSecret)) == Array(secret.utf8))
        #expect(endpoint.secretSetAt == now)
        for url in [
            "http://127.0.0.1:9090/reports", "http://localhost:9090/reports", "http://[::1]:9090/reports",
            "http://127.0.0.2/reports",
        ] {
            #expect(problems(HubConnectionRequest(adapter: "standard-api", url: url, secret: secret)) == [], "\(url)")
        }
        for url in [
            "", "http://records.met.example/reports", "records.met.example/reports", "ftp://records.met.example/x",
            "https://user:pass@records.met.example/reports", "https://records.met.example/a b", "/reports",
            "http://127.0.0.1.example/x",
        ] {
            #expect(
                problems(HubConnectionRequest(adapter: "standard-api", url: url, secret: secret)) == [.url], "\(url)")
        }
        #expect(
            problems(
                HubConnectionRequest(
                    adapter: "standard-api", url: "https://r.example/x", secret: String(secret.dropLast()))) == [
                    .secret
                ])
        #expect(
            problems(HubConnectionRequest(adapter: "standard-api", url: "https://r.example/x", secret: secret + "\n"))
                == [.secret])
        #expect(problems(HubConnectionRequest(adapter: "standard-api", url: "https://r.example/x")) == [.secret])
        #expect(
            problems(
                HubConnectionRequest(
                    adapter: "standard-api", url: "https://r.example/x", secret: secret, generateSecret: true)) == [
                    .secret
                ])
        // Every problem at once.
        #expect(
            problems(HubConnectionRequest(adapter: "standard-api", url: "http://r.example/x", secret: "short")) == [
                .url, .secret,
            ])
    }

    @Test(
        "an empty secret keeps the current one and its date; a generated one is 256 random bits, sealed, and named in the audit without itself"
    )
    func keepAndGenerate() throws {
        let sealed = try box.seal(Array(secret.utf8))
        let set = now - 86_400
        let current = HubEndpoint(
            forceID: force, adapter: .standardAPI, url: "https://old.example/r", sealedSecret: sealed, secretSetAt: set)
        let kept = try settle(
            HubConnectionRequest(adapter: "standard-api", url: "https://new.example/r"), current: current)
        guard case .save(let endpoint, nil, false) = kept else {
            Issue.record("keeping the secret should save without a new one")
            return
        }
        #expect(endpoint.sealedSecret == sealed)
        #expect(endpoint.secretSetAt == set)
        #expect(kept.auditDetail == "standard-api to https://new.example/r; secret kept")
        // A secret kept from another adapter's connection does not exist: switching to the API needs one.
        let email = HubEndpoint(forceID: force, adapter: .email, email: "a@met.example")
        #expect(
            problems(HubConnectionRequest(adapter: "standard-api", url: "https://new.example/r"), current: email) == [
                .secret
            ])

        let generated = try settle(
            HubConnectionRequest(adapter: "standard-api", url: "https://new.example/r", generateSecret: true),
            current: current)
        guard case .save(let fresh, let drawn?, true) = generated else {
            Issue.record("a generated secret should be returned once")
            return
        }
        #expect(drawn.count >= 43)
        #expect(try box.open(try #require(fresh.sealedSecret)) == Array(drawn.utf8))
        #expect(fresh.secretSetAt == now)
        #expect(generated.auditDetail == "standard-api to https://new.example/r; new secret generated")
        #expect(!generated.auditDetail.contains(drawn))
    }

    @Test(
        "from the back office a file-drop folder is a simple name under drops/<force>/; the operator may give any folder"
    )
    func folders() throws {
        guard case .save(let named, _, _) = try settle(HubConnectionRequest(adapter: "file-drop", directory: "inbound"))
        else {
            Issue.record("a folder name should be saved")
            return
        }
        #expect(named.directory == "/var/peel/drops/metropolitan/inbound")
        #expect(
            HubConnection.folderName(
                of: "/var/peel/drops/metropolitan/inbound", force: force, dataDirectory: "/var/peel") == "inbound")
        #expect(
            HubConnection.folderName(of: "/var/peel/drops/kent/inbound", force: force, dataDirectory: "/var/peel")
                == nil)
        for name in [
            "../kent", "/srv/exchange", "a/b", ".hidden", "..", "in bound", String(repeating: "a", count: 65), "naïve",
        ] {
            #expect(problems(HubConnectionRequest(adapter: "file-drop", directory: name)) == [.directory], "\(name)")
        }
        #expect(problems(HubConnectionRequest(adapter: "file-drop")) == [.directory])
        guard
            case .save(let anywhere, _, _) = try settle(
                HubConnectionRequest(adapter: "file-drop", directory: "/srv/exchange/../exchange/met"),
                folders: .anyPath)
        else {
            Issue.record("the operator's folder should be saved")
            return
        }
        #expect(anywhere.directory == "/srv/exchange/met")
        // An empty folder keeps the current one, even one the operator chose.
        let current = HubEndpoint(forceID: force, adapter: .fileDrop, directory: "/srv/exchange/met")
        guard case .save(let kept, _, _) = try settle(HubConnectionRequest(adapter: "file-drop"), current: current)
        else {
            Issue.record("the current folder should be kept")
            return
        }
        #expect(kept.directory == "/srv/exchange/met")
    }

    @Test("email needs a well-formed mailbox; none removes the connection; anything else is refused")
    func emailAndNone() throws {
        guard
            case .save(let endpoint, _, _) = try settle(
                HubConnectionRequest(adapter: "email", email: " Online-Reports@BTP.example "))
        else {
            Issue.record("a mailbox should be saved")
            return
        }
        #expect(endpoint.email == "online-reports@btp.example")
        #expect(endpoint.url == nil && endpoint.sealedSecret == nil && endpoint.directory == nil)
        for email in ["", "not an address", "a@b", "@met.example", "a@@met.example"] {
            #expect(problems(HubConnectionRequest(adapter: "email", email: email)) == [.email], "\(email)")
        }
        #expect(try settle(HubConnectionRequest(adapter: "none", url: "ignored")) == .remove(force))
        #expect(problems(HubConnectionRequest(adapter: "carrier-pigeon")) == [.adapter])
        #expect(problems(HubConnectionRequest(adapter: "")) == [.adapter])
    }
}
