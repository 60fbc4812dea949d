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
