import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOPosix
import PeelApp
import PeelAuth
import PeelCore
import PeelForms
import PeelHub
import PeelStore
import PeelWeb

@main
struct Peel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peel",
        abstract: "Peel: the national digital public contact platform for police forces.",
        discussion: """
            Configuration comes from the command line, then PEEL_… environment variables, then a .env
            file in the working folder, then defaults:
            \(PeelConfiguration.keys.map { "  \($0.key.padding(toLength: 28, withPad: " ", startingAt: 0)) \($0.meaning) (default \($0.fallback))" }.joined(separator: "\n"))
            """,
        subcommands: [
            Serve.self, Migrate.self, Forces.self, Services.self, Staff.self, Audit.self, Hub.self, FakeRMS.self, FakeNotifyCommand.self,
            PoliceDataCommand.self,
        ],
        defaultSubcommand: Serve.self)
}

/// Options every command shares.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Data folder for the embedded SQLite database (PEEL_DATA_DIR).")
    var data: String?

    func commandLine(_ extra: [String: String?] = [:]) -> [String: String] {
        var values: [String: String] = [:]
        if let data { values["PEEL_DATA_DIR"] = data }
        for (key, value) in extra { if let value { values[key] = value } }
        return values
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the web server and the job worker.")

    @OptionGroup var common: CommonOptions
    @Option(help: "Address to listen on (PEEL_HOST).") var host: String?
    @Option(help: "Port to listen on (PEEL_PORT).") var port: String?

    func run() async throws {
        try await runReportingFailures { () async throws -> Void in
            let configuration = try loadConfiguration(common.commandLine(["PEEL_HOST": host, "PEEL_PORT": port]))
            // As many event loops as configured (decision 0040), set before anything uses them.
            NIOSingletons.groupLoopCountSuggestion = configuration.eventLoops
            // Every task (requests, the job worker) runs on SwiftNIO's event loops rather than on
            // Swift's own shared threads, so a request is read, handled and answered on one thread
            // with no hand-off between the two pools (decision 0033). Done before the server
            // starts; where the runtime offers no hook, tasks stay on Swift's executor.
            _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
            let logger = Logger(label: "peel")
            try await serve(configuration, logger: logger)
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations, or show their status.")

    @OptionGroup var common: CommonOptions
    @Flag(help: "List every migration and whether it has been applied, without applying any.")
    var status = false

    func run() async throws {
        try await runReportingFailures { () async throws -> Void in
            let configuration = try loadConfiguration(common.commandLine())
            let logger = Logger(label: "peel")
            let store = try await openStore(configuration, logger: logger, migrate: false)
            do {
                let migrator = Migrator(database: store.database, logger: logger)
                if status {
                    for entry in try await migrator.status() {
                        let when = entry.appliedAt.map { "applied \($0.formatted(.iso8601))" } ?? "pending"
                        print("\(entry.id)  \(when)")
                    }
                    for unknown in try await migrator.unknownApplied() {
                        print("\(unknown)  applied, unknown to this build")
                    }
                } else {
                    let applied = try await migrator.migrate()
                    print(applied.isEmpty ? "The database is up to date." : "Applied \(applied.joined(separator: ", ")).")
                }
            } catch {
                try? await store.database.close()
                throw error
            }
            try await store.database.close()
        }
    }
}

struct Forces: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List forces and change their onboarding.", subcommands: [List.self, Onboard.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every force and body with its onboarding state.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            try await runReportingFailures { () async throws -> Void in
                try await withStore(common) { store in
                    let forces = try await store.forces.all().sorted { $0.id < $1.id }
                    print("id".padding(toLength: 22, withPad: " ", startingAt: 0) + "onboarding     name")
                    for force in forces {
                        print(
                            force.id.rawValue.padding(toLength: 22, withPad: " ", startingAt: 0)
                                + force.onboarding.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0)
                                + force.name)
                    }
                    print("\(forces.count) forces and bodies")
                }
            }
        }
    }

    struct Onboard: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Onboard a force on the core or full model.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The force id, as listed by 'peel forces list' (for example thames-valley).")
        var forceID: String
        @Option(help: "core (the national core services) or full (the whole catalogue).")
        var model: String

        func run() async throws {
            try await runReportingFailures { () async throws -> Void in
                guard let chosen = OnboardingModel(rawValue: model), chosen != .notOnboarded else {
                    throw StartupError("--model must be core or full, not '\(model)'")
                }
                guard let id = ForceID(validating: forceID) else {
                    throw StartupError("'\(forceID)' is not a force id. Run 'peel forces list' to see them.")
                }
                try await withStore(common) { store in
                    guard let force = try await store.forces.setOnboarding(id, to: chosen, at: Date()) else {
                        throw StartupError("there is no force with id '\(forceID)'. Run 'peel forces list' to see them.")
                    }
                    print("\(force.name) (\(force.id)) is onboarded on the \(chosen.rawValue) model.")
                }
            }
        }
    }
}

