import Foundation
import Logging
import PeelCore

/// Claims due jobs from the queue and runs them with their handlers.
///
/// A worker holds a lease on each job it runs and renews it while the handler works; if the worker
/// dies, the lease lapses and another worker claims the job again. A handler that throws has its
/// job retried after the ``RetryPolicy``'s backoff, until its last attempt leaves it dead with the
/// error kept.
package struct JobWorker: Sendable {
    package struct Settings: Sendable {
        package var name: String
        package var concurrency: Int
        package var lease: Duration
        package var pollInterval: Duration
        package var retry: RetryPolicy
        /// How long finished jobs are kept before they are purged.
        package var keepDone: Duration

        package init(
            name: String, concurrency: Int = 16, lease: Duration = .seconds(60), pollInterval: Duration = .milliseconds(100),
            retry: RetryPolicy = RetryPolicy(), keepDone: Duration = .seconds(7 * 24 * 3600)
        ) {
            self.name = name
            self.concurrency = max(1, concurrency)
            self.lease = lease
            self.pollInterval = pollInterval
            self.retry = retry
            self.keepDone = keepDone
        }
    }

    package let queue: any JobQueue
    package let settings: Settings
    private let handlers: [String: any JobHandler]
    private let housekeeping: [@Sendable () async throws -> Int]
    private let logger: Logger

    /// `housekeeping` runs hourly beside the purge of finished jobs (expired journeys, …); each
    /// returns how many rows it removed.
    package init(
        queue: any JobQueue, handlers: [any JobHandler], settings: Settings, logger: Logger,
        housekeeping: [@Sendable () async throws -> Int] = []
    ) {
        self.housekeeping = housekeeping
        self.queue = queue
        self.handlers = Dictionary(handlers.map { ($0.kind, $0) }, uniquingKeysWith: { first, _ in first })
        self.settings = settings
        var logger = logger
        logger[metadataKey: "worker"] = "\(settings.name)"
        self.logger = logger
    }

    /// Runs until the task is cancelled: claims a batch, runs it, and sleeps for the poll interval
    /// only when there was nothing to do.
    package func run() async {
        var lastPurge = Date.distantPast
        while !Task.isCancelled {
            var ran = 0
            do {
                ran = try await runOnce()
                if Date().timeIntervalSince(lastPurge) > 3600 {
                    lastPurge = Date()
                    let purged = try await queue.purgeDone(olderThan: Date() - settings.keepDone.timeInterval)
                    if purged > 0 { logger.info("purged finished jobs", metadata: ["count": "\(purged)"]) }
                    for task in housekeeping {
                        let removed = try await task()
                        if removed > 0 { logger.info("housekeeping removed rows", metadata: ["count": "\(removed)"]) }
                    }
                }
            } catch {
                logger.error("job queue unavailable", metadata: ["error": "\(String(describing: error))"])
            }
            if ran == 0 {
                try? await Task.sleep(for: settings.pollInterval)
            }
        }
    }

    /// Claims and runs one batch; returns how many jobs it ran.
    @discardableResult
    package func runOnce() async throws -> Int {
        let jobs = try await queue.claim(
            worker: settings.name, limit: settings.concurrency, lease: settings.lease, now: Date())
        let succeeded = await withTaskGroup(of: ClaimedJob?.self) { group in
            for job in jobs {
                group.addTask { await self.execute(job) ? job : nil }
            }
            var succeeded: [ClaimedJob] = []
            for await job in group { if let job { succeeded.append(job) } }
            return succeeded
        }
        // The batch's finished jobs are marked done in one write.
        do {
            let held = try await queue.complete(succeeded, now: Date())
            for job in succeeded where !held.contains(job.id) {
                logger.warning("job finished after its lease passed to another worker", metadata: ["job_id": "\(job.id)"])
            }
        } catch {
            logger.error("could not record finished jobs", metadata: ["error": "\(String(describing: error))"])
        }
        return jobs.count
    }

    /// Runs one job; `true` when it succeeded and is to be marked done. A failure is recorded here.
    private func execute(_ job: ClaimedJob) async -> Bool {
        var logger = logger
        logger[metadataKey: "job_id"] = "\(job.id)"
        logger[metadataKey: "job_kind"] = "\(job.kind)"
        if let force = job.forceID { logger[metadataKey: "force_id"] = "\(force)" }
        let outcome: Result<Void, any Error>
        if let handler = handlers[job.kind] {
            outcome = await withLeaseRenewal(job) {
                do {
                    try await handler.run(job)
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
        } else {
            outcome = .failure(UnknownJobKind(kind: job.kind))
        }
        do {
            switch outcome {
            case .success:
                return true
            case .failure(let postponed as JobPostponed):
                _ = try await queue.postpone(job, until: postponed.until, reason: postponed.reason, now: Date())
            case .failure(let error as any PermanentJobFailure):
                if try await queue.deadLetter(job, error: String(describing: error), now: Date()) {
                    logger.error("job failed for good and is dead", metadata: ["error": "\(error)"])
                }
            case .failure(let error):
                let result = try await queue.fail(
                    job, error: String(describing: error), policy: handlers[job.kind]?.retry ?? settings.retry,
                    unit: Double.random(in: 0...1), now: Date())
                switch result {
                case .retry(let at):
                    logger.warning(
                        "job failed; will retry",
                        metadata: ["attempt": "\(job.attempt)", "retry_at": "\(at)", "error": "\(error)"])
                case .dead:
                    logger.error("job failed on its last attempt and is dead", metadata: ["error": "\(error)"])
                case .notHeld:
                    logger.warning("job failed after its lease passed to another worker")
                }
            }
        } catch {
            logger.error("could not record job outcome", metadata: ["error": "\(String(describing: error))"])
        }
        return false
    }

    /// Runs `body` while renewing the job's lease at a third of its length. If the lease is lost
    /// (the job was claimed by another worker after this one stalled), the handler is cancelled so
    /// that two workers do not go on doing the same work.
    private func withLeaseRenewal(
        _ job: ClaimedJob, _ body: @escaping @Sendable () async -> Result<Void, any Error>
    ) async -> Result<Void, any Error> {
        await withTaskGroup(of: LeaseEvent.self) { group in
            group.addTask { .finished(await body()) }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: settings.lease / 3)
                    if Task.isCancelled { break }
                    let now = Date()
                    if let held = try? await queue.extendLease(job, until: now + settings.lease.timeInterval, now: now),
                        !held
                    {
                        return .leaseLost
                    }
                }
                return .renewalStopped
            }
            var result: Result<Void, any Error>?
            for await event in group {
                switch event {
                case .finished(let value):
                    result = value
                    group.cancelAll()
                case .leaseLost:
                    logger.warning("lost the lease on a running job; cancelling its handler", metadata: ["job_id": "\(job.id)"])
                    group.cancelAll()
                case .renewalStopped:
                    break
                }
            }
            return result!
        }
    }
}

private enum LeaseEvent: Sendable {
    case finished(Result<Void, any Error>)
    case leaseLost
    case renewalStopped
}

/// A job whose kind no handler in this build runs.
package struct UnknownJobKind: Error, CustomStringConvertible {
    package let kind: String
    package var description: String { "no handler for job kind '\(kind)'" }
}
