import Synchronization

/// A signal from one part of a node to a task that otherwise waits on a timer: a submission
/// rings it after its jobs commit, and the job worker, idle between polls, wakes at once instead
/// of at its next poll. A ring with nobody waiting is kept for the next wait, so none is lost
/// between a worker's empty claim and its wait. Other nodes still find the jobs by polling.
package final class Doorbell: Sendable {
    private struct State {
        var rung = false
        var waiter: CheckedContinuation<Void, Never>?
        var generation = 0
    }

    private let state = Mutex(State())

    package init() {}

    package func ring() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.rung = true
            return nil
        }
        waiter?.resume()
    }

    /// Returns when the bell rings (or had rung since the last wait), or after `timeout`.
    /// One task waits at a time.
    package func wait(timeout: Duration) async {
        if state.withLock({ state in
            defer { state.rung = false }
            return state.rung
        }) {
            return
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.nextRing() }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    private func nextRing() async {
        let generation = state.withLock { state -> Int in
            state.generation += 1
            return state.generation
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    // Rung in the meantime, or cancelled before the continuation was stored.
                    if state.rung || Task.isCancelled || state.generation != generation {
                        state.rung = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.generation += 1
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