struct Services: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Work with the catalogue of online services.", subcommands: [Validate.self, Set.self])

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Turn a national service off or on for a force, or give it the force's own wording.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The force id (for example kent).") var forceID: String
        @Argument(help: "The service id (for example lost-property).") var serviceID: String
        @Option(help: "true or false.") var enabled: String?
        @Option(name: .customLong("title-en")) var titleEnglish: String?
        @Option(name: .customLong("title-cy")) var titleWelsh: String?
        @Option(name: .customLong("summary-en")) var summaryEnglish: String?
        @Option(name: .customLong("summary-cy")) var summaryWelsh: String?

        func run() async throws {
            try await runReportingFailures { () async throws -> Void in
                guard let id = ForceID(validating: forceID) else {
                    throw StartupError("'\(forceID)' is not a force id. Run 'peel forces list' to see them.")
                }
                guard try ServiceCatalogue.bundled().service(serviceID) != nil else {
                    throw StartupError("there is no service '\(serviceID)' in the catalogue.")
                }
                let on: Bool?
                switch enabled?.lowercased() {
                case nil: on = nil
                case "true", "yes", "on": on = true
                case "false", "no", "off": on = false
                default: throw StartupError("--enabled must be true or false, not '\(enabled ?? "")'")
                }
                try await withStore(common) { store in
                    guard try await store.forces.find(id) != nil else {
                        throw StartupError("there is no force with id '\(forceID)'. Run 'peel forces list' to see them.")
                    }
                    var setting = try await store.serviceSettings.settings(for: id)[serviceID]
                        ?? ForceServiceSetting(forceID: id, serviceID: serviceID)
                    if let on { setting.enabled = on }
                    if let titleEnglish { setting.title[.english] = titleEnglish }
                    if let titleWelsh { setting.title[.welsh] = titleWelsh }
                    if let summaryEnglish { setting.summary[.english] = summaryEnglish }
                    if let summaryWelsh { setting.summary[.welsh] = summaryWelsh }
                    try await store.serviceSettings.save(setting, at: Date())
                    print("\(serviceID) for \(id): \(setting.enabled ? "offered" : "turned off").")
                }
            }
        }
    }

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check service definitions: every problem with its file, path and reason.")
        @Argument(help: "A folder of definition files (default: the catalogue built into peel).")
        var directory: String?

        func run() async throws {
            do {
                let catalogue =
                    try directory.map { try ServiceCatalogue.load(from: URL(fileURLWithPath: $0)) }
                    ?? ServiceCatalogue.bundled()
                print("\(catalogue.services.count) services, no problems.")
            } catch let error as CatalogueLoadError {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                throw ExitCode(1)
            } catch {
                FileHandle.standardError.write(Data("peel: cannot read \(directory ?? "the catalogue"): \(error.localizedDescription)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}

struct Staff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage back-office staff.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a member of staff and print their authenticator secret (for the first administrator, and scripts).")
        @OptionGroup var common: CommonOptions
        @Option(help: "The force id, as listed by 'peel forces list'; leave out for the national team.")
        var force: String?
        @Option(help: "Their work email address.")
        var email: String
        @Option(help: "contact-handler, officer, supervisor or force-administrator (repeat for several).")
        var role: [String]
        @Option(help: "Their full name (default: the email address).")
        var name: String?
        @Option(help: "Their collar number, if they have one.")
        var collarNumber: String?
        @Option(help: "Their password (default: a random one, printed once).")
        var password: String?

        func run() async throws {
            try await runReportingFailures { () async throws -> Void in
                var roles = Swift.Set<StaffRole>()
                for text in role {
                    guard let parsed = StaffRole(rawValue: text) else {
                        throw StartupError(
                            "--role must be contact-handler, officer, supervisor, force-administrator or national-administrator, not '\(text)'")
                    }
                    roles.insert(parsed)
                }
                guard !roles.isEmpty else { throw StartupError("give at least one --role") }
                let forceID: ForceID?
                if let force {
                    guard let id = ForceID(validating: force) else {
                        throw StartupError("'\(force)' is not a force id. Run 'peel forces list' to see them.")
                    }
                    guard !roles.contains(.nationalAdministrator) else {
                        throw StartupError("a national administrator belongs to no force: leave out --force")
                    }
                    forceID = id
                } else {
                    guard roles == [.nationalAdministrator] else {
                        throw StartupError("give --force for a force's staff; only --role national-administrator goes without one")
                    }
                    forceID = nil
                }
                let chosenPassword = password ?? Tokens.generate().prefix(24).description
                try await withStore(common) { store, configuration in
                    if let forceID, try await store.forces.find(forceID) == nil {
                        throw StartupError("there is no force with id '\(forceID)'. Run 'peel forces list' to see them.")
                    }
                    guard try await store.staff.find(email: email) == nil else {
                        throw StartupError("someone with the email address \(email) already has an account")
                    }
                    let security = try staffSecurity(configuration, store: store)
                    var member: StaffMember
                    switch await security.newMember(
                        forceID: forceID, email: email, name: name ?? email, roles: roles, password: chosenPassword,
                        collarNumber: collarNumber)
                    {
                    case .failure(let refusal): throw StartupError("the password is refused: \(refusal.description)")
                    case .success(let created): member = created
                    }
                    let totp = TOTP.generate()
                    member.sealedTOTPSecret = try security.secrets.seal(totp.secret)
                    member.totpEnrolled = true
                    try await store.staff.create(member)
                    let codes = RecoveryCodes.generate()
                    try await store.staff.replaceRecoveryCodes(staffID: member.id, hashes: codes.map(RecoveryCodes.hash))
                    try await store.audit.append(
                        AuditRecord(
                            forceID: forceID, actorID: nil, action: "staff.create", subject: "staff:\(member.id)",
                            detail: "created from the command line as \(member.rolesText)"),
                        at: Date())
                    let realm = forceID.map(\.rawValue) ?? "national"
                    print("Created \(member.email) in \(realm) as \(member.rolesText).")
                    if password == nil { print("password: \(chosenPassword)") }
                    print("totp-secret: \(Base32.encode(totp.secret))")
                    print("totp-uri: \(totp.provisioningURI(account: member.email, issuer: "Peel \(realm)"))")
                    print("recovery-codes: \(codes.joined(separator: " "))")
                    print("Sign in at \(configuration.publicURL)/\(realm)/staff/sign-in")
                }
            }
        }
    }
}

struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Work with the append-only audit log.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Walk the audit log's hash chain and report the first entry that was altered or removed.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            try await runReportingFailures { () async throws -> Void in
                var broken = false
                try await withStore(common) { store, _ in
                    switch try await store.audit.verify() {
                    case .intact(let entries, let head):
                        print("audit log intact: \(entries) entries; head \(head)")
                    case .broken(let sequence, let reason):
                        FileHandle.standardError.write(Data("peel: audit log broken at entry \(sequence): \(reason)\n".utf8))
                        broken = true
                    }
                }
                if broken { throw ExitCode(1) }
            }
        }
    }
}

