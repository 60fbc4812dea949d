import Foundation
import NIOCore
import NIOPosix
import PeelStore
import PeelTestSupport
import SQLKit
import Synchronization
import Testing

/// A task executor that runs its jobs on one event loop, and notes on which event loop (if any)
/// each job was handed to it: a task suspended in a write is handed back by whoever answers it.
final class LoopExecutor: TaskExecutor, Sendable {
    let loop: any EventLoop
    private let handedFrom = Mutex<[ObjectIdentifier?]>([])

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let from = MultiThreadedEventLoopGroup.currentEventLoop.map { ObjectIdentifier($0) }
        handedFrom.withLock { $0.append(from) }
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// Where each job was handed over from, in order.
    var handovers: [ObjectIdentifier?] { handedFrom.withLock { $0 } }
}

@Suite("The SQLite writer's answers")
struct WriterAnswersTests {
    @Test("a write queued from an event loop is answered on that loop, and one from elsewhere as before")
    func answeredWhereAsked() async throws {
        try await withTestStore(.sqlite) { store in
            let database = store.database
            try await database.sql.raw("CREATE TABLE probe (id INTEGER PRIMARY KEY)").run()
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
            let loops = [group.next(), group.next()]
            #expect(loops[0] !== loops[1])
            // Durable writes always go through the writer's thread; several at once share commits.
            let executors = loops.map(LoopExecutor.init)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                for index in 0..<20 {
                    let executor = executors[index % 2]
                    tasks.addTask(executorPreference: executor) {
                        // The write is asked from the executor's loop.
                        #expect(MultiThreadedEventLoopGroup.currentEventLoop === executor.loop)
                        try await database.transaction { try await $0.raw("INSERT INTO probe (id) VALUES (\(bind: index))").run() }
                        #expect(MultiThreadedEventLoopGroup.currentEventLoop === executor.loop)
                    }
                }
                try await tasks.waitForAll()
            }
            // Each task was started from the test's thread (no event loop), then handed back by its write's
            // answer: from its own loop, never from the writer's thread (no event loop) or the other loop.
            for executor in executors {
                let own = ObjectIdentifier(executor.loop)
                #expect(executor.handovers.count(where: { $0 == own }) >= 10, "\(executor.handovers)")
                #expect(executor.handovers.count(where: { $0 != nil && $0 != own }) == 0)
                #expect(executor.handovers.count(where: { $0 == nil }) == 10, "only the ten starts come from elsewhere")
            }
            // A write from a task on no event loop is answered too.
            try await database.transaction { try await $0.raw("INSERT INTO probe (id) VALUES (20)").run() }
            let count = try await database.sql.raw("SELECT COUNT(*) AS n FROM probe").first()?.decode(column: "n", as: Int.self)
            #expect(count == 21)
            try await group.shutdownGracefully()
        }
    }
}
