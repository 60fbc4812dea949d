import Foundation
import Hummingbird
import Logging
import NIOCore
import PeelAuth
import PeelHub
import PeelCore
import PeelForms
import PeelNotify
import PeelPoliceData
import PeelStore
import PeelWeb
import ServiceLifecycle

/// Opens and prepares Peel's store: checks the data folder, connects, migrates, and brings the
/// force registry (and on first start the demo content) up to date.
package func openStore(_ configuration: PeelConfiguration, logger: Logger, migrate: Bool = true) async throws -> Store {
    if configuration.databaseURL == nil {
        try DataFolder.prepare(configuration.dataDirectory)
    }
    let database = try await Database.open(
        configuration.database, poolSize: configuration.databasePoolSize, writerNiceness: Int32(configuration.writerNiceness),
        logger: logger)
    if let running = database.writerNiceness, running != configuration.writerNiceness {
        logger.notice(
            "SQLite's writer runs at ordinary priority: raising it needs CAP_SYS_NICE or an RLIMIT_NICE that reaches PEEL_WRITER_NICENESS (README, settings)",
            metadata: ["writer_niceness": "\(configuration.writerNiceness)", "running_at": "\(running)"])
    }
    let store = Store(database: database)
    guard migrate else { return store }
    do {
        let migrator = Migrator(database: database, logger: logger)
        try await migrator.migrate()
        let unknown = try await migrator.unknownApplied()
        if !unknown.isEmpty {
            logger.warning(
                "the database has migrations this build does not know; is an older binary running?",
                metadata: ["migrations": "\(unknown.joined(separator: ","))"])
        }
        let seeder = Seeder(store: store)
        try await seeder.syncRegistry()
        if configuration.demo, try await seeder.seedDemo() {
            logger.info("seeded demo forces and content")
        }
        return store
    } catch {
        try? await database.close()
        throw error
    }
}

/// The composition root: configuration in, a runnable application out. `peel serve` and the
/// tests both build Peel here.
package func buildApplication(
    _ configuration: PeelConfiguration, logger: Logger, jobHandlers: [any JobHandler] = [],
    now: @escaping @Sendable () -> Date = Date.init, staffPolicies: StaffRoutePolicies = StaffRoutePolicies()
) async throws -> some ApplicationProtocol {
    // A broken service definition stops Peel before it opens anything.
    let catalogue = try ServiceCatalogue.bundled()
    let store = try await openStore(configuration, logger: logger)
    do {
        let notify = notifyClient(configuration.notify, messages: store.messages)
        let worker =
            configuration.role.runsWorker
            ? JobWorker(
                queue: store.jobs,
                handlers: jobHandlers + [
                    ConfirmationEmailJob(
                        reports: store.reports, forces: store.forces, catalogue: catalogue, notify: notify),
                    DeliverReportJob(
                        reports: store.reports, hub: store.hub, catalogue: catalogue,
                        secrets: try SecretBox.load(base64: configuration.secretKey, dataDirectory: configuration.dataDirectory),
                        notify: notify, publicURL: configuration.publicURL, logger: logger,
                        breaker: CircuitBreaker(),
                        limiter: ConcurrencyLimiter(limit: configuration.hubConcurrency)),
                    ReturnCodeEmailJob(
                        forces: store.forces, catalogue: catalogue, notify: notify, publicURL: configuration.publicURL),
                    StaffInvitationEmailJob(forces: store.forces, notify: notify),
                    SendNotificationJob(notifications: store.notifications, notify: notify, logger: logger),
                    PortalUpdateJob(
                        reports: store.reports, citizens: store.citizens, cases: store.cases, staff: store.staff,
                        forces: store.forces, jobs: store.jobs, publicURL: configuration.publicURL),
                ],
                settings: .init(name: WorkerName.make(), concurrency: configuration.workerConcurrency), logger: logger,
                housekeeping: [
                    { [journeys = store.journeys] in try await journeys.purgeExpired(before: Date()) },
                    { [staff = store.staff] in try await staff.purgeSessions(before: Date() - StaffSession.absoluteTimeout) },
                    { [citizens = store.citizens] in try await citizens.purge(now: Date()) },
                    { [notifications = store.notifications] in
                        try await notifications.purge(createdBefore: Date() - NotificationRetention.period)
                    },
                    { [database = store.database] in
                        try await database.optimize()
                        return 0
                    },
                ], doorbell: store.doorbell)
            : nil
        let services: [any Service] = [StoreService(database: store.database, worker: worker, logger: logger)]
        // A worker-only node answers health checks and metrics for its orchestrator, not pages.
        let router = try buildRouter(
            try webDependencies(configuration, store: store, pages: try await PageRenderer.bundled(), catalogue: catalogue, now: now, policies: staffPolicies),
            publicSite: configuration.role.runsWeb)
        logger.info("peel configured", metadata: ["configuration": "\(configuration.summary)"])
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            services: services,
            onServerRunning: { channel in
                logger.info("peel is serving", metadata: ["address": "\(configuration.publicURL)"])
            },
            logger: logger)
    } catch {
        try? await store.database.close()
        throw error
    }
}

