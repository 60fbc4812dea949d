import Foundation
import PeelCore
import PeelStore
import PeelTestSupport
import SQLKit
import Testing

@Suite("Durable job queue")
struct JobQueueTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("a due job is claimed once and completed", arguments: TestEngine.all)
    func claimAndComplete(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let id = try await store.jobs.enqueue(NewJob(kind: "k", payload: #"{"a":1}"#, runAt: now))
            let claimed = try await store.jobs.claim(worker: "w1", limit: 10, lease: .seconds(30), now: now)
            #expect(claimed.map(\.id) == [id])
            #expect(claimed.first?.payload == #"{"a":1}"#)
            #expect(claimed.first?.attempt == 1)
            let again = try await store.jobs.claim(worker: "w2", limit: 10, lease: .seconds(30), now: now)
            #expect(again.isEmpty)
            #expect(try await store.jobs.complete(claimed[0], now: now))
            #expect(try await store.jobs.find(id)?.state == .done)
        }
    }

    @Test("a job is not claimed before its run_at", arguments: TestEngine.all)
    func respectsRunAt(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            try await store.jobs.enqueue(NewJob(kind: "k", runAt: now + 60))
            #expect(try await store.jobs.claim(worker: "w", limit: 5, lease: .seconds(30), now: now).isEmpty)
            #expect(try await store.jobs.claim(worker: "w", limit: 5, lease: .seconds(30), now: now + 61).count == 1)
        }
    }

    @Test("concurrent workers never claim the same job", arguments: TestEngine.all)
    func noDoubleClaim(engine: TestEngine) async throws {
        try await withTestStore(engine, poolSize: 8) { store in
            let count = 60
            for index in 0..<count {
                try await store.jobs.enqueue(NewJob(kind: "k", payload: "\(index)", runAt: now))
            }
            let claims = try await withThrowingTaskGroup(of: [JobID].self) { group in
                for worker in 0..<6 {
                    group.addTask {
                        var mine: [JobID] = []
                        while true {
                            let batch = try await store.jobs.claim(
                                worker: "w\(worker)", limit: 3, lease: .seconds(30), now: now)
                            if batch.isEmpty { return mine }
                            mine += batch.map(\.id)
                        }
                    }
                }
                var all: [JobID] = []
                for try await ids in group { all += ids }
                return all
            }
            #expect(claims.count == count)
            #expect(Set(claims).count == count)
        }
    }

    @Test("a claim takes jobs whose lease lapsed first, then ready jobs oldest first, never one not yet due", arguments: TestEngine.all)
    func claimOrder(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let lapsed = try await store.jobs.enqueue(NewJob(kind: "k", runAt: now - 100))
            _ = try await store.jobs.claim(worker: "dead-worker", limit: 1, lease: .seconds(30), now: now - 100)
            let newer = try await store.jobs.enqueue(NewJob(kind: "k", runAt: now - 5))
            let older = try await store.jobs.enqueue(NewJob(kind: "k", runAt: now - 50))
            let later = try await store.jobs.enqueue(NewJob(kind: "k", runAt: now + 60))
            let first = try await store.jobs.claim(worker: "w", limit: 2, lease: .seconds(300), now: now)
            #expect(first.map(\.id) == [lapsed, older])
            let second = try await store.jobs.claim(worker: "w", limit: 5, lease: .seconds(300), now: now)
            #expect(second.map(\.id) == [newer])
            #expect(try await store.jobs.claim(worker: "w", limit: 5, lease: .seconds(30), now: now + 61).map(\.id) == [later])
            // On SQLite each kind is read in its index's order, not gathered and sorted.
            guard case .sqlite = engine else { return }
            for (due, order, index) in [
                ("state = 'ready' AND run_at <= 1" as SQLQueryString, "run_at", "jobs_due"),
                ("state = 'running' AND locked_until < 1", "locked_until", "jobs_lease"),
            ] {
                var explain: SQLQueryString = "EXPLAIN QUERY PLAN "
                explain.appendInterpolation(
                    SQLJobQueue.claimStatement(due, oldestFirst: order, limit: 16, worker: "w", until: 2, nowMS: 1, lock: ""))
                let plan = try await store.database.sql.raw(explain).all().map { try $0.decode(column: "detail", as: String.self) }
                #expect(plan.contains { $0.contains("USING INDEX \(index)") }, "\(plan)")
                #expect(!plan.contains { $0 == "USE TEMP B-TREE FOR ORDER BY" }, "\(plan)")
            }
        }
    }

    @Test("a crashed worker's job is claimed again after its lease lapses", arguments: TestEngine.all)
    func leaseExpiry(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let id = try await store.jobs.enqueue(NewJob(kind: "k", runAt: now))
            let first = try await store.jobs.claim(worker: "dead-worker", limit: 1, lease: .seconds(30), now: now)
            #expect(first.count == 1)
            // Still leased: nobody else gets it.
            #expect(try await store.jobs.claim(worker: "w2", limit: 1, lease: .seconds(30), now: now + 29).isEmpty)
            // The lease lapses: another worker claims it, as attempt 2.
            let second = try await store.jobs.claim(worker: "w2", limit: 1, lease: .seconds(30), now: now + 31)
            #expect(second.map(\.id) == [id])
            #expect(second.first?.attempt == 2)
            // The first worker wakes up: it no longer holds the job and cannot complete it.
            #expect(try await !store.jobs.complete(first[0], now: now + 32))
            #expect(try await store.jobs.complete(second[0], now: now + 32))
            #expect(try await store.jobs.find(id)?.state == .done)
        }
    }

    @Test("a renewed lease keeps the job with its worker", arguments: TestEngine.all)
    func leaseRenewal(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            try await store.jobs.enqueue(NewJob(kind: "k", runAt: now))
            let job = try #require(try await store.jobs.claim(worker: "w1", limit: 1, lease: .seconds(30), now: now).first)
            #expect(try await store.jobs.extendLease(job, until: now + 90, now: now + 20))
            #expect(try await store.jobs.claim(worker: "w2", limit: 1, lease: .seconds(30), now: now + 60).isEmpty)
        }
    }

    @Test("a failing job backs off, then dies with its last error", arguments: TestEngine.all)
    func backoffThenDead(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let id = try await store.jobs.enqueue(NewJob(kind: "k", runAt: now, maxAttempts: 3))
            let policy = RetryPolicy(base: .seconds(10), cap: .seconds(100))
            var clock = now
            var retryTimes: [Date] = []
            for attempt in 1...3 {
                let job = try #require(
                    try await store.jobs.claim(worker: "w", limit: 1, lease: .seconds(30), now: clock).first)
                #expect(job.attempt == attempt)
                let outcome = try await store.jobs.fail(
                    job, error: "records system said 503 (attempt \(attempt))", policy: policy, unit: 1, now: clock)
                if attempt < 3 {
                    guard case .retry(let at) = outcome else {
                        Issue.record("expected a retry, got \(outcome)")
                        return
                    }
                    retryTimes.append(at)
                    // Not claimable before its backoff ends.
                    #expect(try await store.jobs.claim(worker: "w", limit: 1, lease: .seconds(30), now: at - 1).isEmpty)
                    clock = at
                } else {
                    #expect(outcome == .dead)
                }
            }
            // Exponential: 10 s after attempt 1, 20 s after attempt 2 (unit 1 = top of the range).
            #expect(abs(retryTimes[0].timeIntervalSince(now) - 10) < 0.01)
            #expect(abs(retryTimes[1].timeIntervalSince(retryTimes[0]) - 20) < 0.01)
            let record = try #require(try await store.jobs.find(id))
            #expect(record.state == .dead)
            #expect(record.attempts == 3)
            #expect(record.lastError == "records system said 503 (attempt 3)")
            #expect(try await store.jobs.claim(worker: "w", limit: 1, lease: .seconds(30), now: clock + 10_000).isEmpty)
            #expect(try await store.jobs.stats(now: clock).dead == 1)
        }
    }

    @Test("a worker lost on the last attempt leaves the job dead, not retried forever", arguments: TestEngine.all)
    func lostOnLastAttempt(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let id = try await store.jobs.enqueue(NewJob(kind: "k", runAt: now, maxAttempts: 1))
            #expect(try await store.jobs.claim(worker: "w1", limit: 1, lease: .seconds(5), now: now).count == 1)
            #expect(try await store.jobs.claim(worker: "w2", limit: 1, lease: .seconds(5), now: now + 10).isEmpty)
            let record = try #require(try await store.jobs.find(id))
            #expect(record.state == .dead)
            #expect(record.lastError?.contains("lost its lease") == true)
        }
    }

    @Test("a job enqueued in a transaction that rolls back is not there", arguments: TestEngine.all)
    func enqueueIsTransactional(engine: TestEngine) async throws {
        struct Abort: Error {}
        try await withTestStore(engine) { store in
            let now = self.now
            await #expect(throws: Abort.self) {
                try await store.transaction { repositories in
                    _ = try await repositories.jobs.enqueue(NewJob(kind: "rolled-back", runAt: now))
                    throw Abort()
                }
            }
            let kept = try await store.transaction { repositories in
                try await repositories.jobs.enqueue(NewJob(kind: "kept", forceID: ForceID("kent"), runAt: now))
            }
            let claimed = try await store.jobs.claim(worker: "w", limit: 10, lease: .seconds(30), now: now)
            #expect(claimed.map(\.kind) == ["kept"])
            #expect(claimed.first?.id == kept)
            #expect(claimed.first?.forceID == ForceID("kent"))
        }
    }

    @Test("stats count due, scheduled, running and dead jobs and the oldest due age", arguments: TestEngine.all)
    func stats(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            try await store.jobs.enqueue(NewJob(kind: "a", runAt: now - 120))
            try await store.jobs.enqueue(NewJob(kind: "b", runAt: now - 10))
            try await store.jobs.enqueue(NewJob(kind: "c", runAt: now + 300))
            try await store.jobs.enqueue(NewJob(kind: "d", runAt: now - 500))
            _ = try await store.jobs.claim(worker: "w", limit: 1, lease: .seconds(60), now: now)  // takes "d"
            let stats = try await store.jobs.stats(now: now)
            #expect(stats == JobQueueStats(due: 2, scheduled: 1, running: 1, dead: 0, oldestDueAgeSeconds: 120))
            // Finished jobs count nowhere, and on SQLite they are not even read: the jobs still in
            // play are found through an index, however many finished ones are kept.
            for _ in 0..<3 {
                let id = try await store.jobs.enqueue(NewJob(kind: "e", runAt: now - 1000))
                let job = try #require(try await store.jobs.claim(worker: "w", limit: 1, lease: .seconds(60), now: now).first)
                #expect(job.id == id)
                _ = try await store.jobs.complete(job, now: now)
            }
            #expect(try await store.jobs.stats(now: now) == stats)
            guard case .sqlite = engine else { return }
            var explain: SQLQueryString = "EXPLAIN QUERY PLAN "
            explain.appendInterpolation(SQLJobQueue.statsQuery(nowMS: now.millisecondsSince1970))
            let plan = try await store.database.sql.raw(explain).all().map { try $0.decode(column: "detail", as: String.self) }
            #expect(plan.contains { $0.hasPrefix("SEARCH jobs USING") }, "\(plan)")
            #expect(!plan.contains { $0.hasPrefix("SCAN jobs") }, "\(plan)")
        }
    }

    @Test("finished jobs are purged after the keep period", arguments: TestEngine.all)
    func purge(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            try await store.jobs.enqueue(NewJob(kind: "k", runAt: now))
            try await store.jobs.enqueue(NewJob(kind: "waiting", runAt: now + 3600))
            let job = try #require(try await store.jobs.claim(worker: "w", limit: 1, lease: .seconds(5), now: now).first)
            _ = try await store.jobs.complete(job, now: now)
            #expect(try await store.jobs.purgeDone(olderThan: now + 1) == 1)
            #expect(try await store.jobs.find(job.id) == nil)
            #expect(try await store.jobs.stats(now: now).scheduled == 1)
        }
    }
}

