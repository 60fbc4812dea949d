import Foundation

/// A thread of its own for SQLite work that waits on the disk: the group-commit writer's task
/// (`peel-db-writer`) and the checkpointer's (`peel-db-checkpt`) each run on one, so their
/// statements, the wait for the write lock and their `fsync`s neither wait in the queue of Swift's
/// shared threads behind the requests being served nor hold one of those threads while they wait,
/// and need no hand-off to a thread pool and back around each wait. The job worker's tasks run on
/// one too (`peel-jobs`), at low priority, so that deliveries and emails take only what CPU the
/// requests leave (decision 0034).
///
/// Work queued here runs in the order it came, one job at a time.
package final class DedicatedThread: TaskExecutor, @unchecked Sendable {
    private struct Queue: ~Copyable {
        var jobs: [UnownedJob] = []
        var stopping = false
    }

    private let condition = NSCondition()
    private var queue = Queue()
    private let name: String
    private let niceness: Int32
    /// The niceness the thread runs at, once it has started: `niceness`, or 0 where the system
    /// refused it.
    private var applied: Int32?

    /// `name` is the thread's name as tools show it (Linux keeps 15 bytes of it). `niceness`
    /// above 0 lowers the thread's priority, as `nice` does a process's (on Linux, where
    /// priorities are per thread): the thread then takes the cores only as far as the threads
    /// of ordinary priority leave them free, and a small share when they do not. Below 0 it
    /// raises it, which Linux allows only a process with `CAP_SYS_NICE` or an `RLIMIT_NICE` that
    /// reaches it; elsewhere the thread runs at 0 (``runningNiceness``). Returns once the thread runs.
    package init(name: String, niceness: Int32 = 0) {
        self.name = name
        self.niceness = niceness
        // The thread keeps the executor until it ends (after `stop()`).
        Thread { self.run() }.start()
        condition.lock()
        while applied == nil { condition.wait() }
        condition.unlock()
    }

    /// The niceness the thread runs at: the one asked for, or 0 where the system refused it (or
    /// does not set priorities per thread).
    package var runningNiceness: Int32 {
        condition.lock()
        defer { condition.unlock() }
        return applied ?? 0
    }

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        queue.jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Runs what is already queued, then ends the thread; jobs queued later are never run, so call
    /// this only once its user (the writer, the checkpointer, the job worker) is done.
    package func stop() {
        condition.lock()
        queue.stopping = true
        condition.signal()
        condition.unlock()
    }

    private func run() {
        #if os(Linux)
        // Named for `top -H` and `perf`, which read the kernel's name (Foundation's `Thread.name`
        // does not reach it here).
        try? String(name.utf8.prefix(15))?.write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
        // 0: the calling thread, on Linux.
        let set = niceness == 0 || setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness) == 0
        #else
        let set = niceness == 0
        #endif
        condition.lock()
        applied = set ? niceness : 0
        condition.broadcast()
        condition.unlock()
        var batch: [UnownedJob] = []
        while true {
            condition.lock()
            while queue.jobs.isEmpty && !queue.stopping { condition.wait() }
            if queue.jobs.isEmpty {
                condition.unlock()
                return
            }
            swap(&batch, &queue.jobs)
            condition.unlock()
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
            batch.removeAll(keepingCapacity: true)
        }
    }
}
