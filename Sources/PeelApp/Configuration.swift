import Foundation
import Logging
import NIOCore
import PeelNotify
import PeelStore

/// Everything Peel is configured with, read once at start into typed values.
///
/// Sources, strongest first: the command line, the environment (`PEEL_…`), a `.env` file in the
/// working folder, then defaults. With no configuration at all Peel runs on SQLite in
/// `./peel-data/` with demo content at http://localhost:8080.
package struct PeelConfiguration: Sendable {
    package enum Role: String, Sendable, CaseIterable {
        /// Web server and job worker in one process (the default).
        case all
        /// Web server only: for a node behind a load balancer while workers run elsewhere.
        case web
        /// Job worker only.
        case worker

        var runsWeb: Bool { self != .worker }
        var runsWorker: Bool { self != .web }
    }

    package enum LogFormat: String, Sendable {
        case text
        case json
    }

    package var host: String
    package var port: Int
    package var dataDirectory: String
    /// `nil` means SQLite in the data folder.
    package var databaseURL: String?
    /// PostgreSQL schema to use instead of `public` (a shared server, or one schema per test).
    package var databaseSchema: String?
    package var databasePoolSize: Int
    package var publicURL: String
    package var demo: Bool
    package var role: Role
    package var workerConcurrency: Int
    /// SwiftNIO's event loops, the threads that serve requests (decision 0040).
    package var eventLoops: Int = PeelConfiguration.defaultEventLoops
    /// The niceness SQLite's writer thread asks for: below 0, it runs ahead of the threads that
    /// serve requests, where the system allows it (decision 0043).
    package var writerNiceness: Int = PeelConfiguration.defaultWriterNiceness
    /// Deliveries at once to one force's records system, per node.
    package var hubConcurrency: Int
    /// bcrypt's cost for staff passwords.
    package var passwordCost: Int
    /// The node's secret key (base64 of 32 bytes); without it, `secret.key` in the data folder.
    package var secretKey: String?
    /// Whether the client's address is read from `X-Forwarded-For` (its last entry, added by the
    /// proxy in front of Peel) for per-client limits. Only behind a proxy that sets it.
    package var trustForwardedFor = false
    /// The data.police.uk API's per-client limit (requests a second, burst); `nil` turns it off.
    package var dataAPIRateLimit: (perSecond: Int, burst: Int)? = (15, 30)
    /// Where imported police.uk data lives; `nil` means `police-data/` in the data folder.
    package var policeDataDirectory: String?
    package var logLevel: Logger.Level
    package var logFormat: LogFormat
    /// GOV.UK Notify; without it, messages go to the local mailbox.
    package var notify: NotifySettings = NotifySettings()

    /// One event loop for each core, SwiftNIO's own default. Fewer leaves the writer's thread and
    /// the job worker more room: a shorter tail, but fewer requests a second (decision 0040).
    package static var defaultEventLoops: Int { System.coreCount }

    /// Every write waits for SQLite's one writer thread; it goes first when it is ready to run,
    /// as far as the system lets Peel raise a thread's priority (decision 0043).
    package static let defaultWriterNiceness = -10

    /// Where the data lives.
    package var database: DatabaseLocation {
        if let databaseURL { return .postgres(url: databaseURL, searchPath: databaseSchema.map { [$0] }) }
        return .sqlite(path: URL(fileURLWithPath: dataDirectory).appendingPathComponent("peel.sqlite").path)
    }

    /// Whether the public address is served over TLS (directly or by a proxy in front).
    package var servedOverTLS: Bool { publicURL.lowercased().hasPrefix("https://") }

    /// A one-line summary safe for logs: no secrets.
    package var summary: String {
        "role=\(role.rawValue) event_loops=\(eventLoops) writer_niceness=\(writerNiceness) listen=\(host):\(port) public=\(publicURL) database=\(database) demo=\(demo) notify=\(notify.summary)"
    }

    /// The settings Peel reads, with their defaults, for the README and `--help`.
    package static let keys: [(key: String, fallback: String, meaning: String)] = [
        ("PEEL_HOST", "127.0.0.1", "address to listen on (--host)"),
        ("PEEL_PORT", "8080", "port to listen on (--port)"),
        ("PEEL_DATA_DIR", "./peel-data", "data folder for SQLite and files (--data)"),
        ("PEEL_DATABASE_URL", "(none: SQLite)", "postgres://user:password@host:5432/database"),
        ("PEEL_DATABASE_SCHEMA", "(public)", "PostgreSQL schema to keep Peel's tables in"),
        ("PEEL_DATABASE_POOL_SIZE", "8", "database connections per process (at least one per core)"),
        ("PEEL_PUBLIC_URL", "http://localhost:PORT", "public address; https turns on HSTS and secure cookies"),
        ("PEEL_DEMO", "true on SQLite, false on PostgreSQL", "demo forces and content on first start, and the local mailbox at /_dev/mailbox"),
        ("PEEL_ROLE", "all", "all, web or worker"),
        ("PEEL_WORKER_CONCURRENCY", "16", "jobs a worker claims and runs at once"),
        ("PEEL_EVENT_LOOPS", "one per core", "threads that serve requests; fewer leaves more room to the database's writer and the job worker"),
        ("PEEL_WRITER_NICENESS", "-10", "priority SQLite's writer thread asks for (-20 to 0), so that the one thread every write waits for goes first; below 0 needs CAP_SYS_NICE or an RLIMIT_NICE that reaches it (systemd `LimitNICE=-10`, `docker run --cap-add SYS_NICE`), else it runs at 0 and says so at start"),
        ("PEEL_HUB_CONCURRENCY", "8", "deliveries at once to one force's records system, per node"),
        ("PEEL_PASSWORD_COST", "12", "bcrypt cost for staff passwords (4 to 15)"),
        ("PEEL_SECRET_KEY", "(secret.key in the data folder)", "base64 of 32 bytes that seals stored secrets; the same on every node"),
        ("PEEL_TRUST_FORWARDED_FOR", "false", "read the client's address from X-Forwarded-For (behind a proxy that sets it), for per-client limits (MyPolice codes, the data API)"),
        ("PEEL_POLICE_DATA_DIR", "(police-data in the data folder)", "imported police.uk data; may be shared read-only by web nodes"),
        ("PEEL_DATA_API_RATE_LIMIT", "15/30", "the data.police.uk API's per-client limit: requests a second/burst, or off"),
        ("PEEL_LOG_LEVEL", "info", "trace, debug, info, notice, warning, error or critical"),
        ("PEEL_LOG_FORMAT", "text", "text, or json for one JSON object per line"),
        ("PEEL_NOTIFY_API_KEY", "(none: the local mailbox)", "GOV.UK Notify API key that email and text messages are sent with"),
        ("PEEL_NOTIFY_URL", NotifySettings.defaultURL, "GOV.UK Notify's address (peel fake-notify's, to try it locally)"),
        ("PEEL_NOTIFY_CALLBACK_TOKEN", "(none: receipts refused)", "bearer token Notify sends with delivery receipts to /api/v1/notify/receipts"),
        ("PEEL_NOTIFY_TEMPLATE_…", "(Peel's template ids)", "the id Notify gave one of Peel's templates, e.g. PEEL_NOTIFY_TEMPLATE_SIGN_IN_CODE_SMS_CY"),
    ]

    /// Reads the configuration. `commandLine` holds values given as flags, keyed like the
    /// environment (`PEEL_PORT`).
    package static func load(
        commandLine: [String: String] = [:],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        dotEnvFile: String? = ".env"
    ) throws(ConfigurationError) -> PeelConfiguration {
        var values: [String: String] = [:]
        if let dotEnvFile, FileManager.default.fileExists(atPath: dotEnvFile) {
            let text: String
            do {
                text = try String(contentsOfFile: dotEnvFile, encoding: .utf8)
            } catch {
                throw ConfigurationError("\(dotEnvFile) could not be read: \(error.localizedDescription)")
            }
            values.merge(try DotEnv.parse(text, file: dotEnvFile)) { _, new in new }
        }
        values.merge(environment.filter { $0.key.hasPrefix("PEEL_") }) { _, new in new }
        values.merge(commandLine) { _, new in new }
        let reader = Reader(values: values)
        let port = try reader.integer("PEEL_PORT", default: 8080, in: 1...65535)
        let databaseURL = reader.string("PEEL_DATABASE_URL")
        if let databaseURL {
            do { try DatabaseURL.validatePostgres(databaseURL) } catch { throw ConfigurationError(error.description) }
        }
        var configuration = PeelConfiguration(
            host: reader.string("PEEL_HOST") ?? "127.0.0.1",
            port: port,
            dataDirectory: reader.string("PEEL_DATA_DIR") ?? "./peel-data",
            databaseURL: databaseURL,
            databaseSchema: try reader.identifier("PEEL_DATABASE_SCHEMA"),
            databasePoolSize: try reader.integer("PEEL_DATABASE_POOL_SIZE", default: 8, in: 1...200),
            publicURL: reader.string("PEEL_PUBLIC_URL") ?? "http://localhost:\(port)",
            // Demo content suits the embedded default; a PostgreSQL deployment opts in.
            demo: try reader.boolean("PEEL_DEMO", default: databaseURL == nil),
            role: try reader.choice("PEEL_ROLE", default: .all),
            workerConcurrency: try reader.integer("PEEL_WORKER_CONCURRENCY", default: 16, in: 1...64),
            hubConcurrency: try reader.integer("PEEL_HUB_CONCURRENCY", default: 8, in: 1...64),
            passwordCost: try reader.integer("PEEL_PASSWORD_COST", default: 12, in: 4...15),
            secretKey: reader.string("PEEL_SECRET_KEY"),
            logLevel: try reader.choice("PEEL_LOG_LEVEL", default: .info),
            logFormat: try reader.choice("PEEL_LOG_FORMAT", default: .text),
            notify: try NotifySettings.read(reader))
        configuration.eventLoops = try reader.integer("PEEL_EVENT_LOOPS", default: defaultEventLoops, in: 1...256)
        configuration.writerNiceness = try reader.integer("PEEL_WRITER_NICENESS", default: defaultWriterNiceness, in: -20...0)
        configuration.trustForwardedFor = try reader.boolean("PEEL_TRUST_FORWARDED_FOR", default: false)
        configuration.policeDataDirectory = reader.string("PEEL_POLICE_DATA_DIR")
        configuration.dataAPIRateLimit = try reader.rate("PEEL_DATA_API_RATE_LIMIT", default: (15, 30))
        return configuration
    }

    struct Reader {
        let values: [String: String]

        func string(_ key: String) -> String? {
            guard let value = values[key]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            return value
        }

        func integer(_ key: String, default fallback: Int, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
            guard let text = string(key) else { return fallback }
            guard let value = Int(text), range.contains(value) else {
                throw ConfigurationError(
                    "\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
            }
            return value
        }

        /// `15/30` (a second, burst) or `off`.
        func rate(_ key: String, default fallback: (Int, Int)) throws(ConfigurationError) -> (perSecond: Int, burst: Int)? {
            guard let text = string(key)?.lowercased() else { return fallback }
            if text == "off" { return nil }
            let parts = text.split(separator: "/").map { Int($0) }
            guard parts.count == 2, let rate = parts[0], let burst = parts[1], rate >= 1, burst >= rate else {
                throw ConfigurationError("\(key) must be requests a second and a burst at least as large (15/30), or off, not '\(text)'")
            }
            return (rate, burst)
        }

        func identifier(_ key: String) throws(ConfigurationError) -> String? {
            guard let text = string(key) else { return nil }
            guard text.utf8.count <= 63, let first = text.first, first.isLetter || first == "_",
                text.allSatisfy({ ($0.isLetter || $0.isNumber || $0 == "_") && $0.isASCII })
            else { throw ConfigurationError("\(key) must be a plain schema name (letters, digits, _), not '\(text)'") }
            return text
        }

        func boolean(_ key: String, default fallback: Bool) throws(ConfigurationError) -> Bool {
            guard let text = string(key)?.lowercased() else { return fallback }
            switch text {
            case "1", "true", "yes", "on": return true
            case "0", "false", "no", "off": return false
            default: throw ConfigurationError("\(key) must be true or false, not '\(text)'")
            }
        }

        func choice<T: RawRepresentable & CaseIterable>(_ key: String, default fallback: T) throws(ConfigurationError) -> T
        where T.RawValue == String {
            guard let text = string(key) else { return fallback }
            guard let value = T(rawValue: text.lowercased()) else {
                let options = T.allCases.map(\.rawValue).joined(separator: ", ")
                throw ConfigurationError("\(key) must be one of \(options), not '\(text)'")
            }
            return value
        }
    }
}

extension PeelConfiguration.LogFormat: CaseIterable {}

/// How Peel reaches GOV.UK Notify, read from `PEEL_NOTIFY_…`.
package struct NotifySettings: Sendable {
    package static let defaultURL = GOVUKNotifyClient.defaultURL
    /// The minimum length of the callback token, as Notify asks of it.
    static let minimumTokenLength = 10

    /// Without a key, Peel uses the local mailbox.
    package var apiKey: NotifyAPIKey?
    package var url = NotifySettings.defaultURL
    /// The bearer token Notify sends with delivery receipts; without it receipts are refused.
    package var callbackToken: String?
    /// Peel's templates with the ids the deployment's Notify service gave them.
    package var templates = NotifyTemplateCatalogue.standard

    package init(
        apiKey: NotifyAPIKey? = nil, url: String = NotifySettings.defaultURL, callbackToken: String? = nil,
        templates: NotifyTemplateCatalogue = .standard
    ) {
        self.apiKey = apiKey
        self.url = url
        self.callbackToken = callbackToken
        self.templates = templates
    }

    /// For the log: where messages go, and no secret.
    var summary: String { apiKey == nil ? "local-mailbox" : url }

    static func read(_ reader: PeelConfiguration.Reader) throws(ConfigurationError) -> NotifySettings {
        var settings = NotifySettings()
        if let text = reader.string("PEEL_NOTIFY_API_KEY") {
            // The key is never repeated in the message: it is a secret.
            do { settings.apiKey = try NotifyAPIKey(parsing: text) } catch { throw ConfigurationError("PEEL_NOTIFY_API_KEY \(error)") }
        }
        if let url = reader.string("PEEL_NOTIFY_URL") {
            guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme),
                parsed.host?.isEmpty == false
            else { throw ConfigurationError("PEEL_NOTIFY_URL must be an http or https address, not '\(url)'") }
            settings.url = url
        }
        if let token = reader.string("PEEL_NOTIFY_CALLBACK_TOKEN") {
            guard token.count >= minimumTokenLength else {
                throw ConfigurationError("PEEL_NOTIFY_CALLBACK_TOKEN must be at least \(minimumTokenLength) characters")
            }
            settings.callbackToken = token
        }
        let ids = reader.values.filter { $0.key.hasPrefix("PEEL_NOTIFY_TEMPLATE_") && !$0.value.isEmpty }
        do { settings.templates = try NotifyTemplateCatalogue.standard.overriding(ids) } catch {
            throw ConfigurationError(error.description)
        }
        return settings
    }
}

/// A configuration value Peel cannot use, phrased for the person running it.
package struct ConfigurationError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}

/// Reads `.env` files: `KEY=value` lines, `#` comments, optional `export ` and quotes.
package enum DotEnv {
    package static func parse(_ text: String, file: String = ".env") throws(ConfigurationError) -> [String: String] {
        var values: [String: String] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
            guard let equals = line.firstIndex(of: "=") else {
                throw ConfigurationError("\(file) line \(index + 1) is not KEY=value")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            } else if let hash = value.range(of: " #") {
                value = value[..<hash.lowerBound].trimmingCharacters(in: .whitespaces)
            }
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw ConfigurationError("\(file) line \(index + 1) has an invalid name '\(key)'")
            }
            values[key] = value
        }
        return values
    }
}
