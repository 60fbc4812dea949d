import Foundation
import PeelCore

/// Tells the person who made a report that it has a new update (by email and text message, as
/// they agreed), or the officer in charge that the person asked for one. Never what the update
/// says: the person signs in to read it. Each notification is its own job, whose reference
/// names this event and the channel, so that running this job again sends nothing twice.
struct PortalUpdateJob: JobHandler {
    let kind = JobKinds.portalUpdate
    let reports: any ReportRepository
    let citizens: any CitizenRepository
    let cases: any CaseRepository
    let staff: any StaffRepository
    let forces: any ForceRepository
    let jobs: any JobQueue
    let publicURL: String

    func run(_ job: ClaimedJob) async throws {
        let payload = try JSONDecoder().decode(PortalUpdateJobPayload.self, from: Data(job.payload.utf8))
        guard let forceID = ForceID(validating: payload.force) else { throw JobPayloadError(job: job.id) }
        guard let report = try await reports.find(payload.report, force: forceID), let force = try await forces.find(forceID) else {
            return
        }
        let base = publicURL.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        var requests: [NotificationRequest] = []
        switch payload.audience {
        case .person:
            let link = "\(base)/\(forceID)/my/reports/\(report.reference)"
            func request(_ channel: NotificationChannel, _ recipient: String, _ language: Language) -> NotificationRequest {
                NotificationRequest(
                    channel: channel, recipient: recipient, template: .newUpdate, language: language,
                    personalisation: ["reference": report.reference, "force": force.name(in: language), "link": link],
                    reference: "update:\(payload.event):\(channel.rawValue)", forceID: forceID)
            }
            if let owner = try await citizens.owner(reportID: report.id, force: forceID) {
                // The person's own choices: withdrawn consent means nothing is sent that way.
                if owner.emailConsent { requests.append(request(.email, owner.email, owner.language)) }
                if owner.smsConsent, let phone = owner.phone { requests.append(request(.sms, phone, owner.language)) }
            } else if let email = report.contactEmail {
                // Not signed in yet: the address they reported with; signing in with it shows the update.
                requests.append(request(.email, email, report.language))
            }
        case .officer:
            guard let assigned = try await cases.find(reportID: report.id, force: forceID)?.assignedTo,
                let officer = try await staff.find(id: assigned), officer.active
            else { return }
            requests.append(
                NotificationRequest(
                    channel: .email, recipient: officer.email, template: .updateRequested, language: .english,
                    personalisation: [
                        "reference": report.reference, "force": force.name,
                        "link": "\(base)/\(forceID)/staff/reports/\(report.id)",
                    ],
                    reference: "update-request:\(payload.event)", forceID: forceID))
        }
        for request in requests {
            try await jobs.enqueue(try request.job())
        }
    }
}
