import Foundation

/// Where a report is in the force's handling of it.
package enum CaseStatus: String, Sendable, CaseIterable, Hashable, Codable {
    case new
    case triaged
    case assigned
    case underInvestigation = "under-investigation"
    case closed

    package var title: String {
        switch self {
        case .new: "New"
        case .triaged: "Triaged"
        case .assigned: "Assigned"
        case .underInvestigation: "Under investigation"
        case .closed: "Closed"
        }
    }

    /// The statuses a person may move a report to from this one. Assessment moves a new report
    /// to triaged and assignment moves it to assigned, each through their own action; closing
    /// needs an outcome, and a closed report can only be reopened.
    package var next: [CaseStatus] {
        switch self {
        case .new: [.closed]
        case .triaged: [.closed]
        case .assigned: [.underInvestigation, .closed]
        case .underInvestigation: [.closed]
        case .closed: [.triaged]
        }
    }

    /// Statuses the triage queue shows by default: everything not closed.
    package static let open: [CaseStatus] = [.new, .triaged, .assigned, .underInvestigation]
}

/// How a closed report ended.
package enum CaseOutcome: String, Sendable, CaseIterable, Hashable, Codable {
    case crimeRecorded = "crime-recorded"
    case incidentRecorded = "incident-recorded"
    case referredToPartner = "referred-to-partner"
    case adviceGiven = "advice-given"
    case noFurtherAction = "no-further-action"
    case duplicate

    package var title: String {
        switch self {
        case .crimeRecorded: "Crime recorded"
        case .incidentRecorded: "Incident recorded"
        case .referredToPartner: "Referred to a partner agency"
        case .adviceGiven: "Advice given"
        case .noFurtherAction: "No further action"
        case .duplicate: "Duplicate of another report"
        }
    }
}

/// The response grade a THRIVE assessment sets, in order of urgency.
package enum ResponseGrade: String, Sendable, CaseIterable, Hashable, Codable {
    case emergency
    case priority
    case scheduled
    case resolvedWithoutDeployment = "resolved-without-deployment"

    package var title: String {
        switch self {
        case .emergency: "Grade 1: emergency"
        case .priority: "Grade 2: priority"
        case .scheduled: "Grade 3: scheduled"
        case .resolvedWithoutDeployment: "Grade 4: resolved without deployment"
        }
    }

    /// The queue's sort key, most urgent first. A report nobody has assessed yet ranks after
    /// emergency and priority ones but before scheduled ones: someone has to look at it to know.
    package static func rank(_ grade: ResponseGrade?) -> Int {
        switch grade {
        case .emergency: 1
        case .priority: 2
        case nil: 3
        case .scheduled: 4
        case .resolvedWithoutDeployment: 5
        }
    }
}

/// A level of threat, harm or risk in a THRIVE assessment.
package enum ThriveLevel: String, Sendable, CaseIterable, Hashable, Codable {
    case high, medium, low
    package var title: String { rawValue.capitalized }
}

/// A THRIVE assessment (threat, harm, risk, investigation, vulnerability, engagement) and the
/// response grade it sets.
package struct ThriveAssessment: Sendable, Hashable, Codable {
    package var threat: ThriveLevel
    package var harm: ThriveLevel
    package var risk: ThriveLevel
    package var investigation: String
    package var vulnerability: String
    package var engagement: String
    package var grade: ResponseGrade

    package init(
        threat: ThriveLevel, harm: ThriveLevel, risk: ThriveLevel, investigation: String, vulnerability: String,
        engagement: String, grade: ResponseGrade
    ) {
        self.threat = threat
        self.harm = harm
        self.risk = risk
        self.investigation = investigation
        self.vulnerability = vulnerability
        self.engagement = engagement
        self.grade = grade
    }

    /// The most a free-text part may hold.
    package static let maximumTextLength = 2000
}

/// A report as the back office handles it: the report and where its handling stands.
package struct CaseSummary: Sendable, Hashable {
    package var report: Report
    package var status: CaseStatus
    package var grade: ResponseGrade?
    package var assignedTo: String?
    package var assignedName: String?
    package var outcome: CaseOutcome?
    package var updatedAt: Date
    /// Messages from the person who made the report that nobody who may answer has read.
    package var unreadMessages: Int

    package init(
        report: Report, status: CaseStatus, grade: ResponseGrade?, assignedTo: String?, assignedName: String?,
        outcome: CaseOutcome?, updatedAt: Date, unreadMessages: Int = 0
    ) {
        self.unreadMessages = unreadMessages
        self.report = report
        self.status = status
        self.grade = grade
        self.assignedTo = assignedTo
        self.assignedName = assignedName
        self.outcome = outcome
        self.updatedAt = updatedAt
    }
}

