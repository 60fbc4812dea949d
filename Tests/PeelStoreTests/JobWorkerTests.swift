import Foundation
import PeelCore
import PeelStore
import PeelTestSupport
import Synchronization
import Testing

/// Records every run of a job and how many runs of the same job overlapped.
final class RunLedger: Sendable {
    private let state = Mutex<(runs: [String: Int], active: Set<String>, overlaps: Int)>(([:], [], 0))

    func begin(_ id: JobID) {
        state.withLock {
            $0.runs[id.rawValue, default: 0] += 1
            if !$0.active.insert(id.rawValue).inserted { $0.overlaps += 1 }
        }
    }

    func end(_ id: JobID) { _ = state.withLock { $0.active.remove(id.rawValue) } }
    var runs: [String: Int] { state.withLock { $0.runs } }
    var overlaps: Int { state.withLock { $0.overlaps } }
}

struct RecordingHandler: JobHandler {
    let kind = "record"
    let ledger: RunLedger
    func run(_ job: ClaimedJob) async throws {
        ledger.begin(job.id)
        try await Task.sleep(for: .milliseconds(Int.random(in: 1...5)))
        ledger.end(job.id)
    }
}

struct FailingHandler: JobHandler {
    let kind = "fail"
    func run(_ job: ClaimedJob) async throws {
        throw HandlerError(message: "records system unreachable on attempt \(job.attempt)")
    }
    struct HandlerError: Error, CustomStringConvertible { let message: String; var description: String { message } }
}

@Suite("Job worker")
struct JobWorkerTests {
    @Test("two workers run every job exactly once, never concurrently", arguments: TestEngine.all)
    func exactlyOnceAcrossWorkers(engine: TestEngine) async throws {
        try await withTestStore(engine, poolSize: 8) { store in
            let ledger = RunLedger()
            for _ in 0..<40 { try await store.jobs.enqueue(NewJob(kind: "record", runAt: Date())) }
            let workers = (1...2).map { index in
                JobWorker(
                    queue: store.jobs, handlers: [RecordingHandler(ledger: ledger)],
                    settings: .init(name: "worker-\(index)", concurrency: 4), logger: testLogger)
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in workers {
                    group.addTask { while try await worker.runOnce() > 0 {} }
                }
                try await group.waitForAll()
            }
            #expect(ledger.runs.count == 40)
            #expect(ledger.runs.values.allSatisfy { $0 == 1 })
            #expect(ledger.overlaps == 0)
            #expect(try await store.jobs.stats(now: Date()) == JobQueueStats(due: 0, scheduled: 0, running: 0, dead: 0, oldestDueAgeSeconds: 0))
        }
    }

    @Test("a handler that keeps failing leaves its job dead with the error", arguments: TestEngine.all)
    func failingHandler(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let id = try await store.jobs.enqueue(NewJob(kind: "fail", runAt: Date(), maxAttempts: 2))
            let worker = JobWorker(
                queue: store.jobs, handlers: [FailingHandler()],
                settings: .init(name: "w", retry: RetryPolicy(base: .milliseconds(1), cap: .milliseconds(2))),
                logger: testLogger)
            #expect(try await worker.runOnce() == 1)
            #expect(try await store.jobs.find(id)?.state == .ready)
            try await Task.sleep(for: .milliseconds(20))
            #expect(try await worker.runOnce() == 1)
            let record = try #require(try await store.jobs.find(id))
            #expect(record.state == .dead)
            #expect(record.lastError == "records system unreachable on attempt 2")
        }
    }

    @Test("a job of a kind no handler runs is failed with a reason", arguments: TestEngine.all)
    func unknownKind(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let id = try await store.jobs.enqueue(NewJob(kind: "mystery", runAt: Date(), maxAttempts: 1))
            let worker = JobWorker(queue: store.jobs, handlers: [], settings: .init(name: "w"), logger: testLogger)
            try await worker.runOnce()
            let record = try #require(try await store.jobs.find(id))
            #expect(record.state == .dead)
            #expect(record.lastError == "no handler for job kind 'mystery'")
        }
    }
}

final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

struct SlowHandler: JobHandler {
    let kind = "slow"
    let cancelled = Flag()
    func run(_ job: ClaimedJob) async throws {
        do {
            try await Task.sleep(for: .seconds(60))  // ends early only by cancellation
        } catch {
            cancelled.set()
            throw error
        }
    }
}