struct Hub: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Connect forces to their records systems.", subcommands: [Configure.self])

    struct Configure: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set how a force's reports reach its records system: standard-api, file-drop, email, or none (the demo records system).")
        @OptionGroup var common: CommonOptions
        @Option(help: "The force id, as listed by 'peel forces list'.")
        var force: String
        @Option(help: "standard-api, file-drop, email, or none.")
        var adapter: String
        @Option(help: "standard-api: the records system's address for reports (https, or http on loopback).")
        var url: String?
        @Option(help: "standard-api: the shared secret that signs both ways, 32 characters or more (kept sealed with the node's key; without it, the current one is kept).")
        var secret: String?
        @Flag(help: "standard-api: draw a new shared secret and print it once, to give to the records system.")
        var generateSecret = false
        @Option(help: "file-drop: the folder to write each report into (any folder; administrators in the back office choose a folder under the data folder's drops/).")
        var directory: String?
        @Option(help: "email: the force mailbox.")
        var email: String?

        func run() async throws {
            try await runReportingFailures { () async throws -> Void in
                guard let forceID = ForceID(validating: force) else {
                    throw StartupError("'\(force)' is not a force id. Run 'peel forces list' to see them.")
                }
                try await withStore(common) { store, configuration in
                    guard try await store.forces.find(forceID) != nil else {
                        throw StartupError("there is no force with id '\(force)'. Run 'peel forces list' to see them.")
                    }
                    let request = HubConnectionRequest(
                        adapter: adapter, url: url ?? "", secret: secret ?? "", generateSecret: generateSecret, directory: directory ?? "",
                        email: email ?? "")
                    let change: HubConnection.Change
                    do {
                        change = try HubConnection.settle(
                            request, force: forceID, current: try await store.hub.endpoint(for: forceID), folders: .anyPath,
                            secrets: try SecretBox.load(base64: configuration.secretKey, dataDirectory: configuration.dataDirectory),
                            now: Date())
                    } catch let refused as HubConnection.Refused {
                        throw StartupError(refused.description)
                    }
                    try await HubConnection.apply(change, hub: store.hub, audit: store.audit, actorID: nil, at: Date())
                    switch change {
                    case .remove: print("\(forceID) now delivers reports to the demo records system.")
                    case .save(let endpoint, let generated, _):
                        print("\(forceID) now delivers reports by \(endpoint.adapter.rawValue).")
                        if let generated { print("shared secret (shown once; give it to the records system): \(generated)") }
                    }
                }
            }
        }
    }
}