@Suite("Completing a batch of jobs")
struct JobBatchCompletionTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("a batch marks done only the jobs its worker still holds", arguments: TestEngine.all)
    func completesHeldOnly(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let kept = try await store.jobs.enqueue(NewJob(kind: "k", payload: "kept", runAt: now))
            let lost = try await store.jobs.enqueue(NewJob(kind: "k", payload: "lost", runAt: now))
            let claimed = try await store.jobs.claim(worker: "w1", limit: 10, lease: .seconds(30), now: now)
            #expect(Set(claimed.map(\.id)) == [kept, lost])
            // w1 stalls past its lease; w2 claims the lapsed jobs again and finishes "lost" first.
            let later = now + 31
            let reclaimed = try await store.jobs.claim(worker: "w2", limit: 10, lease: .seconds(30), now: later)
            let lostAgain = try #require(reclaimed.first { $0.id == lost })
            let keptAgain = try #require(reclaimed.first { $0.id == kept })
            let done = try await store.jobs.complete([lostAgain], now: later)
            #expect(done == [lost])
            // w1's stale claims hold nothing any more; w2's remaining claim still holds "kept".
            let stale = try await store.jobs.complete(claimed, now: later)
            #expect(stale.isEmpty)
            #expect(try await store.jobs.find(kept)?.state == .running)
            let finished = try await store.jobs.complete([keptAgain], now: later)
            #expect(finished == [kept])
            #expect(try await store.jobs.find(kept)?.state == .done)
            #expect(try await store.jobs.complete([], now: later).isEmpty)
        }
    }
}

