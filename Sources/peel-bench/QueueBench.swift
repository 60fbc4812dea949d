import Foundation
import Logging
import PeelAuth
import PeelCore
import PeelForms
import PeelStore
import SQLKit

/// The back office's triage queue on a force with many reports: seeding them straight into
/// the store, and timing the queue's pages as a signed-in handler asks for them.
enum QueueBench {
    /// Writes `count` reports for `force` (with their cases, search terms and first timeline
    /// event) into the SQLite database at `path`, in transactions of 5,000.
    static func seed(path: String, force: ForceID, count: Int) async throws {
        var logger = Logger(label: "peel-bench")
        logger.logLevel = .critical
        let database = try await Database.open(.sqlite(path: path), poolSize: 2, logger: logger)
        let catalogue = try ServiceCatalogue.bundled()
        let services = catalogue.offered(under: .full).map(\.id)
        let first = ["Amara", "Ben", "Cerys", "Dafydd", "Ella", "Farah", "George", "Hana", "Idris", "Jo", "Kwame", "Lena", "Mo", "Niamh", "Owen", "Priya"]
        let last = ["Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson", "Roberts", "Khan", "Patel", "Lewis", "Walker", "Hughes"]
        let grades: [ResponseGrade?] = [nil, nil, nil, .emergency, .priority, .scheduled, .resolvedWithoutDeployment]
        let statuses: [CaseStatus] = [.new, .new, .triaged, .assigned, .underInvestigation, .closed, .closed]
        let now = Date()
        let started = Date()
        var written = 0
        var generator = SystemRandomNumberGenerator()
        // References are drawn here, distinct, as a submission would draw again on a taken one.
        var references = Set<String>()
        while references.count < count { references.insert(ReportReference.make(force: force, using: &generator)) }
        let drawn = Array(references)
        while written < count {
            let batch = min(5000, count - written)
            let offset = written
            try await database.transaction { tx in
                for index in 0..<batch {
                    let n = offset + index
                    let id = RecordID.make()
                    let reference = drawn[n]
                    let name = "\(first[n % first.count]) \(last[(n / first.count) % last.count])"
                    let email = "person\(n)@example.org"
                    let phone = String(format: "07700%06d", n % 1_000_000)
                    let postcode = String(format: "SW%d %dAB", n % 20 + 1, n % 9 + 1)
                    let registration = String(format: "AB%02d CDE", n % 100)
                    let service = services[n % services.count]
                    let created = (now - Double(n % 365) * 86_400 - Double(n % 86_400)).millisecondsSince1970
                    let grade = grades[n % grades.count]
                    let status = grade == nil ? CaseStatus.new : statuses[n % statuses.count]
                    try await tx.raw(
                        """
                        INSERT INTO reports (id, force_id, reference, service_id, service_version, answers, contact_name,
                            contact_email, contact_phone, language, journey_id, created_at)
                        VALUES (\(bind: id), \(bind: force.rawValue), \(bind: reference), \(bind: service), 1,
                            '{"answers":{},"declared":false,"entries":{},"service":"x","version":1}', \(bind: name), \(bind: email),
                            \(bind: phone), 'en', \(bind: id), \(bind: created))
                        """
                    ).run()
                    try await tx.raw(
                        """
                        INSERT INTO journeys (id, force_id, service_id, service_version, state, created_at, updated_at, expires_at, report_id)
                        VALUES (\(bind: id), \(bind: force.rawValue), \(bind: service), 1, '{}', \(bind: created), \(bind: created), \(bind: created), \(bind: id))
                        """
                    ).run()
                    try await tx.raw(
                        """
                        INSERT INTO cases (report_id, force_id, status, risk_rank, grade, service_id, created_at, updated_at)
                        VALUES (\(bind: id), \(bind: force.rawValue), \(bind: status.rawValue), \(bind: ResponseGrade.rank(grade)),
                            \(bind: grade?.rawValue), \(bind: service), \(bind: created), \(bind: created))
                        """
                    ).run()
                    for term in SearchTerm.terms(
                        reference: reference, contactName: name, contactEmail: email, contactPhone: phone, postcodes: [postcode],
                        registrations: [registration])
                    {
                        try await tx.raw(
                            "INSERT INTO case_search (force_id, term, report_id) VALUES (\(bind: force.rawValue), \(bind: term), \(bind: id))"
                        ).run()
                    }
                }
            }
            written += batch
            print("seeded \(written) of \(count) reports (\(Int(Date().timeIntervalSince(started))) s)")
        }
        try await database.sql.raw("ANALYZE").run()
        try await database.close()
    }

