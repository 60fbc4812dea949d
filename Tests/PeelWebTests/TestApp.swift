import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PeelApp
import PeelCore
import PeelStore
import PeelTestSupport
import Testing

/// Configuration for a test instance of Peel on `engine`, with its data in `scratch`.
func testConfiguration(
    _ scratch: ScratchDatabase, extra: [String: String] = [:]
) throws -> PeelConfiguration {
    var values: [String: String] = [
        "PEEL_LOG_LEVEL": "critical", "PEEL_DEMO": "true", "PEEL_SECRET_KEY": testSecretKey, "PEEL_PASSWORD_COST": "4",
    ]
    switch scratch.location {
    case .sqlite(let path):
        values["PEEL_DATA_DIR"] = URL(fileURLWithPath: path).deletingLastPathComponent().path
    case .postgres(let url, let searchPath):
        values["PEEL_DATABASE_URL"] = url
        values["PEEL_DATABASE_SCHEMA"] = searchPath?.first
    }
    values.merge(extra) { _, new in new }
    return try PeelConfiguration.load(commandLine: values, environment: [:], dotEnvFile: nil)
}

/// The node secret key of every test instance (base64 of 32 bytes).
let testSecretKey = "q6Kq5uWbMy1rX4r0v9uQ7Q2a8s1d3f5g7h9j2k4l6m8="

/// Builds Peel exactly as `peel serve` does, on a fresh database, and runs `body` against its
/// router without opening a socket.
func withTestApp(
    _ engine: TestEngine = .sqlite, extra: [String: String] = [:], now: @escaping @Sendable () -> Date = Date.init,
    _ body: @escaping @Sendable (any TestClientProtocol, ScratchDatabase) async throws -> Void
) async throws {
    let scratch = try await ScratchDatabase.make(engine)
    do {
        let configuration = try testConfiguration(scratch, extra: extra)
        let app = try await buildApplication(configuration, logger: testLogger, now: now)
        try await app.test(.router) { client in try await body(client, scratch) }
    } catch {
        await scratch.remove()
        throw error
    }
    await scratch.remove()
}

/// Opens the store of a test instance from outside, as a second node or a command would.
func withStore(of scratch: ScratchDatabase, _ body: (Store) async throws -> Void) async throws {
    let database = try await Database.open(scratch.location, poolSize: 2, logger: testLogger)
    do {
        try await body(Store(database: database))
    } catch {
        try? await database.close()
        throw error
    }
    try await database.close()
}

extension TestResponse {
    var text: String { String(buffer: body) }
}

/// The hrefs of every link on a page.
func links(in html: String) -> [String] {
    html.split(separator: "href=\"").dropFirst().compactMap { $0.split(separator: "\"").first.map(String.init) }
}

/// A `multipart/form-data` body, as a browser sends a form with files.
func multipart(_ parts: [(name: String, fileName: String?, data: Data)], boundary: String) -> ByteBuffer {
    var body = Data()
    for part in parts {
        body += Data("--\(boundary)\r\n".utf8)
        if let fileName = part.fileName {
            body += Data("Content-Disposition: form-data; name=\"\(part.name)\"; filename=\"\(fileName)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
        } else {
            body += Data("Content-Disposition: form-data; name=\"\(part.name)\"\r\n\r\n".utf8)
        }
        body += part.data + Data("\r\n".utf8)
    }
    body += Data("--\(boundary)--\r\n".utf8)
    return ByteBuffer(bytes: body)
}
