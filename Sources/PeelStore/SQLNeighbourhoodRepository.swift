import Foundation
import PeelCore
import SQLKit

/// Neighbourhoods in `police_neighbourhoods`: one row each, its details as a JSON document.
package struct SQLNeighbourhoodRepository: NeighbourhoodRepository {
    package let db: any SQLDatabase

    package init(db: any SQLDatabase) { self.db = db }

    package func list(force: ForceID) async throws -> [Neighbourhood] {
        try await db.raw("SELECT document FROM police_neighbourhoods WHERE force_id = \(bind: force.rawValue) ORDER BY name, id")
            .all().map(Self.decode)
    }

    package func find(force: ForceID, id: String) async throws -> Neighbourhood? {
        try await db.raw(
            "SELECT document FROM police_neighbourhoods WHERE force_id = \(bind: force.rawValue) AND id = \(bind: id)"
        ).first().map(Self.decode)
    }

    package func save(_ neighbourhood: Neighbourhood, at date: Date) async throws {
        let document = String(decoding: try JSONEncoder().encode(neighbourhood), as: UTF8.self)
        try await db.raw(
            """
            INSERT INTO police_neighbourhoods (force_id, id, name, document, updated_at)
            VALUES (\(bind: neighbourhood.force.rawValue), \(bind: neighbourhood.id), \(bind: neighbourhood.name), \(bind: document),
                \(bind: date.millisecondsSince1970))
            ON CONFLICT (force_id, id) DO UPDATE SET name = excluded.name, document = excluded.document,
                updated_at = excluded.updated_at
            """
        ).run()
    }

    package func delete(force: ForceID, id: String) async throws {
        try await db.raw("DELETE FROM police_neighbourhoods WHERE force_id = \(bind: force.rawValue) AND id = \(bind: id)").run()
    }

    package func all() async throws -> [Neighbourhood] {
        try await db.raw("SELECT document FROM police_neighbourhoods ORDER BY force_id, id").all().map(Self.decode)
    }

    private static func decode(_ row: any SQLRow) throws -> Neighbourhood {
        try JSONDecoder().decode(Neighbourhood.self, from: Data(try row.decode(column: "document", as: String.self).utf8))
    }
}

extension Store {
    /// Forces' neighbourhoods (police.uk's neighbourhood methods).
    package var neighbourhoods: SQLNeighbourhoodRepository { SQLNeighbourhoodRepository(db: database.sql) }
}
