import PeelForms
import Synchronization

/// Journey states this node has decoded or written lately, by journey id, beside the stored
/// JSON they came from.
///
/// The store stays the only truth: a state is used from here only when the JSON just read from
/// the store is exactly the JSON it was decoded from, so a change made on another node, or a
/// state that was never cached, is decoded afresh. What it saves is decoding the same JSON on
/// every request of a journey, and, for a state saved already pruned, walking it again: the walk
/// is kept with the day and the definition it was made under, and used only under the same. It
/// keeps at most about twice `capacity` journeys: when the newer generation fills, the older one
/// is dropped.
package final class JourneyStateCache: Sendable {
    /// A state pruned of the answers its path does not reach, and its walk, as an engine for
    /// `service` at `version` on `today` made them (``JourneyEngine/prunedAndWalked(_:)``).
    package struct Walked: Sendable {
        package let service: String
        package let version: Int
        package let today: String
        package let walk: JourneyWalk

        package init(service: String, version: Int, today: String, walk: JourneyWalk) {
            (self.service, self.version, self.today, self.walk) = (service, version, today, walk)
        }

        /// Whether an engine for `definition` on `today` walks this state the same way.
        package func holds(for definition: ServiceDefinition, today: String) -> Bool {
            service == definition.id && version == definition.version && self.today == today
        }
    }

    /// What is held for a journey: its state, and its walk when the state was saved pruned.
    package struct Held: Sendable {
        package let state: JourneyState
        package let walked: Walked?
    }

    private struct Entry {
        let json: String
        let held: Held
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
        held(for: id, json: json)?.state
    }

    /// What is held for journey `id` whose stored JSON is `json`.
    package func held(for id: String, json: String) -> Held? {
        generations.withLock { generations in
            if let entry = generations.newer[id] { return entry.json == json ? entry.held : nil }
            guard let entry = generations.older.removeValue(forKey: id), entry.json == json else { return nil }
            store(entry, for: id, in: &generations)
            return entry.held
        }
    }

    /// Remembers that journey `id`'s stored JSON `json` is `state`, and, when it is pruned, how
    /// it walks (`walked`).
    package func remember(_ state: JourneyState, json: String, for id: String, walked: Walked? = nil) {
        generations.withLock { generations in
            store(Entry(json: json, held: Held(state: state, walked: walked)), for: id, in: &generations)
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