struct FakeRMS: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fake-rms",
        abstract: "Run a fake records system that speaks Peel's standard API, for demonstrations and tests.")
    @Option(help: "Port to listen on (127.0.0.1).")
    var port: Int = 9090
    @Option(help: "The shared secret, as given to 'peel hub configure'.")
    var secret: String
    @Option(help: "Share of requests to fail with 503, 0 to 1.")
    var failRate: Double = 0
    @Option(help: "Seconds after starting during which --fail-rate applies (0: for as long as it runs).")
    var failFor: Int = 0
    @Option(help: "Milliseconds to wait before each answer.")
    var latency: Int = 0
    @Option(help: "Seconds to answer 503 to everything after starting.")
    var downFor: Int = 0
    @Option(help: "Peel's address (http://127.0.0.1:8080): call it back, signed, with the reference and status of each report taken.")
    var callbacks: String?

    func run() async throws {
        PeelLogging.bootstrap(level: .info, format: .text)
        let fake = FakeRecordsSystem(
            options: .init(
                secret: Array(secret.utf8), failRate: min(max(failRate, 0), 1), failFor: failFor > 0 ? .seconds(failFor) : nil,
                latency: .milliseconds(max(0, latency)),
                downFor: .seconds(max(0, downFor)), callbacks: callbacks))
        print("fake records system on http://127.0.0.1:\(port)/reports (received: http://127.0.0.1:\(port)/received)")
        try await fake.serve(host: "127.0.0.1", port: port, logger: Logger(label: "fake-rms"))
    }
}

/// Reads configuration and sets up logging from it.
func loadConfiguration(_ commandLine: [String: String]) throws -> PeelConfiguration {
    let configuration = try PeelConfiguration.load(commandLine: commandLine)
    PeelLogging.bootstrap(level: configuration.logLevel, format: configuration.logFormat)
    return configuration
}

/// Opens the store for a one-off command and closes it afterwards.
func withStore(_ common: CommonOptions, _ body: (Store) async throws -> Void) async throws {
    try await withStore(common) { store, _ in try await body(store) }
}

/// Opens the store for a one-off command, with the configuration it was opened with.
func withStore(_ common: CommonOptions, _ body: (Store, PeelConfiguration) async throws -> Void) async throws {
    let configuration = try loadConfiguration(common.commandLine())
    let store = try await openStore(configuration, logger: Logger(label: "peel"))
    do {
        try await body(store, configuration)
    } catch {
        try? await store.database.close()
        throw error
    }
    try await store.database.close()
}

/// Runs a command, turning a failure Peel understands into one line on standard error and a
/// non-zero exit, instead of a stack trace.
func runReportingFailures(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ExitCode {
        throw error
    } catch {
        FileHandle.standardError.write(Data("peel: \(StartupFailure.message(for: error))\n".utf8))
        throw ExitCode(1)
    }
}

enum StartupFailure {
    static func message(for error: any Error) -> String {
        switch error {
        case let error as ConfigurationError: return error.description
        case let error as StartupError: return error.description
        case let error as DatabaseOpenError: return error.description
        case let error as MigrationError: return error.description
        default: return "could not run: \(String(describing: error))"
        }
    }
}
