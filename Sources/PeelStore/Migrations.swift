import Foundation
import Logging
import SQLKit

/// One step in Peel's schema history. Migrations are applied in order, once, each in its own
/// transaction, and are never edited after they land: a change is a new migration.
///
/// Each migration gives the statements for both engines. They must be identical in effect: the
/// same tables, columns, constraints and indexes; only the spelling of types may differ.
package struct Migration: Sendable {
    package let id: String
    package let statements: @Sendable (DatabaseEngine) -> [String]

    package init(_ id: String, statements: @escaping @Sendable (DatabaseEngine) -> [String]) {
        self.id = id
        self.statements = statements
    }

    /// For statements that read the same on both engines.
    package init(_ id: String, portable: [String]) {
        self.init(id) { _ in portable }
    }
}

/// The state of one migration, for `peel migrate --status`.
package struct MigrationStatus: Sendable, Hashable {
    package var id: String
    package var appliedAt: Date?
}

/// Applies Peel's ordered migration list and reports on it.
package struct Migrator: Sendable {
    package let database: Database
    package let migrations: [Migration]
    private let logger: Logger

    package init(database: Database, migrations: [Migration] = PeelMigrations.all, logger: Logger) {
        self.database = database
        self.migrations = migrations
        self.logger = logger
    }

    /// Applies every pending migration; returns the ids applied. Safe to run from several nodes
    /// at once: PostgreSQL serialises them with an advisory lock, SQLite with `BEGIN IMMEDIATE`.
    @discardableResult
    package func migrate() async throws -> [String] {
        try await ensureLedger()
        return try await database.withConnection { connection in
            if database.engine == .postgres {
                try await connection.raw("SELECT pg_advisory_lock(\(unsafeRaw: String(Self.advisoryLockKey)))").run()
            }
            do {
                var applied: [String] = []
                for migration in migrations {
                    if try await apply(migration, on: connection) { applied.append(migration.id) }
                }
                if database.engine == .postgres {
                    try await connection.raw("SELECT pg_advisory_unlock(\(unsafeRaw: String(Self.advisoryLockKey)))").run()
                }
                return applied
            } catch {
                if database.engine == .postgres {
                    try? await connection.raw("SELECT pg_advisory_unlock(\(unsafeRaw: String(Self.advisoryLockKey)))").run()
                }
                throw error
            }
        }
    }

    /// Every known migration with the time it was applied, if it was.
    package func status() async throws -> [MigrationStatus] {
        try await ensureLedger()
        let rows = try await database.sql.raw("SELECT id, applied_at FROM schema_migrations").all()
        var applied: [String: Date] = [:]
        for row in rows {
            applied[try row.decode(column: "id", as: String.self)] = Date(
                millisecondsSince1970: try row.decode(column: "applied_at", as: Int64.self))
        }
        return migrations.map { MigrationStatus(id: $0.id, appliedAt: applied[$0.id]) }
    }

    /// Ids recorded as applied that this build of Peel does not know: a database newer than the
    /// binary.
    package func unknownApplied() async throws -> [String] {
        let known = Set(migrations.map(\.id))
        let rows = try await database.sql.raw("SELECT id FROM schema_migrations ORDER BY id").all()
        return try rows.map { try $0.decode(column: "id", as: String.self) }.filter { !known.contains($0) }
    }

    private static let advisoryLockKey: Int64 = 0x5045_454C  // "PEEL"

    private func ensureLedger() async throws {
        try await database.sql.raw(
            "CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)"
        ).run()
    }

    private func apply(_ migration: Migration, on connection: any SQLDatabase) async throws -> Bool {
        let engine = database.engine
        let logger = logger
        do {
            return try await inTransaction(on: connection, engine: engine) { tx in
                let done = try await tx.raw("SELECT id FROM schema_migrations WHERE id = \(bind: migration.id)").first()
                guard done == nil else { return false }
                for statement in migration.statements(engine) {
                    try await tx.raw("\(unsafeRaw: statement)").run()
                }
                try await tx.raw(
                    """
                    INSERT INTO schema_migrations (id, applied_at)
                    VALUES (\(bind: migration.id), \(bind: Date().millisecondsSince1970))
                    """
                ).run()
                logger.info("applied migration", metadata: ["migration": "\(migration.id)"])
                return true
            }
        } catch {
            throw MigrationError(id: migration.id, underlying: error)
        }
    }
}

