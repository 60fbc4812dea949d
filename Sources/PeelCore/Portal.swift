import Foundation

/// A person who follows their reports in MyPolice, known by an email address they proved is
/// theirs by a code sent to it. National: the same account on every force's site.
package struct Citizen: Sendable, Hashable, Codable {
    package var id: String
    /// Lower case, as verified.
    package var email: String
    /// A UK mobile number for text messages, when the person gave one.
    package var phone: String?
    /// The language notifications are sent in: the one the person last signed in with.
    package var language: Language
    /// Whether the person agrees to be told of updates by email, and by text message. Sign-in
    /// codes are sent whatever these say: the person asks for each.
    package var emailConsent: Bool
    package var smsConsent: Bool
    package var createdAt: Date

    package init(
        id: String, email: String, phone: String?, language: Language, emailConsent: Bool, smsConsent: Bool, createdAt: Date
    ) {
        self.id = id
        self.email = email
        self.phone = phone
        self.language = language
        self.emailConsent = emailConsent
        self.smsConsent = smsConsent
        self.createdAt = createdAt
    }
}

/// A signed-in MyPolice session. The store keeps the hash of its id, never the id.
package struct CitizenSession: Sendable, Hashable {
    package var idHash: String
    package var citizenID: String
    package var createdAt: Date
    package var lastSeenAt: Date

    /// Shorter than staff's 30 minutes: a person on a shared or borrowed device is signed out
    /// sooner.
    package static let idleTimeout: TimeInterval = 15 * 60
    package static let absoluteTimeout: TimeInterval = 12 * 60 * 60

    package init(idHash: String, citizenID: String, createdAt: Date, lastSeenAt: Date) {
        self.idHash = idHash
        self.citizenID = citizenID
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
    }

    package func isExpired(at now: Date) -> Bool {
        now.timeIntervalSince(lastSeenAt) > Self.idleTimeout || now.timeIntervalSince(createdAt) > Self.absoluteTimeout
    }
}

/// A sign-in code sent to an email address (or a phone), kept as a keyed hash. It belongs to the
/// browser that asked for it, through the hash of a random token in that browser's cookie.
package struct SignInCode: Sendable, Hashable {
    package var id: String
    package var email: String
    /// The hash of the asking browser's token.
    package var pendingHash: String
    package var codeHash: String
    package var channel: NotificationChannel
    /// A hash of the client's address, for the per-client limit.
    package var client: String
    package var createdAt: Date
    package var expiresAt: Date
    package var usedAt: Date?
    package var failedAttempts: Int

    /// Ten minutes to use a code; five wrong tries end it.
    package static let lifetime: TimeInterval = 10 * 60
    package static let maximumAttempts = 5
    /// At most this many codes an hour for one address, and for one client.
    package static let perAddressPerHour = 5
    package static let perClientPerHour = 20

    package init(
        id: String, email: String, pendingHash: String, codeHash: String, channel: NotificationChannel, client: String,
        createdAt: Date, expiresAt: Date, usedAt: Date? = nil, failedAttempts: Int = 0
    ) {
        self.id = id
        self.email = email
        self.pendingHash = pendingHash
        self.codeHash = codeHash
        self.channel = channel
        self.client = client
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.usedAt = usedAt
        self.failedAttempts = failedAttempts
    }
}

/// Why a code was not issued.
package enum CodeIssueRefusal: Error, Hashable {
    case tooManyForAddress
    case tooManyForClient
}

/// Where a report's handling stands, as the person who made it is told.
package struct PortalReportSummary: Sendable, Hashable {
    package var reportID: String
    package var forceID: ForceID
    package var reference: String
    package var serviceID: String
    package var status: CaseStatus
    package var outcome: CaseOutcome?
    package var createdAt: Date
    package var updatedAt: Date
    /// Messages from the force the person has not read.
    package var unread: Int

    package init(
        reportID: String, forceID: ForceID, reference: String, serviceID: String, status: CaseStatus, outcome: CaseOutcome?,
        createdAt: Date, updatedAt: Date, unread: Int
    ) {
        self.reportID = reportID
        self.forceID = forceID
        self.reference = reference
        self.serviceID = serviceID
        self.status = status
        self.outcome = outcome
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.unread = unread
    }
}

/// What the person who made a report may know of an event on its timeline. Written with the
/// event by whatever made it; rendered in the person's language. Internal notes, risk
/// assessments and duplicate decisions have none and are never shown.
package struct PublicUpdate: Codable, Sendable, Hashable {
    package enum Kind: String, Codable, Sendable {
        case submitted
        /// The force's records system has the report, under its own reference when given.
        case delivered
        /// An officer in charge was given the report.
        case assigned
        /// A status change in the back office.
        case status
        /// A status or reference from the records system.
        case records
        /// The force sent the person a message.
        case reply
    }

    package var kind: Kind
    package var status: CaseStatus?
    package var outcome: CaseOutcome?
    /// The force's own reference (crime or occurrence number).
    package var recordsReference: String?
    /// The records system's status, in its words.
    package var recordsStatus: String?

    package init(
        kind: Kind, status: CaseStatus? = nil, outcome: CaseOutcome? = nil, recordsReference: String? = nil, recordsStatus: String? = nil
    ) {
        self.kind = kind
        self.status = status
        self.outcome = outcome
        self.recordsReference = recordsReference
        self.recordsStatus = recordsStatus
    }

    /// Whether the person is told of it by email or text: an officer given the report, a change
    /// of status, a message, or a status from the records system. Not the submission (the
    /// confirmation says it) nor the records system's acknowledgement, which follows within
    /// moments: an email for each would only be noise.
    package var notifies: Bool {
        switch kind {
        case .submitted, .delivered: false
        case .assigned, .status, .reply: true
        case .records: recordsStatus != nil
        }
    }
}

