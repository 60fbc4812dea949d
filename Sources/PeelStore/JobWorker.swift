import Foundation
import Logging
import PeelCore
import Synchronization

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
    /// Rung when jobs are enqueued on this node and when a running job finishes.
    package let doorbell: Doorbell

    /// `housekeeping` runs hourly beside the purge of finished jobs (expired journeys, …); each
    /// returns how many rows it removed.
    package init(
        queue: any JobQueue, handlers: [any JobHandler], settings: Settings, logger: Logger,
        housekeeping: [@Sendable () async throws -> Int] = [], doorbell: Doorbell = Doorbell()
    ) {
        self.housekeeping = housekeeping
        self.doorbell = doorbell
        self.queue = queue
        self.handlers = Dictionary(handlers.map { ($0.kind, $0) }, uniquingKeysWith: { first, _ in first })
        self.settings = settings
        var logger = logger
        logger[metadataKey: "worker"] = "\(settings.name)"
        self.logger = logger
    }

    /// Runs until the task is cancelled, keeping up to `concurrency` jobs running: whenever a
    /// quarter of its places are free, or the doorbell rings with places free (a submission's
    /// jobs committed on this node), it records the finished jobs in one write and claims as many
    /// as there are free places. With nothing to do it waits for the doorbell or the poll
    /// interval, whichever comes first.
    package func run() async {
        let pipeline = Pipeline()
        var lastPurge = Date.distantPast
        // Places are refilled a few at a time: a claim and the record of finished jobs are
        // writes, and one each per finished job would double the writes of a busy queue.
        let refill = max(1, settings.concurrency / 4)
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let running = pipeline.running.withLock { $0 }
                let free = settings.concurrency - running
                if running > 0, free < refill {
                    await doorbell.wait(timeout: settings.pollInterval)
                    continue
                }
                await complete(pipeline.finished.withLock { jobs in
                    defer { jobs.removeAll() }
                    return jobs
                })
                var claimed = 0
                do {
                    if free > 0 {
                        let jobs = try await queue.claim(worker: settings.name, limit: free, lease: settings.lease, now: Date())
                        claimed = jobs.count
                        pipeline.running.withLock { $0 += jobs.count }
                        for job in jobs {
                            group.addTask {
                                if await self.execute(job) { pipeline.finished.withLock { $0.append(job) } }
                                pipeline.running.withLock { $0 -= 1 }
                                self.doorbell.ring()
                            }
                        }
                    }
                    if Date().timeIntervalSince(lastPurge) > 3600 {
                        lastPurge = Date()
                        try await purge()
                    }
                } catch {
                    logger.error("job queue unavailable", metadata: ["error": "\(String(describing: error))"])
                }
                // Claim again at once only when the queue may hold more than was claimed.
                if claimed == 0 || claimed == free {
                    await doorbell.wait(timeout: settings.pollInterval)
                }
            }
        }
        await complete(pipeline.finished.withLock { $0 })
    }

    private func purge() async throws {
        let purged = try await queue.purgeDone(olderThan: Date() - settings.keepDone.timeInterval)
        if purged > 0 { logger.info("purged finished jobs", metadata: ["count": "\(purged)"]) }
        for task in housekeeping {
            let removed = try await task()
            if removed > 0 { logger.info("housekeeping removed rows", metadata: ["count": "\(removed)"]) }
        }
    }

    /// Marks finished jobs done in one write.
    private func complete(_ jobs: [ClaimedJob]) async {
        guard !jobs.isEmpty else { return }
        do {
            let held = try await queue.complete(jobs, now: Date())
            for job in jobs where !held.contains(job.id) {
                logger.warning("job finished after its lease passed to another worker", metadata: ["job_id": "\(job.id)"])
            }
        } catch {
            logger.error("could not record finished jobs", metadata: ["error": "\(String(describing: error))"])
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
        await complete(succeeded)
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
                    // The job's own writes are deferred: it is marked done, durably, only after
                    // them, and runs again if they are lost (decision 0036).
                    try await withDeferredDurability(onCallersThread: false) { try await handler.run(job) }
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
            case .failure where Task.isCancelled:
                // The node is stopping: the job goes back to the queue at once, its attempt not
                // counted, for this or another node to run.
                _ = try await queue.postpone(job, until: Date(), reason: "the worker stopped while the job ran", now: Date())
                return false
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

/// What the running worker shares with its jobs: how many run, and which finished well.
private final class Pipeline: Sendable {
    let finished = Mutex<[ClaimedJob]>([])
    let running = Mutex(0)
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
