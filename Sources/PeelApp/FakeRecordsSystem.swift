import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PeelCore
import PeelHub
import Synchronization

/// A records system for demonstrations and tests (`peel fake-rms`): it implements Peel's standard
/// API. It checks signatures (and refuses replays), answers the same idempotency key with the
/// same reference and counts such duplicates, keeps what it accepted (`GET /received`), and can
/// fail a share of requests, answer slowly, or be down for a while.
package final class FakeRecordsSystem: Sendable {
    package struct Options: Sendable {
        package var secret: [UInt8]
        /// The share of requests answered 503, 0 to 1.
        package var failRate: Double = 0
        /// How long after starting `failRate` applies; nil for as long as the fake runs.
        package var failFor: Duration?
        /// Added to every answer.
        package var latency: Duration = .zero
        /// Answers 503 to everything for this long after starting.
        package var downFor: Duration = .zero
        /// Peel's address (`http://host:port`): after accepting a report, the fake calls Peel
        /// back, signed, with its reference and the status "recorded".
        package var callbacks: String?

        package init(
            secret: [UInt8], failRate: Double = 0, failFor: Duration? = nil, latency: Duration = .zero, downFor: Duration = .zero,
            callbacks: String? = nil
        ) {
            self.secret = secret
            self.failRate = failRate
            self.failFor = failFor
            self.latency = latency
            self.downFor = downFor
            self.callbacks = callbacks
        }
    }

    struct Received: Codable, Sendable {
        let reference: String
        let idempotencyKey: String
        let recordsReference: String
        let document: RecordsDocument
    }

    private struct State {
        var received: [Received] = []
        var byKey: [String: String] = [:]
        var duplicates = 0
        var refused = 0
        var next = 1
    }

    private let state = Mutex(State())
    private let replays = ReplayGuard()
    private let started = ContinuousClock.now
    package let options: Options

    package init(options: Options) {
        self.options = options
    }

    package func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/reports") { [self] request, context in try await receive(request, context) }
        router.get("/received") { [self] _, _ in
            let snapshot = state.withLock { state in
                ReceivedList(received: state.received, duplicates: state.duplicates, refused: state.refused)
            }
            return try jsonResponse(snapshot, status: .ok)
        }
        router.get("/health") { _, _ in Response(status: .ok) }
        return router
    }

    struct ReceivedList: Codable {
        let received: [Received]
        let duplicates: Int
        let refused: Int
    }

    struct Failure: Codable {
        let code: String
        let message: String
    }

    private func receive(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        if options.latency > .zero { try await Task.sleep(for: options.latency) }
        let running = ContinuousClock.now - started
        let failing = options.failFor.map { running < $0 } ?? true
        if running < options.downFor || (failing && Double.random(in: 0..<1) < options.failRate) {
            return try jsonResponse(Failure(code: "unavailable", message: "the records system is not available"), status: .serviceUnavailable)
        }
        let body = try await request.body.collect(upTo: 8 << 20)
        let bytes = Array(body.readableBytesView)
        let verified = HubSignature.verify(
            bytes, timestamp: request.headers[HTTPField.Name(HubSignature.timestampHeader)!],
            signature: request.headers[HTTPField.Name(HubSignature.signatureHeader)!], secret: options.secret, now: Date())
        let signature: String
        switch verified {
        case .failure(let failure):
            state.withLock { $0.refused += 1 }
            return try jsonResponse(Failure(code: failure.code, message: failure.description), status: .unauthorized)
        case .success(let value): signature = value
        }
        guard let key = request.headers[HTTPField.Name(HubSignature.idempotencyHeader)!], !key.isEmpty else {
            return try jsonResponse(Failure(code: "idempotency_key_missing", message: "Idempotency-Key is required"), status: .badRequest)
        }
        // A resend of an accepted key is answered as before, even with a fresh signature.
        if let known = state.withLock({ state -> String? in
            guard let known = state.byKey[key] else { return nil }
            state.duplicates += 1
            return known
        }) {
            return try jsonResponse(["reference": known, "status": "duplicate"], status: .ok)
        }
        guard replays.accept(signature, now: Date()) else {
            return try jsonResponse(Failure(code: HubSignature.Failure.replayed.code, message: HubSignature.Failure.replayed.description), status: .unauthorized)
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let document = try? decoder.decode(RecordsDocument.self, from: Data(bytes)) else {
            return try jsonResponse(Failure(code: "document_invalid", message: "the body is not a Peel records document"), status: .unprocessableContent)
        }
        let reference = state.withLock { state -> String in
            if let known = state.byKey[key] {
                state.duplicates += 1
                return known
            }
            let reference = String(format: "RMS-%06d", state.next)
            state.next += 1
            state.byKey[key] = reference
            state.received.append(
                Received(reference: document.peelReference, idempotencyKey: key, recordsReference: reference, document: document))
            return reference
        }
        if let base = options.callbacks {
            let callback = RecordsCallback(peelReference: document.peelReference, sequence: 1, recordsReference: reference, status: "recorded")
            let target = "\(base.trimmingCharacters(in: CharacterSet(charactersIn: "/")))/api/v1/hub/\(document.force)/callbacks"
            let secret = options.secret
            Task { await Self.callBack(callback, to: target, secret: secret) }
        }
        return try jsonResponse(["reference": reference, "status": "accepted"], status: .created)
    }

    /// Sends Peel a signed callback; a failure is only logged (this is a fake).
    static func callBack(_ callback: RecordsCallback, to target: String, secret: [UInt8]) async {
        guard let url = URL(string: target), let body = try? JSONEncoder().encode(callback) else { return }
        var request = URLRequest(url: url, timeoutInterval: 10)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        for (name, value) in HubSignature.headers(for: body, secret: secret, at: Date()) { request.setValue(value, forHTTPHeaderField: name) }
        _ = try? await URLSession.shared.data(for: request)
    }

    private func jsonResponse(_ value: some Encodable, status: HTTPResponse.Status) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return Response(
            status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    /// Serves the fake records system on `host:port` until cancelled.
    package func serve(host: String, port: Int, logger: Logger) async throws {
        let app = Application(router: router(), configuration: .init(address: .hostname(host, port: port)), logger: logger)
        try await app.runService()
    }
}