/// An update on the person's timeline.
package struct PortalTimelineEntry: Sendable, Hashable {
    package var at: Date
    package var update: PublicUpdate

    package init(at: Date, update: PublicUpdate) {
        self.at = at
        self.update = update
    }
}

/// A message between the person who made a report and the force.
package struct PortalMessage: Sendable, Hashable, Codable {
    package enum Sender: String, Sendable, Codable {
        case person
        case staff
    }

    package enum Kind: String, Sendable, Codable {
        case message
        /// "Request an update": a prompt to the officer in charge.
        case updateRequest = "update-request"
    }

    package var id: String
    package var reportID: String
    package var forceID: ForceID
    package var sender: Sender
    /// The member of staff who wrote it, for staff messages.
    package var staffName: String?
    package var kind: Kind
    package var body: String
    package var createdAt: Date
    /// When the other side read it.
    package var readAt: Date?

    package init(
        id: String, reportID: String, forceID: ForceID, sender: Sender, staffName: String?, kind: Kind, body: String,
        createdAt: Date, readAt: Date?
    ) {
        self.id = id
        self.reportID = reportID
        self.forceID = forceID
        self.sender = sender
        self.staffName = staffName
        self.kind = kind
        self.body = body
        self.createdAt = createdAt
        self.readAt = readAt
    }

    /// The longest message either side may send.
    package static let maximumLength = 2000

    /// Why `text` cannot be sent as a message, or nil: empty, too long, or carrying markup (a
    /// tag or an HTML entity). Messages are plain text.
    package static func problem(_ text: String) -> MessageProblem? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return .empty }
        if trimmed.count > maximumLength { return .tooLong }
        if containsMarkup(trimmed) { return .markup }
        return nil
    }

    static func containsMarkup(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() where index + 1 < scalars.count {
            let next = scalars[index + 1]
            // `<b`, `</`, `<!`, `<?`: the start of a tag; `&amp;`, `&#60;`: an entity.
            if scalar == "<", CharacterSet.letters.contains(next) || "/!?".unicodeScalars.contains(next) { return true }
            if scalar == "&", let end = scalars[(index + 1)...].prefix(12).firstIndex(of: ";"), end > index + 1,
                scalars[(index + 1)..<end].allSatisfy({ CharacterSet.alphanumerics.contains($0) || $0 == "#" })
            {
                return true
            }
        }
        return false
    }
}

package enum MessageProblem: Error, Hashable {
    case empty
    case tooLong
    case markup
}

/// A report as the person who made it sees it in MyPolice.
package struct PortalReport: Sendable, Hashable {
    package var summary: PortalReportSummary
    package var answers: String
    package var serviceVersion: Int
    package var recordsReference: String?
    /// The officer in charge's name and collar number, when the force shows them.
    package var officerName: String?
    package var officerCollarNumber: String?
    /// Whether an officer is in charge (shown even when their name is not).
    package var hasOfficer: Bool
    package var timeline: [PortalTimelineEntry]
    package var messages: [PortalMessage]
    /// When the person last asked for an update, if they did.
    package var lastUpdateRequest: Date?

    package init(
        summary: PortalReportSummary, answers: String, serviceVersion: Int, recordsReference: String?, officerName: String?,
        officerCollarNumber: String?, hasOfficer: Bool, timeline: [PortalTimelineEntry], messages: [PortalMessage],
        lastUpdateRequest: Date?
    ) {
        self.summary = summary
        self.answers = answers
        self.serviceVersion = serviceVersion
        self.recordsReference = recordsReference
        self.officerName = officerName
        self.officerCollarNumber = officerCollarNumber
        self.hasOfficer = hasOfficer
        self.timeline = timeline
        self.messages = messages
        self.lastUpdateRequest = lastUpdateRequest
    }
}