@Suite("Job worker leases")
struct JobWorkerLeaseTests {
    @Test("a worker that loses its lease cancels the handler and does not complete the job", arguments: TestEngine.all)
    func leaseLost(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let handler = SlowHandler()
            let id = try await store.jobs.enqueue(NewJob(kind: "slow", runAt: Date()))
            let worker = JobWorker(
                queue: store.jobs, handlers: [handler],
                settings: .init(name: "stalled", lease: .milliseconds(300)), logger: testLogger)
            async let ran = worker.runOnce()
            // Another worker takes the job over, as if this one had stalled past its lease: first
            // wait until this worker holds it (the machine may be busy with other suites).
            for _ in 0..<400 {
                if try await store.jobs.find(id)?.lockedBy == "stalled" { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            let takeover = try await store.jobs.claim(
                worker: "other", limit: 1, lease: .seconds(60), now: Date() + 1)
            #expect(takeover.map(\.id) == [id])
            #expect(try await ran == 1)
            #expect(handler.cancelled.isSet)
            let record = try #require(try await store.jobs.find(id))
            #expect(record.state == .running)
            #expect(record.lockedBy == "other")
        }
    }
}

/// Sleeps for as long as the job's payload says (in milliseconds), noting when each job ended
/// and how many ran at once.
final class PipelineLedger: Sendable {
    private let state = Mutex<(running: Int, peak: Int, ended: [String])>((0, 0, []))
    func begin() { state.withLock { $0.running += 1; $0.peak = max($0.peak, $0.running) } }
    func end(_ payload: String) { state.withLock { $0.running -= 1; $0.ended.append(payload) } }
    var peak: Int { state.withLock { $0.peak } }
    var ended: [String] { state.withLock { $0.ended } }
}

struct SleepingHandler: JobHandler {
    let kind = "sleep"
    let ledger: PipelineLedger
    func run(_ job: ClaimedJob) async throws {
        ledger.begin()
        if job.payload.hasPrefix("until ") {
            // Runs until that many other jobs have ended (or 20 s pass).
            let others = Int(job.payload.dropFirst(6)) ?? 0
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(20)
            while ledger.ended.count < others, clock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        } else if job.payload.hasPrefix("cancellable ") {
            // Stops, throwing, when cancelled.
            try await Task.sleep(for: .milliseconds(Int(job.payload.dropFirst(12)) ?? 0))
        } else {
            try? await Task.sleep(for: .milliseconds(Int(job.payload) ?? 0))
        }
        ledger.end(job.payload)
    }
}

@Suite("Job worker pipeline")
struct JobWorkerPipelineTests {
    /// Runs `worker.run()` until `done` holds (checked every 20 ms, at most `limit`), then stops it.
    func run(_ worker: JobWorker, limit: Duration = .seconds(30), until done: @escaping @Sendable () async throws -> Bool) async throws -> Bool {
        let task = Task { await worker.run() }
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        var finished = false
        while clock.now < deadline, !finished {
            finished = try await done()
            if !finished { try await Task.sleep(for: .milliseconds(20)) }
        }
        // The worker stops before the store it writes to is closed.
        task.cancel()
        await task.value
        return finished
    }

    @Test("a slow job does not hold up the others, and no more than the concurrency run at once", arguments: TestEngine.all)
    func slowJobDoesNotHoldUpOthers(engine: TestEngine) async throws {
        try await withTestStore(engine, poolSize: 8) { store in
            let ledger = PipelineLedger()
            // The long job ends only once the 30 others have: a worker that waited for it before
            // claiming more would never get there.
            try await store.jobs.enqueue(NewJob(kind: "sleep", payload: "until 30", runAt: Date()))
            for _ in 0..<30 { try await store.jobs.enqueue(NewJob(kind: "sleep", payload: "5", runAt: Date() + 0.01)) }
            let worker = JobWorker(
                queue: store.jobs, handlers: [SleepingHandler(ledger: ledger)],
                settings: .init(name: "pipeline", concurrency: 3, pollInterval: .milliseconds(50)), logger: testLogger)
            let finished = try await run(worker) { ledger.ended.count == 31 }
            #expect(ledger.ended.count == 31)
            #expect(finished)
            // Every quick job ended while the slow one still ran: places were refilled as they freed.
            #expect(ledger.ended.last == "until 30")
            #expect(ledger.peak == 3)
            #expect(try await store.jobs.stats(now: Date()).running == 0)
        }
    }

    @Test("a job cut short by the worker stopping goes back to the queue without using an attempt", arguments: TestEngine.all)
    func stoppingReleasesRunningJobs(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let ledger = PipelineLedger()
            let id = try await store.jobs.enqueue(NewJob(kind: "sleep", payload: "cancellable 60000", runAt: Date(), maxAttempts: 3))
            let worker = JobWorker(
                queue: store.jobs, handlers: [SleepingHandler(ledger: ledger)],
                settings: .init(name: "stopping", concurrency: 2, pollInterval: .milliseconds(50)), logger: testLogger)
            let started = try await run(worker) { try await store.jobs.stats(now: Date()).running == 1 }
            #expect(started)
            let job = try #require(try await store.jobs.find(id))
            #expect(job.state == .ready)
            #expect(job.attempts == 1)
            #expect(job.maxAttempts == 4)
            #expect(job.runAt <= Date())
            #expect(job.lastError == "the worker stopped while the job ran")
        }
    }

    @Test("the doorbell starts an idle worker on new jobs before its next poll", arguments: TestEngine.all)
    func doorbellWakesTheWorker(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let ledger = PipelineLedger()
            let doorbell = Doorbell()
            let worker = JobWorker(
                queue: store.jobs, handlers: [SleepingHandler(ledger: ledger)],
                settings: .init(name: "doorbell", concurrency: 2, pollInterval: .seconds(3600)), logger: testLogger, doorbell: doorbell)
            let enqueued = Mutex(false)
            // The limit is generous for a machine running the whole suite at once, and far below the poll.
            let ran = try await run(worker, limit: .seconds(300)) {
                if !enqueued.withLock({ $0 }) {
                    // The worker is asleep on its hour-long poll by now; a job arrives.
                    try await Task.sleep(for: .milliseconds(200))
                    try await store.jobs.enqueue(NewJob(kind: "sleep", payload: "1", runAt: Date()))
                    enqueued.withLock { $0 = true }
                }
                // The bell rings as submissions would (again, in case a busy machine made the
                // worker's claim fail and it went back to sleep): only a ring, never the poll,
                // can wake it within the limit.
                doorbell.ring()
                return !ledger.ended.isEmpty
            }
            #expect(ran)
        }
    }
}
