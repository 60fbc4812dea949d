import Foundation
import Logging
import SQLKit
import Testing

@testable import PeelStore

@Suite("SQLite's write-ahead log checkpoints")
struct SQLiteCheckpointTests {
    /// Bytes of the file at `path` (0 when it does not exist).
    private func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    @Test("the log is copied into the database file in the background, long before the writer's own backstop")
    func copiedInBackground() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("peel-checkpoint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("peel.sqlite").path
        let database = try await Database.open(.sqlite(path: path), logger: Logger(label: "test"))
        do {
            try await database.sql.raw("CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT NOT NULL)").run()
            let before = size(path)
            // About 2 MB (some 500 pages), a twentieth of the writer's backstop of 10,000 pages:
            // without the checkpointer it would all stay in the log.
            let body = String(repeating: "x", count: 4_000)
            for _ in 0..<500 {
                try await database.sql.raw("INSERT INTO filler (body) VALUES (\(bind: body))").run()
            }
            #expect(500 < SQLiteCheckpointer.writerBackstopPages / 10)
            var copied = false
            for _ in 0..<100 where !copied {
                try await Task.sleep(for: .milliseconds(50))
                copied = size(path) - before >= 1_900_000
            }
            #expect(copied, "database file grew from \(before) to \(size(path)) bytes")
            let rows = try await database.sql.raw("SELECT COUNT(*) AS n FROM filler").first()?.decode(column: "n", as: Int.self)
            #expect(rows == 500)
        } catch {
            try? await database.close()
            throw error
        }
        try await database.close()
    }
}
