import PeelCore
import Synchronization

/// A leaky bucket per client: `burst` at once, then `perSecond` on average. The data API's limit
/// is data.police.uk's (15 requests a second on average, bursts of 30); resuming a saved journey
/// counts only codes that were wrong (``isExhausted(_:now:)`` before, ``allow(_:now:)`` after a
/// miss). Kept per node, in memory.
package final class RateLimiter: Sendable {
    package let perSecond: Double
    package let burst: Double
    private struct Bucket {
        var level: Double
        var at: ContinuousClock.Instant
    }
    private let buckets: Mutex<[String: Bucket]>

    package init(perSecond: Double = 15, burst: Double = 30) {
        self.perSecond = perSecond
        self.burst = burst
        buckets = Mutex([:])
    }

    /// Whether `client` may make one more request now; if so, it is counted.
    package func allow(_ client: String, now: ContinuousClock.Instant = .now) -> Bool {
        buckets.withLock { buckets in
            var bucket = drained(buckets[client], now: now)
            guard bucket.level + 1 <= burst else {
                buckets[client] = bucket
                return false
            }
            bucket.level += 1
            buckets[client] = bucket
            // Forget clients whose buckets have drained, so the table stays small.
            if buckets.count > 10_000 {
                buckets = buckets.filter { (now - $0.value.at).timeInterval * perSecond < $0.value.level }
            }
            return true
        }
    }

    /// Whether `client` has no room left now, without counting anything.
    package func isExhausted(_ client: String, now: ContinuousClock.Instant = .now) -> Bool {
        buckets.withLock { buckets in drained(buckets[client], now: now).level + 1 > burst }
    }

    private func drained(_ bucket: Bucket?, now: ContinuousClock.Instant) -> Bucket {
        guard let bucket else { return Bucket(level: 0, at: now) }
        return Bucket(level: max(0, bucket.level - (now - bucket.at).timeInterval * perSecond), at: now)
    }
}