/// One thing that happened to a report, on its timeline.
package struct CaseEvent: Sendable, Hashable {
    package enum Kind: String, Sendable, Hashable {
        case submitted, assessed, assigned, status, note, delivered
        /// What the force's records system said: its status, officer in charge, outcome.
        case records
        /// Reports this one likely repeats, for a handler to judge.
        case possibleDuplicate = "possible-duplicate"
        /// A handler confirmed or rejected "duplicate of" (on both reports).
        case duplicateDecision = "duplicate-decision"
        /// The person who made the report wrote, or was written to, in MyPolice (the thread
        /// itself is kept apart; the timeline says only that it happened).
        case message
    }

    package var id: String
    package var reportID: String
    package var forceID: ForceID
    package var at: Date
    package var actorID: String?
    package var actorName: String?
    package var kind: Kind
    package var text: String
    /// What the person who made the report sees of it in MyPolice; nil: nothing.
    package var publicUpdate: PublicUpdate?

    package init(
        id: String, reportID: String, forceID: ForceID, at: Date, actorID: String?, actorName: String?, kind: Kind,
        text: String, publicUpdate: PublicUpdate? = nil
    ) {
        self.publicUpdate = publicUpdate
        self.id = id
        self.reportID = reportID
        self.forceID = forceID
        self.at = at
        self.actorID = actorID
        self.actorName = actorName
        self.kind = kind
        self.text = text
    }
}

/// The triage queue's filters. Every filter is optional; the queue is always one force's.
package struct CaseQuery: Sendable, Hashable {
    package var statuses: [CaseStatus] = CaseStatus.open
    package var serviceID: String?
    package var grade: ResponseGrade?
    /// Only reports assigned to this member of staff.
    package var assignedTo: String?
    package var unassignedOnly = false
    package var from: Date?
    package var to: Date?
    /// A reference, name, email, phone, postcode or vehicle registration.
    package var search: String?
    package var page = 1
    package static let pageSize = 25

    package init() {}
}

/// A page of the queue and how many reports match in all, counted up to ``countLimit``: a
/// queue of 70,000 open reports says "more than 1,000" rather than count them on every page.
package struct CasePage: Sendable, Hashable {
    package var cases: [CaseSummary]
    package var total: Int
    /// Whether more than ``countLimit`` match (and `total` is the limit).
    package var moreThanTotal: Bool

    package static let countLimit = 1000

    package init(cases: [CaseSummary], total: Int, moreThanTotal: Bool = false) {
        self.cases = cases
        self.total = total
        self.moreThanTotal = moreThanTotal
    }
}

/// A change to a report's handling, made with its timeline event and audit entry in one
/// transaction.
package enum CaseChange: Sendable, Hashable {
    case assess(ThriveAssessment)
    case assign(staffID: String, name: String)
    case status(CaseStatus, outcome: CaseOutcome?)
    case note(String)
}

/// Why a change was refused; nothing was written.
package enum CaseChangeError: Error, Hashable, CustomStringConvertible {
    case notFound
    case transitionNotAllowed(from: CaseStatus, to: CaseStatus)
    case outcomeRequired
    case closedReport

    package var description: String {
        switch self {
        case .notFound: "There is no such report in this force."
        case .transitionNotAllowed(let from, let to):
            "A report that is \(from.title.lowercased()) cannot be moved to \(to.title.lowercased())."
        case .outcomeRequired: "Choose an outcome to close the report."
        case .closedReport: "This report is closed. Reopen it first."
        }
    }
}

/// What a handler decided of a likely duplicate.
package enum DuplicateDecision: String, Sendable, CaseIterable, Hashable, Codable {
    case undecided
    /// The report is a duplicate of the candidate.
    case confirmed
    /// It is not.
    case rejected
}

/// An earlier report of the same force that a report likely repeats, as delivery found it, and
/// what a handler decided of it.
package struct DuplicateCandidate: Sendable, Hashable {
    package var reportID: String
    package var forceID: ForceID
    package var candidateID: String
    package var candidateReference: String
    /// 0 to 1; 0.6 or more makes a candidate.
    package var score: Double
    package var reasons: [String]
    package var decision: DuplicateDecision
    package var decidedBy: String?
    package var decidedByName: String?
    package var decidedAt: Date?

    package init(
        reportID: String, forceID: ForceID, candidateID: String, candidateReference: String, score: Double, reasons: [String],
        decision: DuplicateDecision = .undecided, decidedBy: String? = nil, decidedByName: String? = nil, decidedAt: Date? = nil
    ) {
        self.reportID = reportID
        self.forceID = forceID
        self.candidateID = candidateID
        self.candidateReference = candidateReference
        self.score = score
        self.reasons = reasons
        self.decision = decision
        self.decidedBy = decidedBy
        self.decidedByName = decidedByName
        self.decidedAt = decidedAt
    }
}

