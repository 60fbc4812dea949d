import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PeelApp
import Synchronization
import Testing

@testable import PeelWeb

@Suite("Access log")
struct AccessLogTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
    }

    /// An application with only the access-log middleware and one force route, logging at `level`
    /// into `lines`.
    private func app(level: Logger.Level, lines: Lines) -> some ApplicationProtocol {
        var logger = Logger(label: "peel") { label in
            PeelLogHandler(label: label, format: .json) { line in lines.lines.withLock { $0.append(line) } }
        }
        logger.logLevel = level
        let router = Router(context: PeelRequestContext.self)
        router.middlewares.add(ObservabilityMiddleware(metrics: WebMetrics()))
        router.get("/{force}/page") { _, _ in "ok" }
        return Application(router: router, logger: logger)
    }

    @Test("each request writes one line with its method, route, status, duration and force; none when the log is at warning")
    func oneLinePerRequest() async throws {
        let lines = Lines()
        try await app(level: .info, lines: lines).test(.router) { client in
            _ = try await client.execute(uri: "/kent/page", method: .get)
        }
        let written = lines.all.compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: String]
        }.filter { $0["message"] == "request" }
        #expect(written.count == 1)
        let line = try #require(written.first)
        #expect(line["method"] == "GET")
        #expect(line["path"] == "/kent/page")
        #expect(line["route"] == "/{force}/page")
        #expect(line["status"] == "200")
        #expect(line["force_id"] == "kent")
        #expect(Double(line["duration_ms"] ?? "") != nil)

        let quiet = Lines()
        try await app(level: .warning, lines: quiet).test(.router) { client in
            _ = try await client.execute(uri: "/kent/page", method: .get)
        }
        #expect(quiet.all.allSatisfy { !$0.contains(#""message":"request""#) })
    }
}
