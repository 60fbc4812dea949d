import Foundation
import HTTPTypes
import PeelCore
import Prometheus
import Synchronization

/// Peel's Prometheus metrics: one registry per running application, emitted at `/metrics`.
package final class WebMetrics: Sendable {
    package let registry: PrometheusCollectorRegistry
    private let queueDue: Gauge
    private let queueScheduled: Gauge
    private let queueRunning: Gauge
    private let queueDead: Gauge
    private let queueOldestAge: Gauge

    static let durationBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    package init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        func gauge(_ state: String) -> Gauge {
            registry.makeGauge(
                descriptor: MetricNameDescriptor(metricName: "peel_job_queue_depth", helpText: "Jobs in the queue by state"),
                labels: [("state", state)])
        }
        queueDue = gauge("due")
        queueScheduled = gauge("scheduled")
        queueRunning = gauge("running")
        queueDead = gauge("dead")
        queueOldestAge = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                metricName: "peel_job_queue_oldest_due_age_seconds",
                helpText: "How long the oldest due job has waited for a worker"))
    }

    func record(method: HTTPRequest.Method, route: String, status: Int, duration: Duration) {
        let key = RequestKey(method: method.rawValue, route: route, status: status)
        let metrics = handles.withLock { $0[key] } ?? makeHandles(key)
        metrics.requests.increment()
        metrics.duration.record(duration)
    }

    /// A request's labels: each distinct set has its counter and histogram made once and kept,
    /// rather than looked up in the registry (its labels built, hashed and matched) per request.
    private struct RequestKey: Hashable {
        let method: String
        let route: String
        let status: Int
    }

    private struct RequestHandles {
        let requests: Counter
        let duration: DurationHistogram
    }

    private let handles = Mutex<[RequestKey: RequestHandles]>([:])

    private func makeHandles(_ key: RequestKey) -> RequestHandles {
        let made = RequestHandles(
            requests: registry.makeCounter(
                descriptor: MetricNameDescriptor(metricName: "peel_http_requests_total", helpText: "HTTP requests handled"),
                labels: [("method", key.method), ("route", key.route), ("status", String(key.status))]),
            duration: registry.makeDurationHistogram(
                descriptor: MetricNameDescriptor(
                    metricName: "peel_http_request_duration_seconds", helpText: "Time to handle an HTTP request"),
                labels: [("method", key.method), ("route", key.route)],
                buckets: Self.durationBuckets)
        )
        handles.withLock { $0[key] = made }
        return made
    }

    /// Refreshes the queue gauges; called when `/metrics` is scraped.
    package func update(queue stats: JobQueueStats) {
        queueDue.set(Double(stats.due))
        queueScheduled.set(Double(stats.scheduled))
        queueRunning.set(Double(stats.running))
        queueDead.set(Double(stats.dead))
        queueOldestAge.set(stats.oldestDueAgeSeconds)
    }

    package func exposition() -> String { registry.emitToString() }
}
