/// Holds whoever waits until it is opened.
package actor Gate {
    private var opened = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    package init() {}

    package func wait() async {
        if opened { return }
        await withCheckedContinuation { waiting.append($0) }
    }

    package func open() {
        opened = true
        for continuation in waiting { continuation.resume() }
        waiting = []
    }

    /// Whether it is opened within `limit` (checked every millisecond).
    package func isOpen(within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while !opened, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(1)) }
        return opened
    }
}

