import Foundation
import Logging
import PeelAuth
import PeelCore
import PeelForms
import PeelHub
import PeelNotify

import AsyncHTTPClient
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Hands a report to the force's records system through its adapter: the standard API (a
/// signed POST, answered with the records system's reference), a file drop, or an email. A
/// force with no connection yet has the demo records system, which accepts every report.
struct DeliverReportJob: JobHandler {
    let kind = JobKinds.deliverReport
    let reports: any ReportRepository
    let hub: any HubRepository
    let catalogue: ServiceCatalogue
    let secrets: SecretBox
    let notify: any NotifyClient
    /// Peel's public address, under which the document's media links point.
    let publicURL: String
    let logger: Logger
    /// Per force: stop trying a records system that keeps failing, for a while.
    let breaker: CircuitBreaker
    /// Per force: at most a few deliveries at once to one records system.
    let limiter: ConcurrencyLimiter
    /// Reports' duplicate-finder features, read once.
    var featureCache = DuplicateFinder.FeatureCache()

    /// First retry within a minute, the last about two days after the first attempt.
    static let retry = RetryPolicy(base: .seconds(30), cap: .seconds(6 * 3600))
    static let maxAttempts = 20

    var retry: RetryPolicy? { Self.retry }

    func run(_ job: ClaimedJob) async throws {
        let (id, force) = try ReportJobPayload.decode(job)
        guard let input = try await hub.delivery(reportID: id, force: force) else { throw JobPayloadError(job: job.id) }
        let report = input.report
        let definition = catalogue.service(report.serviceID)
        var document = RecordsDocument.make(report: report, definition: definition, risk: input.risk)
        // Every report's likely duplicates are kept for handlers to decide, whatever the connection.
        let candidates = try await duplicateCandidates(of: document, report: report)
        document.duplicateCandidates = candidates.map(\.reference)
        if !candidates.isEmpty {
            let text = "Possible duplicate of " + candidates.prefix(3).map { "\($0.reference) (\($0.reasons.joined(separator: ", ")))" }
                .joined(separator: "; ")
            try await hub.recordDuplicates(
                reportID: report.id, force: force,
                candidates: candidates.map { FoundDuplicate(reference: $0.reference, score: $0.score, reasons: $0.reasons) }, note: text,
                at: Date())
        }
        guard let endpoint = input.endpoint else {
            try await hub.recordDelivery(reportID: report.id, force: force, recordsReference: nil, at: Date())
            logger.info("report delivered to the demo records system", metadata: ["force_id": "\(force)", "reference": "\(report.reference)"])
            return
        }
        // The report's files travel as links that the records system downloads, signed and expiring.
        let files = try await reports.files(report: report.id, force: force)
        if !files.isEmpty {
            document.media = RecordsDocument.media(
                files, definition: definition, publicURL: publicURL,
                key: try MediaLink.key(for: endpoint, force: force, secrets: secrets), expires: Date() + MediaLink.lifetime)
        }
        let body = try document.encoded()
        switch endpoint.adapter {
        case .standardAPI:
            guard let url = endpoint.url.flatMap(URL.init(string:)), let sealed = endpoint.sealedSecret else {
                throw PermanentDeliveryFailure(status: 0, body: "the force's standard API has no address or secret")
            }
            if case .wait(let until) = breaker.decide(force, now: Date()) {
                throw JobPostponed(until: until, reason: "the records system of \(force) is failing; the circuit is open until \(until)")
            }
            let secret = try secrets.open(sealed)
            let key = document.idempotencyKey
            let reference: String?
            do {
                reference = try await limiter.withPermit(force) {
                    try await StandardAPITransport.post(body, to: url, idempotencyKey: key, secret: secret)
                }
                breaker.succeeded(force)
            } catch let failure as RetryableDeliveryFailure {
                if breaker.failed(force, now: Date()) {
                    logger.warning("records system failing: circuit opened", metadata: ["force_id": "\(force)", "error": "\(failure)"])
                }
                throw failure
            }
            try await hub.recordDelivery(reportID: report.id, force: force, recordsReference: reference, at: Date())
        case .fileDrop:
            guard let directory = endpoint.directory else {
                throw PermanentDeliveryFailure(status: 0, body: "the force's file drop has no folder")
            }
            // Written beside, then renamed: an importer never sees half a file.
            let folder = URL(fileURLWithPath: directory)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let name = "\(document.peelReference)-\(document.revision).json"
            let partial = folder.appendingPathComponent(".\(name).partial")
            try body.write(to: partial, options: .atomic)
            let final = folder.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: final.path) { try FileManager.default.removeItem(at: final) }
            try FileManager.default.moveItem(at: partial, to: final)
            try await hub.recordDelivery(reportID: report.id, force: force, recordsReference: nil, at: Date())
        case .email:
            guard let address = endpoint.email else { throw PermanentDeliveryFailure(status: 0, body: "the force's mailbox is not set") }
            try await notify.sendEmail(
                to: address, subject: "Online report \(report.reference): \(document.service.title)",
                body: String(decoding: body, as: UTF8.self), force: force, idempotencyKey: "records-email:\(document.idempotencyKey)")
            try await hub.recordDelivery(reportID: report.id, force: force, recordsReference: nil, at: Date())
        }
    }
}

