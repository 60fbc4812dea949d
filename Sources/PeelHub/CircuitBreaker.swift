import Foundation
import PeelCore
import Synchronization

/// Stops a node from hammering a records system that is down. Per force: after
/// ``threshold`` failures in a row the circuit opens and deliveries are postponed without being
/// tried; after ``openFor`` one delivery is let through (half open); its success closes the
/// circuit, its failure opens it again for twice as long, up to ``maximumOpen``.
package final class CircuitBreaker: Sendable {
    package enum Decision: Sendable, Hashable {
        case proceed
        /// Do not try before this time.
        case wait(until: Date)
    }

    private struct Circuit {
        var failures = 0
        var openUntil: Date?
        var openFor: TimeInterval
        var trial = false
    }

    package let threshold: Int
    package let openFor: TimeInterval
    package let maximumOpen: TimeInterval
    private let circuits = Mutex<[ForceID: Circuit]>([:])

    package init(threshold: Int = 5, openFor: TimeInterval = 30, maximumOpen: TimeInterval = 600) {
        self.threshold = max(1, threshold)
        self.openFor = openFor
        self.maximumOpen = maximumOpen
    }

    /// Whether a delivery to `force`'s records system may be tried now.
    package func decide(_ force: ForceID, now: Date) -> Decision {
        circuits.withLock { circuits in
            var circuit = circuits[force] ?? Circuit(openFor: openFor)
            defer { circuits[force] = circuit }
            guard let until = circuit.openUntil else { return .proceed }
            if now < until || circuit.trial { return .wait(until: max(until, now + 1)) }
            // Half open: one delivery tries; the others wait for its answer.
            circuit.trial = true
            return .proceed
        }
    }

    package func succeeded(_ force: ForceID) {
        circuits.withLock { $0[force] = Circuit(openFor: openFor) }
    }

    /// Counts a failure that retrying may cure; returns true when it opened the circuit.
    @discardableResult
    package func failed(_ force: ForceID, now: Date) -> Bool {
        circuits.withLock { circuits in
            var circuit = circuits[force] ?? Circuit(openFor: openFor)
            defer { circuits[force] = circuit }
            if circuit.trial {
                circuit.trial = false
                circuit.openFor = min(circuit.openFor * 2, maximumOpen)
                circuit.openUntil = now + circuit.openFor
                return true
            }
            circuit.failures += 1
            guard circuit.failures >= threshold, circuit.openUntil == nil else { return false }
            circuit.openUntil = now + circuit.openFor
            return true
        }
    }
}

/// At most `limit` deliveries at once to each force's records system from this node; the rest
/// wait their turn, first come first served.
package actor ConcurrencyLimiter {
    private let limit: Int
    private var running: [ForceID: Int] = [:]
    private var waiting: [ForceID: [CheckedContinuation<Void, Never>]] = [:]

    package init(limit: Int) {
        self.limit = max(1, limit)
    }

    package func withPermit<T: Sendable>(_ force: ForceID, _ body: @Sendable () async throws -> T) async throws -> T {
        await acquire(force)
        do {
            let value = try await body()
            release(force)
            return value
        } catch {
            release(force)
            throw error
        }
    }

    /// How many deliveries to `force` run now (for tests and metrics).
    package func inFlight(_ force: ForceID) -> Int { running[force, default: 0] }

    private func acquire(_ force: ForceID) async {
        if running[force, default: 0] < limit {
            running[force, default: 0] += 1
            return
        }
        await withCheckedContinuation { continuation in waiting[force, default: []].append(continuation) }
    }

    private func release(_ force: ForceID) {
        if var queue = waiting[force], !queue.isEmpty {
            // The permit passes straight to the next in line.
            let next = queue.removeFirst()
            waiting[force] = queue
            next.resume()
        } else {
            running[force, default: 1] -= 1
        }
    }
}
