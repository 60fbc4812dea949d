import Foundation
import Logging
import PeelCore
import PeelForms
import PeelNotify

/// The payload of the jobs a submission enqueues.
struct ReportJobPayload: Codable {
    let report: String
    let force: String

    static func decode(_ job: ClaimedJob) throws -> (id: String, force: ForceID) {
        let payload = try JSONDecoder().decode(ReportJobPayload.self, from: Data(job.payload.utf8))
        guard let force = ForceID(validating: payload.force) else { throw JobPayloadError(job: job.id) }
        return (payload.report, force)
    }
}

struct JobPayloadError: Error, CustomStringConvertible {
    let job: JobID
    var description: String { "job \(job) has a payload Peel cannot read" }
}

/// Emails the person their reference and what happens next. A sensitive service's email says
/// nothing of the answers.
struct ConfirmationEmailJob: JobHandler {
    let kind = JobKinds.confirmationEmail
    let reports: any ReportRepository
    let forces: any ForceRepository
    let catalogue: ServiceCatalogue
    let notify: any NotifyClient

    func run(_ job: ClaimedJob) async throws {
        let (id, forceID) = try ReportJobPayload.decode(job)
        guard let report = try await reports.find(id, force: forceID), let email = report.contactEmail else { return }
        guard let force = try await forces.find(forceID), let service = catalogue.service(report.serviceID) else { return }
        let language = report.language
        let welsh = language == .welsh
        let forceName = force.name(in: language)
        var paragraphs = [
            welsh
                ? "Diolch am gysylltu â \(forceName). Rydym wedi cael eich adroddiad: \(service.title.cy)."
                : "Thank you for contacting \(forceName). We have your report: \(service.title.en).",
            (welsh ? "Eich cyfeirnod yw " : "Your reference number is ") + report.reference,
            service.confirmation.text(language),
        ]
        if service.sensitivity.echoAnswersInEmail {
            let lines = ReportDocument.summary(of: report.answers, definition: service, language: language, today: DateText.today())
                .flatMap { section in section.rows.map { "\($0.question): \($0.answer.joined(separator: ", "))" } }
            if !lines.isEmpty {
                paragraphs.append((welsh ? "Eich atebion:\n" : "Your answers:\n") + lines.joined(separator: "\n"))
            }
        }
        paragraphs.append(welsh ? "Mewn argyfwng, ffoniwch 999." : "In an emergency, call 999.")
        try await notify.sendEmail(
            to: email, subject: (welsh ? "Eich cyfeirnod: " : "Your reference: ") + report.reference,
            body: paragraphs.joined(separator: "\n\n"), force: forceID, idempotencyKey: "confirmation:\(report.id)")
    }
}

/// Emails a person the code that brings them back to answers they saved. Never the answers.
struct ReturnCodeEmailJob: JobHandler {
    let kind = JobKinds.returnCodeEmail
    let forces: any ForceRepository
    let catalogue: ServiceCatalogue
    let notify: any NotifyClient
    let publicURL: String

    struct Payload: Decodable { let email, code, force, service, language: String }

    func run(_ job: ClaimedJob) async throws {
        let payload = try JSONDecoder().decode(Payload.self, from: Data(job.payload.utf8))
        guard let forceID = ForceID(validating: payload.force), let force = try await forces.find(forceID),
            let service = catalogue.service(payload.service)
        else { throw JobPayloadError(job: job.id) }
        let language = Language(rawValue: payload.language) ?? .english
        let welsh = language == .welsh
        let link = "\(publicURL.trimmingCharacters(in: CharacterSet(charactersIn: "/")))/\(force.id)/services/\(service.id)/resume?code=\(payload.code)"
        let body = [
            welsh
                ? "Rydych wedi cadw eich atebion i \(service.title.cy) ar wefan \(force.name(in: language))."
                : "You saved your answers to \(service.title.en) on the \(force.name(in: language)) site.",
            (welsh ? "Eich cod yw " : "Your code is ") + payload.code,
            (welsh ? "I barhau, ewch i " : "To continue, go to ") + link,
            welsh ? "Byddwn yn cadw eich atebion am 30 diwrnod." : "We will keep your answers for 30 days.",
            welsh ? "Mewn argyfwng, ffoniwch 999." : "In an emergency, call 999.",
        ].joined(separator: "\n\n")
        try await notify.sendEmail(
            to: payload.email, subject: welsh ? "Eich cod i barhau" : "Your code to continue", body: body, force: forceID,
            idempotencyKey: "return-code:\(job.id)")
    }
}

/// Emails an invitation to join a force's back office. The link is the only way in; it lasts
/// seven days and works once.
struct StaffInvitationEmailJob: JobHandler {
    let kind = JobKinds.staffInvitationEmail
    let forces: any ForceRepository
    let notify: any NotifyClient

    struct Payload: Decodable { let email, name, force, link: String }

    func run(_ job: ClaimedJob) async throws {
        let payload = try JSONDecoder().decode(Payload.self, from: Data(job.payload.utf8))
        guard let forceID = ForceID(validating: payload.force), let force = try await forces.find(forceID) else {
            throw JobPayloadError(job: job.id)
        }
        let body = [
            "Dear \(payload.name),",
            "You have been invited to the \(force.name) back office on Peel.",
            "To set your password and your authenticator app, go to \(payload.link)",
            "The link works once and lasts 7 days. If you did not expect this email, tell your force's service desk.",
        ].joined(separator: "\n\n")
        try await notify.sendEmail(
            to: payload.email, subject: "Your invitation to the \(force.name) back office", body: body, force: forceID,
            idempotencyKey: "staff-invitation:\(job.id)")
    }
}
