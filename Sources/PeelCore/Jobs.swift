import Foundation

/// Identifier of a job in the durable queue.
package struct JobID: Hashable, Sendable, CustomStringConvertible {
    package let rawValue: String
    package init(rawValue: String) { self.rawValue = rawValue }
    package static func generate() -> JobID { JobID(rawValue: RecordID.make()) }
    package var description: String { rawValue }
}

/// Where a job is in its life.
package enum JobState: String, Sendable, Codable, CaseIterable {
    /// Waiting for its `runAt` time or for a worker.
    case ready
    /// Claimed by a worker that holds a lease on it.
    case running
    /// Finished successfully.
    case done
    /// Failed on every allowed attempt; keeps its last error for an operator.
    case dead
}

/// A job to put on the queue.
package struct NewJob: Sendable {
    package var kind: String
    package var payload: String
    package var forceID: ForceID?
    package var runAt: Date
    package var maxAttempts: Int

    package init(kind: String, payload: String = "{}", forceID: ForceID? = nil, runAt: Date, maxAttempts: Int = 8) {
        self.kind = kind
        self.payload = payload
        self.forceID = forceID
        self.runAt = runAt
        self.maxAttempts = max(1, maxAttempts)
    }
}

/// A job a worker has claimed. `attempt` is the fencing token: only the holder of this attempt
/// may complete, fail or extend it, so a worker whose lease lapsed cannot overwrite the work of
/// the worker that claimed the job after it.
package struct ClaimedJob: Sendable, Hashable {
    package var id: JobID
    package var kind: String
    package var payload: String
    package var forceID: ForceID?
    package var attempt: Int
    package var maxAttempts: Int
    package var leaseExpiresAt: Date
    package var worker: String
    /// How many of the claims before this one were postponed (a records system's open circuit)
    /// rather than tried: `attempt` counts every claim, the backoff only real failures.
    package var postponements: Int

    package init(
        id: JobID, kind: String, payload: String, forceID: ForceID?, attempt: Int, maxAttempts: Int,
        leaseExpiresAt: Date, worker: String, postponements: Int = 0
    ) {
        self.id = id
        self.kind = kind
        self.payload = payload
        self.forceID = forceID
        self.attempt = attempt
        self.maxAttempts = maxAttempts
        self.leaseExpiresAt = leaseExpiresAt
        self.worker = worker
        self.postponements = postponements
    }

    /// This claim's place among the claims that were tried: the backoff's attempt number.
    package var triedAttempt: Int { max(1, attempt - postponements) }
}

/// A job as an operator sees it.
package struct JobRecord: Sendable, Hashable {
    package var id: JobID
    package var kind: String
    package var forceID: ForceID?
    package var state: JobState
    package var attempts: Int
    package var maxAttempts: Int
    package var runAt: Date
    package var lockedBy: String?
    package var lastError: String?

    package init(
        id: JobID, kind: String, forceID: ForceID?, state: JobState, attempts: Int, maxAttempts: Int,
        runAt: Date, lockedBy: String?, lastError: String?
    ) {
        self.id = id
        self.kind = kind
        self.forceID = forceID
        self.state = state
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.runAt = runAt
        self.lockedBy = lockedBy
        self.lastError = lastError
    }
}

/// The queue's depth and age, for metrics and readiness.
package struct JobQueueStats: Sendable, Hashable {
    /// Jobs whose time has come and that no live worker holds.
    package var due: Int
    /// Jobs waiting for a later `runAt` (including backoff).
    package var scheduled: Int
    package var running: Int
    package var dead: Int
    /// How long the oldest due job has waited, in seconds; 0 when none is due.
    package var oldestDueAgeSeconds: Double

    package init(due: Int, scheduled: Int, running: Int, dead: Int, oldestDueAgeSeconds: Double) {
        self.due = due
        self.scheduled = scheduled
        self.running = running
        self.dead = dead
        self.oldestDueAgeSeconds = oldestDueAgeSeconds
    }
}

/// What happened to a job after a failed attempt.
package enum JobFailureOutcome: Sendable, Hashable {
    /// It will be tried again at this time.
    case retry(at: Date)
    /// It used its last attempt and is now dead.
    case dead
    /// The caller no longer held the job (its lease lapsed and another worker claimed it).
    case notHeld
}

