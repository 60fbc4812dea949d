import Logging
import Synchronization

/// Copies SQLite's write-ahead log back into the database file from a thread of its own, a few
/// times a second, so that the single writer never stops to do it.
///
/// By default SQLite checkpoints inside the `COMMIT` that takes the log past 1,000 pages: the
/// writer then copies those pages and `fsync`s the database file while every transaction queued
/// behind it waits, a pause of several milliseconds for one page save in fifty. Here the writer's
/// own checkpoint is only a backstop (at ``writerBackstopPages``), and a passive checkpoint runs on
/// a connection of its own, beside the writer and the readers without blocking either (decision
/// 0032).
final class SQLiteCheckpointer: Sendable {
    /// How often the log is copied back.
    static let interval: Duration = .milliseconds(250)
    /// The log size, in pages, at which the writer checkpoints in its own `COMMIT` after all:
    /// reached only if this checkpointer falls far behind or has stopped.
    static let writerBackstopPages = 10_000

    private let thread: DedicatedThread
    private let loop: Mutex<Task<Void, Never>?>

    /// Opens its own connection to the database at `path` and starts copying.
    init(path: String, logger: Logger) throws {
        let connection = try SQLiteInPlaceConnection(path: path)
        let thread = DedicatedThread(name: "peel-db-checkpt")
        self.thread = thread
        let task = Task(executorPreference: thread) {
            var failing = false
            while (try? await Task.sleep(for: Self.interval)) != nil {
                do {
                    try connection.run("PRAGMA wal_checkpoint(PASSIVE)", [], nil)
                    failing = false
                } catch {
                    // Logged once per run of failures; the writer's backstop bounds the log.
                    if !failing { logger.warning("write-ahead log checkpoint failed", metadata: ["error": "\(error)"]) }
                    failing = true
                }
            }
            connection.close()
        }
        loop = Mutex(task)
    }

    /// Stops copying, closes the connection and ends the thread.
    func stop() async {
        guard let task = loop.withLock({ loop in defer { loop = nil }; return loop }) else { return }
        task.cancel()
        await task.value
        thread.stop()
    }
}
