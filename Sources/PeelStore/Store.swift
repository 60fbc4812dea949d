import Foundation
import Logging
import PeelCore
import SQLKit

/// The store's repositories over one database handle: the pool, or a transaction's connection.
package struct Repositories: Sendable {
    package let forces: SQLForceRepository
    package let forceContent: SQLForceContentRepository
    package let jobs: SQLJobQueue
    package let journeys: SQLJourneyRepository
    package let reports: SQLReportRepository
    package let messages: SQLMessageRepository
    package let serviceSettings: SQLForceServiceSettingsRepository
    package let staff: SQLStaffRepository
    package let cases: SQLCaseRepository
    package let audit: SQLAuditLog
    package let hub: SQLHubRepository
    package let citizens: SQLCitizenRepository
    package let portal: SQLPortalRepository
    package let notifications: SQLNotificationRepository

    init(db: any SQLDatabase, engine: DatabaseEngine, doorbell: Doorbell) {
        self.hub = SQLHubRepository(db: db, engine: engine)
        self.citizens = SQLCitizenRepository(db: db, engine: engine)
        self.portal = SQLPortalRepository(db: db, engine: engine)
        self.staff = SQLStaffRepository(db: db, engine: engine)
        self.cases = SQLCaseRepository(db: db, engine: engine)
        self.audit = SQLAuditLog(db: db, engine: engine)
        self.forces = SQLForceRepository(db: db)
        self.forceContent = SQLForceContentRepository(db: db)
        self.jobs = SQLJobQueue(db: db, engine: engine)
        self.journeys = SQLJourneyRepository(db: db)
        self.reports = SQLReportRepository(db: db, engine: engine, doorbell: doorbell)
        self.messages = SQLMessageRepository(db: db)
        self.serviceSettings = SQLForceServiceSettingsRepository(db: db)
        self.notifications = SQLNotificationRepository(db: db)
    }
}

/// Peel's store: the database, its repositories, and transactions that span several of them.
package struct Store: Sendable {
    package let database: Database
    /// Repositories that take a pooled connection per statement.
    package let repositories: Repositories
    /// Rung when jobs are enqueued on this node; the node's job worker waits on it.
    package let doorbell = Doorbell()

    package init(database: Database) {
        self.database = database
        self.repositories = Repositories(db: database.sql, engine: database.engine, doorbell: doorbell)
    }

    package var forces: SQLForceRepository { repositories.forces }
    package var forceContent: SQLForceContentRepository { repositories.forceContent }
    package var jobs: SQLJobQueue { repositories.jobs }
    package var journeys: SQLJourneyRepository { repositories.journeys }
    package var reports: SQLReportRepository { repositories.reports }
    package var messages: SQLMessageRepository { repositories.messages }
    package var serviceSettings: SQLForceServiceSettingsRepository { repositories.serviceSettings }
    package var staff: SQLStaffRepository { repositories.staff }
    package var cases: SQLCaseRepository { repositories.cases }
    package var audit: SQLAuditLog { repositories.audit }
    package var hub: SQLHubRepository { repositories.hub }
    package var citizens: SQLCitizenRepository { repositories.citizens }
    package var portal: SQLPortalRepository { repositories.portal }
    package var notifications: SQLNotificationRepository { repositories.notifications }

    /// Runs `body` with repositories bound to one transaction: everything it writes, jobs
    /// included, commits together or not at all.
    package func transaction<T: Sendable>(_ body: @escaping @Sendable (Repositories) async throws -> T) async throws
        -> T
    {
        let engine = database.engine
        let doorbell = doorbell
        return try await database.transaction { tx in try await body(Repositories(db: tx, engine: engine, doorbell: doorbell)) }
    }

    package func migrate(logger: Logger) async throws {
        try await Migrator(database: database, logger: logger).migrate()
    }
}