/// Builds Peel and serves until SIGINT or SIGTERM, then shuts down gracefully.
package func serve(_ configuration: PeelConfiguration, logger: Logger) async throws {
    let app = try await buildApplication(configuration, logger: logger)
    do {
        try await app.runService()
    } catch {
        throw describeServeFailure(error, configuration: configuration)
    }
}

/// A failure to serve, with the bind errors people meet most often spelled out.
func describeServeFailure(_ error: any Error, configuration: PeelConfiguration) -> any Error {
    if let io = error as? IOError {
        switch io.errnoCode {
        case EADDRINUSE:
            return StartupError(
                "port \(configuration.port) on \(configuration.host) is already in use. Stop the program using it, or choose another port with --port or PEEL_PORT.")
        case EACCES:
            return StartupError(
                "not allowed to listen on port \(configuration.port). Choose a port above 1023 with --port or PEEL_PORT.")
        case EADDRNOTAVAIL:
            return StartupError(
                "cannot listen on \(configuration.host): this machine has no such address. Check --host or PEEL_HOST.")
        default:
            break
        }
    }
    if error is SocketAddressError {
        return StartupError("cannot listen on '\(configuration.host)': not a usable address. Check --host or PEEL_HOST.")
    }
    return error
}

extension Store: HealthCheckable {
    package func ping() async throws { try await database.ping() }
}

/// Runs the job worker (on nodes that run jobs) and closes the database when Peel stops.
///
/// The two share one service so that the database is closed only after the worker has stopped
/// using it, both on graceful shutdown (the web server, started after this service, stops
/// first) and when the group is cancelled because another service failed to start.
struct StoreService: Service, CustomStringConvertible {
    let database: Database
    let worker: JobWorker?
    let logger: Logger

    /// The service group names each service by its description; the default would print every
    /// job handler's catalogue of services (megabytes, and half a second of a test's time).
    var description: String { worker == nil ? "store" : "store and job worker" }

    func run() async throws {
        if let worker {
            // Jobs (deliveries, emails) run on a thread of low priority: on a node that also
            // serves pages, people waiting for a page come first, and the jobs take what CPU the
            // requests leave (decision 0034).
            let thread = DedicatedThread(name: "peel-jobs", niceness: 10)
            await withTaskExecutorPreference(thread) {
                await cancelWhenGracefulShutdown { await worker.run() }
            }
            thread.stop()
        } else {
            try? await gracefulShutdown()
        }
        // Closing must finish even when this task was cancelled, so it runs outside it.
        let database = database
        do {
            try await Task { try await database.close() }.value
            logger.info("database connections closed")
        } catch {
            logger.error("closing the database failed", metadata: ["error": "\(String(describing: error))"])
        }
    }
}

/// A worker's name: host and process, so an operator can tell which node holds a job.
enum WorkerName {
    static func make() -> String {
        "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"
    }
}