@Suite("Postponing a job")
struct JobPostponeTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("a postponed job runs later and the attempt it was claimed for is not counted", arguments: TestEngine.all)
    func postpone(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let id = try await store.jobs.enqueue(NewJob(kind: "k", runAt: now, maxAttempts: 2))
            let first = try #require(try await store.jobs.claim(worker: "w", limit: 1, lease: .seconds(30), now: now).first)
            #expect(first.attempt == 1)
            #expect(try await store.jobs.postpone(first, until: now + 60, reason: "circuit open", now: now))
            #expect(try await store.jobs.claim(worker: "w", limit: 1, lease: .seconds(30), now: now + 30).isEmpty)
            let again = try #require(try await store.jobs.claim(worker: "w", limit: 1, lease: .seconds(30), now: now + 61).first)
            #expect(again.id == id)
            // The attempt number still fences claims; the postponed attempt is given back as one more allowed.
            #expect(again.attempt == 2)
            #expect(again.maxAttempts == 3)
            // A stale claim cannot postpone.
            #expect(!(try await store.jobs.postpone(first, until: now + 120, reason: "late", now: now + 62)))
        }
    }

    @Test("a job's backoff counts the attempts tried, not the claims postponed", arguments: TestEngine.all)
    func backoffAfterPostponements(engine: TestEngine) async throws {
        try await withTestStore(engine) { store in
            let id = try await store.jobs.enqueue(NewJob(kind: "k", runAt: now, maxAttempts: 5))
            var at = now
            // Postponed three times (an open circuit), then tried and failed once.
            for _ in 0..<3 {
                let claimed = try #require(try await store.jobs.claim(worker: "w", limit: 1, lease: .seconds(30), now: at).first)
                #expect(try await store.jobs.postpone(claimed, until: at + 30, reason: "circuit open", now: at))
                at += 31
            }
            let tried = try #require(try await store.jobs.claim(worker: "w", limit: 1, lease: .seconds(30), now: at).first)
            #expect(tried.id == id)
            #expect(tried.attempt == 4)
            #expect(tried.postponements == 3)
            #expect(tried.triedAttempt == 1)
            // The first failure waits the first step (5 s at most), not the fourth (40 s).
            let outcome = try await store.jobs.fail(tried, error: "refused", policy: RetryPolicy(), unit: 1, now: at)
            #expect(outcome == .retry(at: at + 5))
            #expect(try await store.jobs.claim(worker: "w", limit: 1, lease: .seconds(30), now: at + 4).isEmpty)
            let retried = try #require(try await store.jobs.claim(worker: "w", limit: 1, lease: .seconds(30), now: at + 5).first)
            #expect(retried.triedAttempt == 2)
        }
    }
}