    struct Target {
        let name: String
        let path: String
    }

    /// Signs in with the account `peel staff create` printed, then asks for each target
    /// `requests` times, one request at a time, and prints p50 and p99.
    static func measure(base: String, staffFile: String, force: String, requests: Int) async throws {
        let text = try String(contentsOfFile: staffFile, encoding: .utf8)
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            if line.hasPrefix("Created ") { values["email"] = String(line.split(separator: " ")[1]) }
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2 { values[parts[0]] = parts[1] }
        }
        guard let email = values["email"], let password = values["password"], let secret = values["totp-secret"].flatMap(Base32.decode)
        else { throw BenchError(message: "\(staffFile) is not what 'peel staff create' prints") }
        let connection = try await BenchConnection.connect(to: base)
        defer { connection.close() }
        var cookies: [String: String] = [:]
        func send(_ method: String, _ path: String, _ body: String? = nil) async throws -> BenchResponse {
            var headers: [(String, String)] = []
            if !cookies.isEmpty { headers.append(("Cookie", cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))) }
            var payload: String?
            if let body {
                payload = "csrf_token=\(cookies["peel_csrf"] ?? "")&\(body)"
                headers.append(("Content-Type", "application/x-www-form-urlencoded"))
            }
            let response = try await connection.send(method: method, path: path, headers: headers, body: payload)
            for cookie in response.setCookies {
                let pair = cookie.prefix { $0 != ";" }.split(separator: "=", maxSplits: 1)
                if pair.count == 2 { cookies[String(pair[0])] = String(pair[1]) }
            }
            return response
        }
        func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text }
        _ = try await send("GET", "/\(force)/staff/sign-in")
        _ = try await send("POST", "/\(force)/staff/sign-in", "email=\(encode(email))&password=\(encode(password))")
        let code = TOTP(secret: secret).code(step: TOTP.step(at: Date()))
        let signedIn = try await send("POST", "/\(force)/staff/sign-in/code", "code=\(code)")
        guard signedIn.status == 303 else { throw BenchError(message: "sign-in answered \(signedIn.status)") }
        let targets = [
            Target(name: "first page of the queue (open reports)", path: "/\(force)/staff/"),
            Target(name: "page 40 of the queue", path: "/\(force)/staff/?page=40"),
            Target(name: "filtered: a service, priority grade, unassigned", path: "/\(force)/staff/?service=report-theft&grade=priority&assigned=none"),
            Target(name: "search by surname (many matches)", path: "/\(force)/staff/?q=hughes"),
            Target(name: "search by postcode prefix", path: "/\(force)/staff/?q=SW7+3"),
            Target(name: "search by email (one match)", path: "/\(force)/staff/?q=person4242%40example.org"),
        ]
        print("queue benchmark: \(requests) requests per address, one at a time, after 20 to warm up")
        for target in targets {
            for _ in 0..<20 { _ = try await send("GET", target.path) }
            var times: [Double] = []
            for _ in 0..<requests {
                let started = ContinuousClock.now
                let response = try await send("GET", target.path)
                times.append((ContinuousClock.now - started).timeInterval * 1000)
                guard response.status == 200 else { throw BenchError(message: "\(target.path) answered \(response.status)") }
            }
            times.sort()
            print(String(format: "%@: p50 %.2f ms, p99 %.2f ms", target.name, times[times.count / 2], times[min(times.count - 1, times.count * 99 / 100)]))
        }
    }
}