/// The data folder for the embedded database.
enum DataFolder {
    static func prepare(_ path: String) throws {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw StartupError("the data folder \(path) is a file, not a folder. Choose another with --data or PEEL_DATA_DIR.")
            }
        } else {
            do {
                try manager.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw StartupError(
                    "cannot create the data folder \(path) (\(error.localizedDescription.trimmingCharacters(in: CharacterSet(charactersIn: ". ")))). Choose another with --data or PEEL_DATA_DIR.")
            }
        }
        let probe = URL(fileURLWithPath: path).appendingPathComponent(".peel-write-check-\(UUID().uuidString)")
        guard manager.createFile(atPath: probe.path, contents: Data()) else {
            throw StartupError(
                "the data folder \(path) is not writable. Give Peel write access, or choose another folder with --data or PEEL_DATA_DIR.")
        }
        try? manager.removeItem(at: probe)
    }
}

/// A reason Peel cannot start, phrased for the person running it.
package struct StartupError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}

/// What the web layer is given: the store's repositories as PeelCore protocols, and the back
/// office's security (password hashing at the configured cost, the node's secret key).
package func webDependencies(
    _ configuration: PeelConfiguration, store: Store, pages: PageRenderer, catalogue services: ServiceCatalogue,
    now: @escaping @Sendable () -> Date = Date.init, policies: StaffRoutePolicies = StaffRoutePolicies()
) throws -> WebDependencies {
    var dependencies = WebDependencies(
        forces: CachedForceRepository(store.forces), forceContent: store.forceContent, jobs: store.jobs, health: store, metrics: WebMetrics(),
        pages: pages, catalogue: services, journeys: store.journeys, reports: store.reports, messages: store.messages,
        serviceSettings: store.serviceSettings, servedOverTLS: configuration.servedOverTLS, devTools: configuration.demo)
    dependencies.staffSecurity = try staffSecurity(configuration, store: store, now: now)
    dependencies.cases = store.cases
    dependencies.hub = store.hub
    dependencies.dataDirectory = configuration.dataDirectory
    dependencies.publicURL = configuration.publicURL
    dependencies.staffPolicies = policies
    dependencies.portal = store.portal
    dependencies.policeData = try PoliceData(folder: policeDataFolder(configuration))
    dependencies.policeDataRateLimit = configuration.dataAPIRateLimit.map {
        RateLimiter(perSecond: Double($0.perSecond), burst: Double($0.burst))
    }
    dependencies.trustForwardedFor = configuration.trustForwardedFor
    dependencies.neighbourhoods = store.neighbourhoods
    dependencies.portalSecurity = PortalSecurity(
        citizens: store.citizens,
        secrets: try SecretBox.load(base64: configuration.secretKey, dataDirectory: configuration.dataDirectory),
        now: now)
    dependencies.notifyReceipts = NotifyReceipts(notifications: store.notifications, token: configuration.notify.callbackToken)
    return dependencies
}

/// The back office's security, as `peel serve` and `peel staff create` both use it.
package func staffSecurity(
    _ configuration: PeelConfiguration, store: Store, now: @escaping @Sendable () -> Date = Date.init
) throws -> StaffSecurity {
    StaffSecurity(
        staff: store.staff, audit: store.audit, hasher: PasswordHasher(cost: UInt8(configuration.passwordCost)),
        policy: try PasswordPolicy.bundled(),
        secrets: try SecretBox.load(base64: configuration.secretKey, dataDirectory: configuration.dataDirectory), now: now)
}

/// Where imported police.uk data lives: `PEEL_POLICE_DATA_DIR`, or `police-data/` in the data folder.
package func policeDataFolder(_ configuration: PeelConfiguration) -> URL {
    if let folder = configuration.policeDataDirectory { return URL(fileURLWithPath: folder, isDirectory: true) }
    return URL(fileURLWithPath: configuration.dataDirectory).appendingPathComponent("police-data", isDirectory: true)
}
