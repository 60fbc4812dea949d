import Foundation
import PeelCore
import SQLKit

/// The durable job queue in the `jobs` table.
///
/// Bound to the pooled database it is the queue workers use; bound to a transaction's connection
/// (``Database/transaction(_:)``) its ``enqueue(_:)`` commits or rolls back with the caller's
/// other writes.
package struct SQLJobQueue: JobQueue {
    package let db: any SQLDatabase
    let engine: DatabaseEngine

    package init(db: any SQLDatabase, engine: DatabaseEngine) {
        self.db = db
        self.engine = engine
    }

    @discardableResult
    package func enqueue(_ job: NewJob) async throws -> JobID {
        try await enqueue([job])[0]
    }

    /// Enqueues several jobs in one statement.
    @discardableResult
    package func enqueue(_ jobs: [NewJob]) async throws -> [JobID] {
        guard let (statement, ids) = Self.insertStatement(jobs) else { return [] }
        try await db.execute(sql: statement) { _ in }
        return ids
    }

    /// The one statement that inserts `jobs`, with the ids it gives them; nil for no jobs. Jobs
    /// that commit with other writes (a submission's, a timeline event's) run it in their
    /// transaction.
    static func insertStatement(_ jobs: [NewJob]) -> (statement: BoundSQL, ids: [JobID])? {
        guard !jobs.isEmpty else { return nil }
        let now = Date().millisecondsSince1970
        let ids = jobs.map { _ in JobID.generate() }
        var insert: BoundSQL = """
            INSERT INTO jobs (id, kind, force_id, payload, state, attempts, max_attempts, run_at, created_at, updated_at) VALUES
            """
        for (index, job) in jobs.enumerated() {
            if index > 0 { insert.append(",") }
            insert.append(
                """
                 (\(bind: ids[index].rawValue), \(bind: job.kind), \(bind: job.forceID?.rawValue), \(bind: job.payload), 'ready', 0,
                \(bind: job.maxAttempts), \(bind: job.runAt.millisecondsSince1970), \(bind: now), \(bind: now))
                """)
        }
        return (insert, ids)
    }

    /// One kind of claim: up to `limit` jobs matching `due`, oldest by `order` first, leased to
    /// `worker` until `until`.
    package static func claimStatement(
        _ due: SQLQueryString, oldestFirst order: String, limit: Int, worker: String, until: Int64, nowMS: Int64, lock: String
    ) -> SQLQueryString {
        var statement: SQLQueryString = """
            UPDATE jobs SET state = 'running', locked_by = \(bind: worker), locked_until = \(bind: until),
                attempts = attempts + 1, updated_at = \(bind: nowMS)
            WHERE id IN (SELECT id FROM jobs WHERE
            """
        statement.appendLiteral(" ")
        statement.appendInterpolation(due)
        statement.appendInterpolation(
            """
             ORDER BY \(unsafeRaw: order), id LIMIT \(bind: limit) \(unsafeRaw: lock))
            RETURNING id, kind, payload, force_id, attempts, max_attempts, postponements
            """ as SQLQueryString)
        return statement
    }

    package func claim(worker: String, limit: Int, lease: Duration, now: Date) async throws -> [ClaimedJob] {
        let nowMS = now.millisecondsSince1970
        let until = (now + lease.timeInterval).millisecondsSince1970
        // PostgreSQL: rows another worker is claiming are skipped, not waited on. SQLite: the
        // transaction holds the write lock (BEGIN IMMEDIATE), so claims are serial.
        let lock = engine == .postgres ? "FOR UPDATE SKIP LOCKED" : ""
        let rows = try await inTransaction(on: db, engine: engine) { db in
            // A job whose worker vanished during its last allowed attempt has no attempt left.
            try await db.raw(
                """
                UPDATE jobs SET state = 'dead', locked_by = NULL, locked_until = NULL, updated_at = \(bind: nowMS),
                    last_error = COALESCE(last_error || '; ', '') || 'worker ' || locked_by || ' lost its lease on the last attempt'
                WHERE state = 'running' AND locked_until < \(bind: nowMS) AND attempts >= max_attempts
                """
            ).run()
            // Jobs whose worker's lease lapsed first, then ready jobs, oldest first: two statements,
            // each read in its index's order (`(state, locked_until)`, `(state, run_at)`), rather
            // than one over both kinds, which had to gather and sort every due job on each claim.
            func take(_ due: SQLQueryString, oldestFirst order: String, limit: Int) async throws -> [any SQLRow] {
                try await db.raw(
                    Self.claimStatement(due, oldestFirst: order, limit: limit, worker: worker, until: until, nowMS: nowMS, lock: lock)
                ).all()
            }
            let wanted = max(1, limit)
            let lapsed = try await take(
                "state = 'running' AND locked_until < \(bind: nowMS)", oldestFirst: "locked_until", limit: wanted)
            guard lapsed.count < wanted else { return lapsed }
            return lapsed + (try await take("state = 'ready' AND run_at <= \(bind: nowMS)", oldestFirst: "run_at", limit: wanted - lapsed.count))
        }
        return try rows.map { row in
            ClaimedJob(
                id: JobID(rawValue: try row.decode(column: "id", as: String.self)),
                kind: try row.decode(column: "kind", as: String.self),
                payload: try row.decode(column: "payload", as: String.self),
                forceID: try row.decode(column: "force_id", as: String?.self).flatMap(ForceID.init(validating:)),
                attempt: try row.decode(column: "attempts", as: Int.self),
                maxAttempts: try row.decode(column: "max_attempts", as: Int.self),
                leaseExpiresAt: Date(millisecondsSince1970: until),
                worker: worker, postponements: try row.decode(column: "postponements", as: Int.self))
        }
    }

    package func complete(_ job: ClaimedJob, now: Date) async throws -> Bool {
        try await complete([job], now: now).contains(job.id)
    }

    package func complete(_ jobs: [ClaimedJob], now: Date) async throws -> Set<JobID> {
        guard !jobs.isEmpty else { return [] }
        // One statement for the whole batch; each job is matched with the claim that holds it.
        var held: SQLQueryString = ""
        for (index, job) in jobs.enumerated() {
            if index > 0 { held.appendLiteral(" OR ") }
            held.appendInterpolation(
                """
                (id = \(bind: job.id.rawValue) AND locked_by = \(bind: job.worker) AND attempts = \(bind: job.attempt))
                """ as SQLQueryString)
        }
        var query: SQLQueryString = """
            UPDATE jobs SET state = 'done', locked_by = NULL, locked_until = NULL, updated_at = \(bind: now.millisecondsSince1970)
            WHERE state = 'running' AND (
            """
        query.appendInterpolation(held)
        query.appendLiteral(") RETURNING id")
        let rows = try await db.raw(query).all()
        return Set(try rows.map { JobID(rawValue: try $0.decode(column: "id", as: String.self)) })
    }

    package func fail(_ job: ClaimedJob, error: String, policy: RetryPolicy, unit: Double, now: Date) async throws
        -> JobFailureOutcome
    {
        let message = String(error.prefix(2000))
        let nowMS = now.millisecondsSince1970
        if job.attempt >= job.maxAttempts {
            let held = try await db.raw(
                """
                UPDATE jobs SET state = 'dead', locked_by = NULL, locked_until = NULL, last_error = \(bind: message),
                    updated_at = \(bind: nowMS)
                WHERE id = \(bind: job.id.rawValue) AND state = 'running' AND locked_by = \(bind: job.worker)
                    AND attempts = \(bind: job.attempt)
                RETURNING id
                """
            ).first()
            return held == nil ? .notHeld : .dead
        }
        // The backoff counts the attempts that were tried: a delivery postponed while a records
        // system's circuit was open has not failed, and waits no longer for it once it is tried.
        let retryAt = now + policy.delay(afterAttempt: job.triedAttempt, unit: unit).timeInterval
        let held = try await db.raw(
            """
            UPDATE jobs SET state = 'ready', locked_by = NULL, locked_until = NULL, last_error = \(bind: message),
                run_at = \(bind: retryAt.millisecondsSince1970), updated_at = \(bind: nowMS)
            WHERE id = \(bind: job.id.rawValue) AND state = 'running' AND locked_by = \(bind: job.worker)
                AND attempts = \(bind: job.attempt)
            RETURNING id
            """
        ).first()
        return held == nil ? .notHeld : .retry(at: Date(millisecondsSince1970: retryAt.millisecondsSince1970))
    }

    package func deadLetter(_ job: ClaimedJob, error: String, now: Date) async throws -> Bool {
        try await db.raw(
            """
            UPDATE jobs SET state = 'dead', locked_by = NULL, locked_until = NULL, last_error = \(bind: String(error.prefix(2000))),
                updated_at = \(bind: now.millisecondsSince1970)
            WHERE id = \(bind: job.id.rawValue) AND state = 'running' AND locked_by = \(bind: job.worker)
                AND attempts = \(bind: job.attempt)
            RETURNING id
            """
        ).first() != nil
    }

    /// The attempt number stays the claim's fencing token (decision 0003), so the job gets one
    /// more allowed attempt instead of giving this one back.
    package func postpone(_ job: ClaimedJob, until: Date, reason: String, now: Date) async throws -> Bool {
        try await db.raw(
            """
            UPDATE jobs SET state = 'ready', locked_by = NULL, locked_until = NULL, max_attempts = max_attempts + 1,
                postponements = postponements + 1,
                run_at = \(bind: until.millisecondsSince1970), last_error = \(bind: String(reason.prefix(2000))),
                updated_at = \(bind: now.millisecondsSince1970)
            WHERE id = \(bind: job.id.rawValue) AND state = 'running' AND locked_by = \(bind: job.worker)
                AND attempts = \(bind: job.attempt)
            RETURNING id
            """
        ).first() != nil
    }

    package func extendLease(_ job: ClaimedJob, until: Date, now: Date) async throws -> Bool {
        try await updateHeld(
            job,
            set: "locked_until = \(until.millisecondsSince1970), updated_at = \(now.millisecondsSince1970)")
    }

    package func find(_ id: JobID) async throws -> JobRecord? {
        guard
            let row = try await db.raw(
                """
                SELECT id, kind, force_id, state, attempts, max_attempts, run_at, locked_by, last_error
                FROM jobs WHERE id = \(bind: id.rawValue)
                """
            ).first()
        else { return nil }
        let stateText = try row.decode(column: "state", as: String.self)
        guard let state = JobState(rawValue: stateText) else { throw StoreDataError("jobs.state '\(stateText)' is unknown") }
        return JobRecord(
            id: id,
            kind: try row.decode(column: "kind", as: String.self),
            forceID: try row.decode(column: "force_id", as: String?.self).flatMap(ForceID.init(validating:)),
            state: state,
            attempts: try row.decode(column: "attempts", as: Int.self),
            maxAttempts: try row.decode(column: "max_attempts", as: Int.self),
            runAt: Date(millisecondsSince1970: try row.decode(column: "run_at", as: Int64.self)),
            lockedBy: try row.decode(column: "locked_by", as: String?.self),
            lastError: try row.decode(column: "last_error", as: String?.self))
    }

    /// The statement ``stats(now:)`` runs. It names the states it counts rather than leaving out
    /// `done`: `state <> 'done'` can use no index, so every finished job kept for a week was read
    /// on each scrape of `/metrics`; `state IN (…)` reads only the jobs still in play, through
    /// the index on `(state, run_at)`.
    package static func statsQuery(nowMS: Int64) -> SQLQueryString {
        """
        SELECT
            COALESCE(SUM(CASE WHEN (state = 'ready' AND run_at <= \(bind: nowMS))
                OR (state = 'running' AND locked_until < \(bind: nowMS)) THEN 1 ELSE 0 END), 0) AS due,
            COALESCE(SUM(CASE WHEN state = 'ready' AND run_at > \(bind: nowMS) THEN 1 ELSE 0 END), 0) AS scheduled,
            COALESCE(SUM(CASE WHEN state = 'running' AND locked_until >= \(bind: nowMS) THEN 1 ELSE 0 END), 0)
                AS running,
            COALESCE(SUM(CASE WHEN state = 'dead' THEN 1 ELSE 0 END), 0) AS dead,
            MIN(CASE WHEN state = 'ready' AND run_at <= \(bind: nowMS) THEN run_at END) AS oldest_due
        FROM jobs WHERE state IN ('ready', 'running', 'dead')
        """
    }

    package func stats(now: Date) async throws -> JobQueueStats {
        let nowMS = now.millisecondsSince1970
        guard let row = try await db.raw(Self.statsQuery(nowMS: nowMS)).first()
        else { return JobQueueStats(due: 0, scheduled: 0, running: 0, dead: 0, oldestDueAgeSeconds: 0) }
        let oldest = try row.decode(column: "oldest_due", as: Int64?.self)
        return JobQueueStats(
            due: Int(try row.decode(column: "due", as: Int64.self)),
            scheduled: Int(try row.decode(column: "scheduled", as: Int64.self)),
            running: Int(try row.decode(column: "running", as: Int64.self)),
            dead: Int(try row.decode(column: "dead", as: Int64.self)),
            oldestDueAgeSeconds: oldest.map { max(0, Double(nowMS - $0) / 1000) } ?? 0)
    }

    package func purgeDone(olderThan cutoff: Date) async throws -> Int {
        try await db.raw(
            "DELETE FROM jobs WHERE state = 'done' AND updated_at < \(bind: cutoff.millisecondsSince1970) RETURNING id"
        ).all().count
    }

    /// Updates a job only while `job`'s claim still holds it; `true` when it did.
    private func updateHeld(_ job: ClaimedJob, set assignments: String) async throws -> Bool {
        try await db.raw(
            """
            UPDATE jobs SET \(unsafeRaw: assignments)
            WHERE id = \(bind: job.id.rawValue) AND state = 'running' AND locked_by = \(bind: job.worker)
                AND attempts = \(bind: job.attempt)
            RETURNING id
            """
        ).first() != nil
    }
}