/// Exponential backoff with jitter between attempts of a failing job.
package struct RetryPolicy: Sendable, Hashable {
    package var base: Duration
    package var cap: Duration

    package init(base: Duration = .seconds(5), cap: Duration = .seconds(3600)) {
        self.base = base
        self.cap = cap
    }

    /// The delay before the next attempt after `attempt` (1-based) failed. `unit` is a random
    /// number in 0...1: the delay is drawn from the upper half of the exponential step, so
    /// failing jobs spread out instead of retrying in lockstep.
    package func delay(afterAttempt attempt: Int, unit: Double) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let step = min(base.timeInterval * pow(2, Double(exponent)), cap.timeInterval)
        let fraction = 0.5 + 0.5 * min(max(unit, 0), 1)
        return .milliseconds(Int64((step * fraction * 1000).rounded()))
    }
}

/// Puts jobs on the durable queue. A store hands out an enqueuer bound to a transaction, so a
/// job is committed together with the data that caused it, or not at all.
package protocol JobEnqueuing: Sendable {
    @discardableResult
    func enqueue(_ job: NewJob) async throws -> JobID
}

/// The durable job queue as workers and operators use it.
package protocol JobQueue: JobEnqueuing {
    /// Claims up to `limit` due jobs (or jobs whose lease has lapsed) for `worker`, leasing each
    /// until `now + lease`. A job is held by at most one worker at a time.
    func claim(worker: String, limit: Int, lease: Duration, now: Date) async throws -> [ClaimedJob]
    /// Marks a held job done. Returns `false` when the caller no longer held it.
    func complete(_ job: ClaimedJob, now: Date) async throws -> Bool
    /// Marks held jobs done in one write. Returns the ids of those the caller still held.
    func complete(_ jobs: [ClaimedJob], now: Date) async throws -> Set<JobID>
    /// Records a failed attempt: the job is retried after the policy's backoff, or dies after its
    /// last attempt, keeping `error` for an operator.
    func fail(_ job: ClaimedJob, error: String, policy: RetryPolicy, unit: Double, now: Date) async throws
        -> JobFailureOutcome
    /// Sends a held job to the dead letters at once (a failure retrying cannot fix). Returns
    /// `false` when the caller no longer held it.
    func deadLetter(_ job: ClaimedJob, error: String, now: Date) async throws -> Bool
    /// Puts a held job back to run at `until`; the attempt it was claimed for does not count
    /// against its limit.
    func postpone(_ job: ClaimedJob, until: Date, reason: String, now: Date) async throws -> Bool
    /// Extends a held job's lease. Returns `false` when the caller no longer held it.
    func extendLease(_ job: ClaimedJob, until: Date, now: Date) async throws -> Bool
    func find(_ id: JobID) async throws -> JobRecord?
    func stats(now: Date) async throws -> JobQueueStats
    /// Deletes finished jobs older than `cutoff`; returns how many.
    func purgeDone(olderThan cutoff: Date) async throws -> Int
}

/// Runs one kind of job. Handlers must be idempotent: a job may run again after a worker dies.
package protocol JobHandler: Sendable {
    var kind: String { get }
    /// This kind's backoff, when it is not the worker's own.
    var retry: RetryPolicy? { get }
    func run(_ job: ClaimedJob) async throws
}

extension JobHandler {
    package var retry: RetryPolicy? { nil }
}

/// A job failure that retrying cannot fix: the worker sends the job to the dead letters at once,
/// with the error kept.
package protocol PermanentJobFailure: Error {}

/// A job that should not run yet (its records system's circuit is open): the worker puts it back
/// for `until` without counting the attempt.
package struct JobPostponed: Error, CustomStringConvertible {
    package let until: Date
    package let reason: String
    package init(until: Date, reason: String) {
        self.until = until
        self.reason = reason
    }
    package var description: String { reason }
}

/// The kinds of job a submission enqueues.
package enum JobKinds {
    package static let deliverReport = "report.deliver"
    package static let confirmationEmail = "notify.confirmation"
    package static let returnCodeEmail = "notify.return-code"
    package static let staffInvitationEmail = "notify.staff-invitation"
}


extension Duration {
    /// The duration in seconds, as Foundation's time intervals count them.
    package var timeInterval: TimeInterval {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