/// Everything Peel holds about a person, as they download it.
package struct CitizenExport: Sendable, Codable {
    package struct ExportedReport: Sendable, Codable {
        package var reference: String
        package var force: String
        package var service: String
        package var submittedAt: Date
        package var status: String
        package var outcome: String?
        package var forceReference: String?
        package var contact: [String: String]
        /// The answers as given, by question id.
        package var answers: String
        package var timeline: [PublicUpdate]
        package var messages: [PortalMessage]

        package init(
            reference: String, force: String, service: String, submittedAt: Date, status: String, outcome: String?,
            forceReference: String?, contact: [String: String], answers: String, timeline: [PublicUpdate], messages: [PortalMessage]
        ) {
            self.reference = reference
            self.force = force
            self.service = service
            self.submittedAt = submittedAt
            self.status = status
            self.outcome = outcome
            self.forceReference = forceReference
            self.contact = contact
            self.answers = answers
            self.timeline = timeline
            self.messages = messages
        }
    }

    package struct ExportedNotification: Sendable, Codable {
        package var channel: String
        package var recipient: String
        package var template: String
        package var status: String
        package var createdAt: Date

        package init(channel: String, recipient: String, template: String, status: String, createdAt: Date) {
            self.channel = channel
            self.recipient = recipient
            self.template = template
            self.status = status
            self.createdAt = createdAt
        }
    }

    package var account: Citizen
    package var reports: [ExportedReport]
    package var notifications: [ExportedNotification]
    package var exportedAt: Date

    package init(account: Citizen, reports: [ExportedReport], notifications: [ExportedNotification], exportedAt: Date) {
        self.account = account
        self.reports = reports
        self.notifications = notifications
        self.exportedAt = exportedAt
    }
}

/// MyPolice accounts, sign-in codes and sessions.
package protocol CitizenRepository: Sendable {
    /// Stores a new code and enqueues the job that sends it, in one transaction, unless the
    /// address or the client has had too many codes in the last hour.
    func issue(_ code: SignInCode, sending job: NewJob) async throws -> Result<Void, CodeIssueRefusal>
    func code(pendingHash: String) async throws -> SignInCode?
    /// Counts a wrong try; returns the count.
    func recordFailedAttempt(codeID: String) async throws -> Int
    /// Marks the code used; false when it already was (two tabs, a replay).
    func use(codeID: String, at date: Date) async throws -> Bool
    /// The person with this verified address (created on first sign-in, language updated),
    /// whose reports made with the address become theirs; then a new session.
    func signIn(email: String, language: Language, sessionHash: String, at date: Date) async throws -> Citizen
    func session(idHash: String) async throws -> CitizenSession?
    func touchSession(idHash: String, at date: Date) async throws
    func deleteSession(idHash: String) async throws
    func deleteSessions(citizenID: String) async throws
    func find(id: String) async throws -> Citizen?
    func find(email: String) async throws -> Citizen?
    func update(_ citizen: Citizen) async throws
    /// The person whose report it is, once they verified its address.
    func owner(reportID: String, force: ForceID) async throws -> Citizen?
    /// Joins a report just submitted to a signed-in person whose verified address made it.
    func claim(reportID: String, force: ForceID, citizenID: String, email: String) async throws
}

/// Reports, timelines and messages as MyPolice shows them: every read names the person, so
/// that nobody reaches a report that is not theirs.
package protocol PortalRepository: Sendable {
    func reports(citizenID: String) async throws -> [PortalReportSummary]
    /// The report, if it is this person's (nil otherwise: unknown and not theirs look alike).
    func report(reference: String, force: ForceID, citizenID: String) async throws -> PortalReport?
    /// Marks the force's messages on the report read by the person.
    func markReadByPerson(reportID: String, citizenID: String, at date: Date) async throws
    /// The person's message (or update request) on their report, with a timeline event.
    func send(_ message: PortalMessage, citizenID: String) async throws
    /// The thread of a report for staff.
    func thread(reportID: String, force: ForceID) async throws -> [PortalMessage]
    func markReadByStaff(reportID: String, force: ForceID, at date: Date) async throws
    /// A member of staff's message to the person, with events on the timelines and the job that
    /// tells the person, in one transaction.
    func reply(reportID: String, force: ForceID, staff: StaffMember, body: String, at date: Date) async throws -> PortalMessage
    func export(citizenID: String, at date: Date) async throws -> CitizenExport?
}

extension JobKinds {
    /// Tells the person who made a report that it has a new update, or the officer in charge
    /// that the person asked for one.
    package static let portalUpdate = "portal.update"
}

/// The payload of a ``JobKinds/portalUpdate`` job.
package struct PortalUpdateJobPayload: Codable, Sendable, Hashable {
    package enum Audience: String, Codable, Sendable {
        case person
        case officer
    }

    package var report: String
    package var force: String
    /// The event (or message) it is about: part of each notification's reference, so that a
    /// retried job sends nothing twice.
    package var event: String
    package var audience: Audience

    package init(report: String, force: ForceID, event: String, audience: Audience) {
        self.report = report
        self.force = force.rawValue
        self.event = event
        self.audience = audience
    }

    /// The job, due at `date` on the worker's clock (the wall clock).
    package func job(at date: Date) throws -> NewJob {
        NewJob(
            kind: JobKinds.portalUpdate, payload: String(decoding: try JSONEncoder.sorted.encode(self), as: UTF8.self),
            forceID: ForceID(validating: force), runAt: date, maxAttempts: 8)
    }
}