/// A report's duplicate links: the earlier reports it likely repeats, and the later reports
/// confirmed as duplicates of it.
package struct DuplicateLinks: Sendable, Hashable {
    package struct Later: Sendable, Hashable {
        package var reportID: String
        package var reference: String
        package init(reportID: String, reference: String) {
            self.reportID = reportID
            self.reference = reference
        }
    }

    package var candidates: [DuplicateCandidate]
    package var confirmedLater: [Later]

    package init(candidates: [DuplicateCandidate], confirmedLater: [Later]) {
        self.candidates = candidates
        self.confirmedLater = confirmedLater
    }
}

/// Why a duplicate decision was refused; nothing was written.
package enum DuplicateDecisionError: Error, Hashable, CustomStringConvertible {
    /// No such candidate of this report in this force.
    case notFound
    case alreadyDecided(DuplicateDecision, reference: String)
    /// Only confirmed or rejected can be chosen.
    case undecidedChosen

    package var description: String {
        switch self {
        case .notFound: "There is no such likely duplicate of this report in this force."
        case .alreadyDecided(let decision, let reference):
            decision == .confirmed
                ? "This report was already confirmed as a duplicate of \(reference)."
                : "This report was already judged not a duplicate of \(reference)."
        case .undecidedChosen: "Choose whether this is a duplicate or not."
        }
    }
}

/// The back office's view of reports: always scoped to one force.
package protocol CaseRepository: Sendable {
    func queue(force: ForceID, query: CaseQuery) async throws -> CasePage
    func find(reportID: String, force: ForceID) async throws -> CaseSummary?
    func thrive(reportID: String, force: ForceID) async throws -> ThriveAssessment?
    func events(reportID: String, force: ForceID) async throws -> [CaseEvent]
    /// Applies `change` by `actor`, with its timeline event and audit entry, in one transaction.
    func apply(_ change: CaseChange, reportID: String, force: ForceID, actor: StaffMember, at date: Date) async throws
        -> CaseSummary
    /// The report's likely duplicates (best first) and the later reports confirmed as its duplicates.
    func duplicates(reportID: String, force: ForceID) async throws -> DuplicateLinks
    /// Records `actor`'s decision that the report is (or is not) a duplicate of the candidate, once,
    /// with a timeline event on both reports and an audit entry, in one transaction.
    func decideDuplicate(
        reportID: String, candidateID: String, force: ForceID, decision: DuplicateDecision, actor: StaffMember, at date: Date
    ) async throws -> DuplicateCandidate
}

/// One entry of the append-only audit log. `hash` covers every field and the previous entry's
/// hash, so an edited or removed entry breaks the chain from there on.
package struct AuditEntry: Sendable, Hashable, Codable {
    package var sequence: Int64
    package var at: Date
    package var forceID: ForceID?
    package var actorID: String?
    package var action: String
    package var subject: String
    package var detail: String
    package var previousHash: String
    package var hash: String

    package init(
        sequence: Int64, at: Date, forceID: ForceID?, actorID: String?, action: String, subject: String, detail: String,
        previousHash: String, hash: String
    ) {
        self.sequence = sequence
        self.at = at
        self.forceID = forceID
        self.actorID = actorID
        self.action = action
        self.subject = subject
        self.detail = detail
        self.previousHash = previousHash
        self.hash = hash
    }
}

/// An audit entry before it is chained.
package struct AuditRecord: Sendable, Hashable {
    package var forceID: ForceID?
    package var actorID: String?
    package var action: String
    package var subject: String
    package var detail: String

    package init(forceID: ForceID?, actorID: String?, action: String, subject: String, detail: String = "") {
        self.forceID = forceID
        self.actorID = actorID
        self.action = action
        self.subject = subject
        self.detail = detail
    }
}

/// What `peel audit verify` found.
package enum AuditVerification: Sendable, Hashable {
    /// Every entry follows the one before; `headHash` is the newest entry's hash, to compare
    /// with one recorded earlier (removing the newest entries leaves a shorter, whole chain).
    case intact(entries: Int, headHash: String)
    /// The first entry whose hash does not match, or after which one is missing.
    case broken(atSequence: Int64, reason: String)
}

package protocol AuditLog: Sendable {
    func append(_ record: AuditRecord, at date: Date) async throws
    func entries(subject: String, force: ForceID) async throws -> [AuditEntry]
    func entries(force: ForceID, limit: Int) async throws -> [AuditEntry]
    func verify() async throws -> AuditVerification
}