package struct MigrationError: Error, CustomStringConvertible {
    package let id: String
    package let underlying: any Error
    package var description: String { "migration \(id) failed: \(String(reflecting: underlying))" }
}

/// Peel's schema, in order. Times are stored as milliseconds since 1970 (`BIGINT`) on both
/// engines so that comparisons and arithmetic read the same everywhere.
package enum PeelMigrations {
    package static let all: [Migration] = [
        Migration(
            "0001_create_forces",
            portable: [
                """
                CREATE TABLE forces (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    welsh_name TEXT,
                    kind TEXT NOT NULL,
                    region TEXT NOT NULL,
                    phone TEXT,
                    text_number TEXT,
                    website TEXT NOT NULL,
                    brand_colour TEXT NOT NULL,
                    onboarding TEXT NOT NULL DEFAULT 'not-onboarded'
                        CHECK (onboarding IN ('not-onboarded', 'core', 'full')),
                    onboarded_at BIGINT,
                    updated_at BIGINT NOT NULL
                )
                """
            ]),
        Migration(
            "0002_create_jobs",
            portable: [
                """
                CREATE TABLE jobs (
                    id TEXT PRIMARY KEY,
                    kind TEXT NOT NULL,
                    force_id TEXT REFERENCES forces (id),
                    payload TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('ready', 'running', 'done', 'dead')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    max_attempts INTEGER NOT NULL,
                    run_at BIGINT NOT NULL,
                    locked_by TEXT,
                    locked_until BIGINT,
                    last_error TEXT,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX jobs_due ON jobs (state, run_at)",
                "CREATE INDEX jobs_lease ON jobs (state, locked_until)",
                "CREATE INDEX jobs_force ON jobs (force_id)",
            ]),
        Migration(
            "0003_create_force_home_content",
            portable: [
                """
                CREATE TABLE force_home_content (
                    force_id TEXT NOT NULL REFERENCES forces (id),
                    language TEXT NOT NULL CHECK (language IN ('en', 'cy')),
                    intro TEXT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    PRIMARY KEY (force_id, language)
                )
                """
            ]),
        Migration(
            "0004_create_seed_runs",
            portable: [
                "CREATE TABLE seed_runs (name TEXT PRIMARY KEY, ran_at BIGINT NOT NULL)"
            ]),
        Migration(
            "0005_create_journeys_and_reports",
            portable: [
                """
                CREATE TABLE journeys (
                    id TEXT PRIMARY KEY,
                    force_id TEXT NOT NULL REFERENCES forces (id),
                    service_id TEXT NOT NULL,
                    service_version INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    report_id TEXT,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX journeys_expiry ON journeys (expires_at)",
                """
                CREATE TABLE reports (
                    id TEXT PRIMARY KEY,
                    force_id TEXT NOT NULL REFERENCES forces (id),
                    reference TEXT NOT NULL,
                    service_id TEXT NOT NULL,
                    service_version INTEGER NOT NULL,
                    answers TEXT NOT NULL,
                    contact_name TEXT,
                    contact_email TEXT,
                    contact_phone TEXT,
                    language TEXT NOT NULL CHECK (language IN ('en', 'cy')),
                    journey_id TEXT NOT NULL UNIQUE,
                    status TEXT NOT NULL DEFAULT 'received',
                    created_at BIGINT NOT NULL,
                    UNIQUE (force_id, reference)
                )
                """,
                """
                CREATE TABLE outbound_messages (
                    id TEXT PRIMARY KEY,
                    force_id TEXT REFERENCES forces (id),
                    idempotency_key TEXT NOT NULL UNIQUE,
                    recipient TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    body TEXT NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
            ]),
        Migration(
            "0006_add_journey_return_codes",
            portable: [
                "ALTER TABLE journeys ADD COLUMN return_code_hash TEXT",
                "CREATE UNIQUE INDEX journeys_return_code ON journeys (return_code_hash)",
            ]),
        Migration(
            "0007_create_force_service_settings",
            portable: [
                """
                CREATE TABLE force_service_settings (
                    force_id TEXT NOT NULL REFERENCES forces (id),
                    service_id TEXT NOT NULL,
                    enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
                    title_en TEXT,
                    title_cy TEXT,
                    summary_en TEXT,
                    summary_cy TEXT,
                    updated_at BIGINT NOT NULL,
                    PRIMARY KEY (force_id, service_id)
                )
                """
            ]),
        Migration("0008_create_journey_files") { engine in
            // The only difference between the engines is the name of the bytes type.
            let bytes = engine == .postgres ? "BYTEA" : "BLOB"
            return [
                """
                CREATE TABLE journey_files (
                    id TEXT PRIMARY KEY,
                    force_id TEXT NOT NULL REFERENCES forces (id),
                    journey_id TEXT NOT NULL,
                    question_id TEXT NOT NULL,
                    file_name TEXT NOT NULL,
                    content_type TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    content \(bytes) NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX journey_files_journey ON journey_files (journey_id)",
            ]
        },
        Migration("0009_create_back_office") { engine in
            // Search terms compare byte by byte on both engines, so that a prefix is a range.
            let binary = engine == .postgres ? #"COLLATE "C""# : ""
            return [
                """
                CREATE TABLE staff (
                    id TEXT PRIMARY KEY,
                    force_id TEXT REFERENCES forces (id),
                    email TEXT NOT NULL UNIQUE,
                    name TEXT NOT NULL,
                    collar_number TEXT,
                    roles TEXT NOT NULL,
                    password_hash TEXT NOT NULL,
                    totp_secret TEXT,
                    totp_enrolled INTEGER NOT NULL DEFAULT 0 CHECK (totp_enrolled IN (0, 1)),
                    totp_last_step BIGINT NOT NULL DEFAULT 0,
                    failed_attempts INTEGER NOT NULL DEFAULT 0,
                    locked_until BIGINT,
                    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX staff_force ON staff (force_id, name)",
                """
                CREATE TABLE staff_recovery_codes (
                    staff_id TEXT NOT NULL REFERENCES staff (id),
                    code_hash TEXT NOT NULL,
                    used_at BIGINT,
                    PRIMARY KEY (staff_id, code_hash)
                )
                """,
                """
                CREATE TABLE staff_sessions (
                    id_hash TEXT PRIMARY KEY,
                    staff_id TEXT NOT NULL REFERENCES staff (id),
                    stage TEXT NOT NULL CHECK (stage IN ('awaiting-code', 'awaiting-enrolment', 'signed-in')),
                    created_at BIGINT NOT NULL,
                    last_seen_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id)",
                """
                CREATE TABLE staff_invitations (
                    token_hash TEXT PRIMARY KEY,
                    force_id TEXT NOT NULL REFERENCES forces (id),
                    email TEXT NOT NULL,
                    name TEXT NOT NULL,
                    roles TEXT NOT NULL,
                    invited_by TEXT NOT NULL REFERENCES staff (id),
                    expires_at BIGINT NOT NULL,
                    accepted_at BIGINT
                )
                """,
                """
                CREATE TABLE cases (
                    report_id TEXT PRIMARY KEY REFERENCES reports (id),
                    force_id TEXT NOT NULL REFERENCES forces (id),
                    status TEXT NOT NULL DEFAULT 'new'
                        CHECK (status IN ('new', 'triaged', 'assigned', 'under-investigation', 'closed')),
                    risk_rank INTEGER NOT NULL DEFAULT 3,
                    grade TEXT,
                    thrive TEXT,
                    assigned_to TEXT REFERENCES staff (id),
                    outcome TEXT,
                    service_id TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL
                )
                """,
                // The queue reads a force's cases in its order and filters as it goes (most are
                // open); the count of a status uses the second index.
                "CREATE INDEX cases_order ON cases (force_id, risk_rank, created_at, report_id)",
                "CREATE INDEX cases_status ON cases (force_id, status)",
                "CREATE INDEX cases_service ON cases (force_id, service_id, risk_rank, created_at)",
                "CREATE INDEX cases_grade ON cases (force_id, grade, created_at)",
                "CREATE INDEX cases_assigned ON cases (force_id, assigned_to, risk_rank, created_at)",
                """
                CREATE TABLE case_search (
                    force_id TEXT NOT NULL,
                    term TEXT \(binary) NOT NULL,
                    report_id TEXT NOT NULL REFERENCES reports (id),
                    PRIMARY KEY (force_id, term, report_id)
                )
                """,
                """
                CREATE TABLE case_events (
                    id TEXT PRIMARY KEY,
                    report_id TEXT NOT NULL REFERENCES reports (id),
                    position INTEGER NOT NULL,
                    force_id TEXT NOT NULL REFERENCES forces (id),
                    at BIGINT NOT NULL,
                    actor_id TEXT REFERENCES staff (id),
                    kind TEXT NOT NULL,
                    text TEXT NOT NULL
                )
                """,
                "CREATE UNIQUE INDEX case_events_report ON case_events (report_id, position)",
                """
                CREATE TABLE audit_log (
                    sequence BIGINT PRIMARY KEY,
                    at BIGINT NOT NULL,
                    force_id TEXT,
                    actor_id TEXT,
                    action TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    detail TEXT NOT NULL,
                    previous_hash TEXT NOT NULL,
                    hash TEXT NOT NULL
                )
                """,
                "CREATE INDEX audit_log_subject ON audit_log (force_id, subject, sequence)",
                // Reports made before the back office existed join the queue as new.
                """
                INSERT INTO cases (report_id, force_id, status, risk_rank, service_id, created_at, updated_at)
                SELECT id, force_id, 'new', 3, service_id, created_at, created_at FROM reports
                """,
            ]
        },
        Migration(
            "0010_add_force_national_access",
            portable: [
                // Whether the force lets the national team read its reports; off until it says so.
                "ALTER TABLE forces ADD COLUMN national_access INTEGER NOT NULL DEFAULT 0 CHECK (national_access IN (0, 1))"
            ]),
        Migration(
            "0011_add_service_page_wording",
            portable: [
                // A force's wording of a service's pages, as JSON by page id.
                "ALTER TABLE force_service_settings ADD COLUMN page_wording TEXT"
            ]),
        Migration(
            "0012_create_hub_endpoints",
            portable: [
                """
                CREATE TABLE hub_endpoints (
                    force_id TEXT PRIMARY KEY REFERENCES forces (id),
                    adapter TEXT NOT NULL CHECK (adapter IN ('standard-api', 'file-drop', 'email')),
                    url TEXT,
                    secret TEXT,
                    directory TEXT,
                    email TEXT,
                    updated_at BIGINT NOT NULL
                )
                """,
                // The records system's own reference (crime or occurrence number), once it gives one.
                "ALTER TABLE reports ADD COLUMN records_reference TEXT",
                // The last records-system message applied to the report, by its sequence.
                "ALTER TABLE reports ADD COLUMN records_sequence INTEGER NOT NULL DEFAULT 0",
            ]),
        Migration("0013_create_duplicate_candidates_and_hub_secret_date") { engine in
            let real = engine == .postgres ? "DOUBLE PRECISION" : "REAL"
            return [
                // Earlier reports of the same force that a report likely repeats, as delivery found
                // them, and what a handler decided of each.
                """
                CREATE TABLE duplicate_candidates (
                    report_id TEXT NOT NULL REFERENCES reports (id),
                    candidate_id TEXT NOT NULL REFERENCES reports (id),
                    force_id TEXT NOT NULL REFERENCES forces (id),
                    candidate_reference TEXT NOT NULL,
                    score \(real) NOT NULL,
                    reasons TEXT NOT NULL,
                    found_at BIGINT NOT NULL,
                    decision TEXT NOT NULL DEFAULT 'undecided' CHECK (decision IN ('undecided', 'confirmed', 'rejected')),
                    decided_by TEXT REFERENCES staff (id),
                    decided_at BIGINT,
                    PRIMARY KEY (report_id, candidate_id)
                )
                """,
                // The later reports confirmed as duplicates of a report.
                "CREATE INDEX duplicate_candidates_candidate ON duplicate_candidates (candidate_id, decision)",
                // When the standard API's shared secret was last set: shown, unlike the secret.
                "ALTER TABLE hub_endpoints ADD COLUMN secret_set_at BIGINT",
                "UPDATE hub_endpoints SET secret_set_at = updated_at WHERE secret IS NOT NULL",
            ]
        },
        Migration("0014_create_report_match_keys") { engine in
            let binary = engine == .postgres ? #"COLLATE "C""# : ""
            return [
                // The keys a report's possible duplicates are found by (reporter, vehicle, place,
                // statement bands), each read newest first within a force.
                """
                CREATE TABLE report_match_keys (
                    force_id TEXT NOT NULL,
                    match_key TEXT \(binary) NOT NULL,
                    created_at BIGINT NOT NULL,
                    report_id TEXT NOT NULL REFERENCES reports (id),
                    PRIMARY KEY (force_id, match_key, created_at, report_id)
                )
                """,
                // What a later report compares with, in the duplicate finder's compact form.
                "ALTER TABLE reports ADD COLUMN match_features TEXT",
            ]
        },
        Migration(
            "0015_journey_files_belong_to_reports",
            portable: [
                // A submitted report's evidence files are its own: the journey's retention purge
                // leaves them, and records systems download them by signed link (decision 0020).
                "ALTER TABLE journey_files ADD COLUMN report_id TEXT REFERENCES reports (id)",
                // Lower-case hex SHA-256 of the bytes, computed at upload; null for files uploaded before.
                "ALTER TABLE journey_files ADD COLUMN sha256 TEXT",
                "CREATE INDEX journey_files_report ON journey_files (report_id)",
                // Reports submitted before keep the files of their journey that are still there.
                """
                UPDATE journey_files SET report_id = (
                    SELECT r.id FROM reports r WHERE r.journey_id = journey_files.journey_id AND r.force_id = journey_files.force_id)
                """,
            ]),
        Migration(
            "0016_create_mypolice",
            portable: [
                // People who follow their reports in MyPolice, by a verified email address.
                """
                CREATE TABLE citizens (
                    id TEXT PRIMARY KEY,
                    email TEXT NOT NULL UNIQUE,
                    phone TEXT,
                    language TEXT NOT NULL CHECK (language IN ('en', 'cy')),
                    email_consent INTEGER NOT NULL DEFAULT 1 CHECK (email_consent IN (0, 1)),
                    sms_consent INTEGER NOT NULL DEFAULT 1 CHECK (sms_consent IN (0, 1)),
                    created_at BIGINT NOT NULL
                )
                """,
                // Sign-in codes, as keyed hashes, each bound to the browser that asked for it.
                """
                CREATE TABLE citizen_codes (
                    id TEXT PRIMARY KEY,
                    email TEXT NOT NULL,
                    pending_hash TEXT NOT NULL UNIQUE,
                    code_hash TEXT NOT NULL,
                    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
                    client TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    used_at BIGINT,
                    failed_attempts INTEGER NOT NULL DEFAULT 0
                )
                """,
                "CREATE INDEX citizen_codes_email ON citizen_codes (email, created_at)",
                "CREATE INDEX citizen_codes_client ON citizen_codes (client, created_at)",
                """
                CREATE TABLE citizen_sessions (
                    id_hash TEXT PRIMARY KEY,
                    citizen_id TEXT NOT NULL REFERENCES citizens (id),
                    created_at BIGINT NOT NULL,
                    last_seen_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX citizen_sessions_citizen ON citizen_sessions (citizen_id)",
                // Whose report it is: set once the person verified the address it was made with.
                "ALTER TABLE reports ADD COLUMN citizen_id TEXT REFERENCES citizens (id)",
                "CREATE INDEX reports_citizen ON reports (citizen_id, created_at)",
                "CREATE INDEX reports_contact_email ON reports (lower(contact_email))",
                // What the person may see of a timeline event (JSON), or null.
                "ALTER TABLE case_events ADD COLUMN public_update TEXT",
                // Messages between the person and the force, per report.
                """
                CREATE TABLE report_messages (
                    id TEXT PRIMARY KEY,
                    report_id TEXT NOT NULL REFERENCES reports (id),
                    force_id TEXT NOT NULL REFERENCES forces (id),
                    sender TEXT NOT NULL CHECK (sender IN ('person', 'staff')),
                    staff_id TEXT REFERENCES staff (id),
                    kind TEXT NOT NULL CHECK (kind IN ('message', 'update-request')),
                    body TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    read_at BIGINT
                )
                """,
                "CREATE INDEX report_messages_report ON report_messages (report_id, created_at)",
                // Messages from the person staff have not read, for the queue's marker.
                "ALTER TABLE cases ADD COLUMN unread_messages INTEGER NOT NULL DEFAULT 0",
                // Whether the person is told the officer in charge's name and collar number.
                "ALTER TABLE forces ADD COLUMN portal_shows_officer INTEGER NOT NULL DEFAULT 1 CHECK (portal_shows_officer IN (0, 1))",
            ]),
        Migration(
            "0017_create_notifications",
            portable: [
                // Every email and text message Peel handed to GOV.UK Notify, by Peel's reference
                // (the send job's idempotency key), with Notify's id and the last status a
                // delivery receipt gave. Never the content (docs/notifications.md).
                """
                CREATE TABLE notifications (
                    reference TEXT PRIMARY KEY,
                    notify_id TEXT UNIQUE,
                    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
                    recipient TEXT NOT NULL,
                    template TEXT NOT NULL,
                    language TEXT NOT NULL CHECK (language IN ('en', 'cy')),
                    force_id TEXT REFERENCES forces (id),
                    status TEXT NOT NULL CHECK (status IN (
                        'created', 'sending', 'pending', 'sent', 'delivered', 'permanent-failure', 'temporary-failure',
                        'technical-failure', 'failed')),
                    status_at BIGINT NOT NULL,
                    created_at BIGINT NOT NULL,
                    failure_reason TEXT
                )
                """,
                "CREATE INDEX notifications_force ON notifications (force_id, created_at)",
                // The local mailbox shows text messages as well as emails.
                "ALTER TABLE outbound_messages ADD COLUMN channel TEXT NOT NULL DEFAULT 'email' CHECK (channel IN ('email', 'sms'))",
            ]),
        Migration(
            "0023_create_police_neighbourhoods",
            portable: [
                // Forces' neighbourhoods for police.uk's neighbourhood methods: the details (boundary,
                // team, events, priorities, contact details) as one JSON document per neighbourhood.
                """
                CREATE TABLE police_neighbourhoods (
                    force_id TEXT NOT NULL REFERENCES forces (id),
                    id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    document TEXT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    PRIMARY KEY (force_id, id)
                )
                """
            ]),
        Migration(
            "0024_count_job_postponements",
            portable: [
                // Claims put off (a records system's open circuit) rather than tried, so that a
                // job's backoff grows with its real failures only.
                "ALTER TABLE jobs ADD COLUMN postponements INTEGER NOT NULL DEFAULT 0"
            ]),
        Migration(
            "0025_index_notifications_by_age",
            portable: [
                // Housekeeping deletes notification records a year old (decision 0031).
                "CREATE INDEX notifications_created ON notifications (created_at)"
            ]),
        Migration("0026_key_ordered_search_terms_and_match_keys") { engine in
            // SQLite kept each search term and match key twice, as a row and as its key's index,
            // and a submission wrote both for each of its ten or so (decision 0039). Kept as the
            // key alone, a term is one entry and every reading of them was of the key already.
            // PostgreSQL keeps a table and its key's index apart whatever is declared.
            guard engine == .sqlite else { return [] }
            return [
                """
                CREATE TABLE case_search_by_key (
                    force_id TEXT NOT NULL,
                    term TEXT NOT NULL,
                    report_id TEXT NOT NULL REFERENCES reports (id),
                    PRIMARY KEY (force_id, term, report_id)
                ) WITHOUT ROWID
                """,
                "INSERT INTO case_search_by_key (force_id, term, report_id) SELECT force_id, term, report_id FROM case_search",
                "DROP TABLE case_search",
                "ALTER TABLE case_search_by_key RENAME TO case_search",
                """
                CREATE TABLE report_match_keys_by_key (
                    force_id TEXT NOT NULL,
                    match_key TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    report_id TEXT NOT NULL REFERENCES reports (id),
                    PRIMARY KEY (force_id, match_key, created_at, report_id)
                ) WITHOUT ROWID
                """,
                """
                INSERT INTO report_match_keys_by_key (force_id, match_key, created_at, report_id)
                SELECT force_id, match_key, created_at, report_id FROM report_match_keys
                """,
                "DROP TABLE report_match_keys",
                "ALTER TABLE report_match_keys_by_key RENAME TO report_match_keys",
            ]
        },
    ]
}

extension Date {
    package init(millisecondsSince1970 milliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    package var millisecondsSince1970: Int64 {
        Int64((timeIntervalSince1970 * 1000).rounded())
    }
}