extension DeliverReportJob {
    /// How far back a new report is compared with the force's reports.
    static let duplicateWindow: TimeInterval = 14 * 86_400
    /// For each thing a report is found by (an email, a vehicle, a place, a band of its
    /// statement), how many of the most recent reports filed under it are compared.
    static let duplicatesPerKey = 20

    /// Likely duplicates among the force's reports of the two weeks before this one that share
    /// a reporter, vehicle, place or statement band with it.
    func duplicateCandidates(of document: RecordsDocument, report: Report) async throws -> [DuplicateFinder.Candidate] {
        let features = DuplicateFinder.Features(document: document)
        let keys = DuplicateFinder.lookup(features)
        let others = try await reports.sharingKeys(
            keys.each, pooled: keys.pooled, force: report.forceID, from: report.createdAt - Self.duplicateWindow,
            to: report.createdAt, excluding: report.id, perKey: Self.duplicatesPerKey)
        let compared = others.map(featureCache.features(for:))
        return Array(DuplicateFinder.candidates(for: features, among: compared).prefix(10))
    }
}

/// The standard records-system API's client side: one signed POST per document.
enum StandardAPITransport {
    static let timeout: TimeInterval = 10
    /// The most of an answer read: a reference and a status are a few hundred bytes.
    static let maximumAnswer = 64 * 1024

    /// POSTs `body`; returns the records system's reference (nil when it accepted the report for
    /// later), or throws a retryable or permanent failure.
    static func post(_ body: Data, to url: URL, idempotencyKey: String, secret: [UInt8]) async throws -> String? {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: HubSignature.idempotencyHeader, value: idempotencyKey)
        for (name, value) in HubSignature.headers(for: body, secret: secret, at: Date()) {
            request.headers.add(name: name, value: value)
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response: HTTPClientResponse
        let data: Data
        do {
            // The shared client keeps connections to each records system open between deliveries.
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(Int64(timeout)))
            data = Data(buffer: try await response.body.collect(upTo: maximumAnswer))
        } catch {
            throw RetryableDeliveryFailure("the records system did not answer: \(error)")
        }
        let status = Int(response.status.code)
        let text = String(decoding: data.prefix(2000), as: UTF8.self)
        switch status {
        case 200..<300:
            struct Answer: Decodable { let reference: String? }
            guard let answer = try? JSONDecoder().decode(Answer.self, from: data) else {
                throw RetryableDeliveryFailure("the records system answered \(status) with something Peel cannot read: \(text)")
            }
            return answer.reference
        case 408, 429, 500..<600:
            throw RetryableDeliveryFailure("the records system answered \(status): \(text)")
        default:
            throw PermanentDeliveryFailure(status: status, body: text)
        }
    }
}
