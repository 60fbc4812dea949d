import PeelForms
import Synchronization

/// Journey states this node has decoded or written lately, by journey id, beside the stored
/// JSON they came from.
///
/// The store stays the only truth: a state is used from here only when the JSON just read from
/// the store is exactly the JSON it was decoded from, so a change made on another node, or a
/// state that was never cached, is decoded afresh. What it saves is decoding the same JSON on
/// every request of a journey. It keeps at most about twice `capacity` journeys: when the newer
/// generation fills, the older one is dropped.
package final class JourneyStateCache: Sendable {
    private struct Entry {
        let json: String
        let state: JourneyState
    }

    private struct Generations {
        var newer: [String: Entry] = [:]
        var older: [String: Entry] = [:]
    }

    private let generations = Mutex(Generations())
    private let capacity: Int

    package init(capacity: Int = 4096) {
        self.capacity = max(1, capacity)
    }

    /// The state decoded from `json` for journey `id`, when it is held.
    package func state(for id: String, json: String) -> JourneyState? {
        generations.withLock { generations in
            if let entry = generations.newer[id] { return entry.json == json ? entry.state : nil }
            guard let entry = generations.older.removeValue(forKey: id), entry.json == json else { return nil }
            store(entry, for: id, in: &generations)
            return entry.state
        }
    }

    /// Remembers that journey `id`'s stored JSON `json` is `state`.
    package func remember(_ state: JourneyState, json: String, for id: String) {
        generations.withLock { generations in
            store(Entry(json: json, state: state), for: id, in: &generations)
        }
    }

    private func store(_ entry: Entry, for id: String, in generations: inout Generations) {
        if generations.newer.count >= capacity, generations.newer[id] == nil {
            generations.older = generations.newer
            generations.newer = [:]
        }
        generations.newer[id] = entry
    }
}
