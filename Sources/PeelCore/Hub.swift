import Foundation

/// How a force's reports reach its records system.
package enum HubAdapter: String, Sendable, Hashable, CaseIterable, Codable {
    /// Peel's standard records-system API: a signed POST per report.
    case standardAPI = "standard-api"
    /// A JSON document per report written into a folder, for batch import by legacy systems.
    case fileDrop = "file-drop"
    /// An email to a force mailbox: the last resort.
    case email
}

/// A force's records-system connection, as its administrators configured it.
package struct HubEndpoint: Sendable, Hashable {
    package var forceID: ForceID
    package var adapter: HubAdapter
    /// The standard API's address.
    package var url: String?
    /// The shared secret that signs both ways, sealed with the node's key.
    package var sealedSecret: String?
    /// The file-drop folder.
    package var directory: String?
    /// The force mailbox.
    package var email: String?
    /// When the shared secret was last set: the back office says a secret is set and when, never what.
    package var secretSetAt: Date?
    /// When the connection was last saved (set by the store when it reads the connection).
    package var updatedAt: Date?

    package init(
        forceID: ForceID, adapter: HubAdapter, url: String? = nil, sealedSecret: String? = nil, directory: String? = nil,
        email: String? = nil, secretSetAt: Date? = nil, updatedAt: Date? = nil
    ) {
        self.forceID = forceID
        self.adapter = adapter
        self.url = url
        self.sealedSecret = sealedSecret
        self.directory = directory
        self.email = email
        self.secretSetAt = secretSetAt
        self.updatedAt = updatedAt
    }
}

/// Records-system connections, and what comes back from them.
package protocol HubRepository: Sendable {
    func endpoint(for force: ForceID) async throws -> HubEndpoint?
    /// What a delivery of the report needs, read at once: the report, its risk assessment and the
    /// force's connection (nil: the demo records system).
    func delivery(reportID: String, force: ForceID) async throws -> DeliveryInput?
    func save(_ endpoint: HubEndpoint, at date: Date) async throws
    /// Takes the force's connection away: its reports go to the demo records system.
    func removeEndpoint(for force: ForceID) async throws
    /// Records that the records system has the report, under its own reference when it gave one,
    /// with an event on the report's timeline.
    func recordDelivery(reportID: String, force: ForceID, recordsReference: String?, at date: Date) async throws
    /// Applies what a records system said about a report, in the order it numbered its messages.
    func apply(_ callback: RecordsCallback, force: ForceID, at date: Date) async throws -> CallbackOutcome
    /// The force's deliveries: how many wait, the oldest undelivered report, recent failures.
    func deliveryState(force: ForceID, now: Date) async throws -> DeliveryState
    /// Sends the force's dead deliveries (all, or those named) back to the queue, each with a
    /// fresh allowance of attempts. Returns how many.
    func replayDeadLetters(force: ForceID, jobs: [String]?, now: Date) async throws -> Int
    /// Stores the report's likely duplicates (of the same force, found by reference), undecided,
    /// with `note` on its timeline, for a handler to confirm or reject. Once per report: a
    /// delivery that runs again stores nothing twice.
    func recordDuplicates(reportID: String, force: ForceID, candidates: [FoundDuplicate], note: String, at date: Date) async throws
}

/// A likely duplicate as delivery found it: an earlier report of the force, how alike, and why.
package struct FoundDuplicate: Sendable, Hashable {
    package var reference: String
    package var score: Double
    package var reasons: [String]

    package init(reference: String, score: Double, reasons: [String]) {
        self.reference = reference
        self.score = score
        self.reasons = reasons
    }
}

/// What delivering a report starts from.
package struct DeliveryInput: Sendable {
    package var report: Report
    package var risk: ThriveAssessment?
    package var endpoint: HubEndpoint?

    package init(report: Report, risk: ThriveAssessment?, endpoint: HubEndpoint?) {
        self.report = report
        self.risk = risk
        self.endpoint = endpoint
    }
}

/// What the back office shows of a force's deliveries to its records system.
package struct DeliveryState: Sendable, Hashable {
    package struct Failure: Sendable, Hashable {
        package var jobID: String
        package var reference: String
        package var state: String
        package var attempts: Int
        package var error: String
        package var nextTry: Date?
        package var updatedAt: Date

        package init(jobID: String, reference: String, state: String, attempts: Int, error: String, nextTry: Date?, updatedAt: Date) {
            self.jobID = jobID
            self.reference = reference
            self.state = state
            self.attempts = attempts
            self.error = error
            self.nextTry = nextTry
            self.updatedAt = updatedAt
        }
    }

    /// Deliveries waiting (due now or retrying later) or running.
    package var waiting: Int
    package var dead: Int
    /// Age of the oldest report not yet delivered, in seconds.
    package var oldestUndeliveredSeconds: Double?
    package var failures: [Failure]

    package init(waiting: Int, dead: Int, oldestUndeliveredSeconds: Double?, failures: [Failure]) {
        self.waiting = waiting
        self.dead = dead
        self.oldestUndeliveredSeconds = oldestUndeliveredSeconds
        self.failures = failures
    }
}

/// A records system's message about a report: its own reference, a change of status, the
/// officer in charge, the outcome. `sequence` numbers the system's messages about one report,
/// so that one overtaken by a later one is refused rather than applied out of order.
package struct RecordsCallback: Codable, Sendable, Hashable {
    package var peelReference: String
    package var sequence: Int
    package var recordsReference: String?
    package var status: String?
    package var officer: String?
    package var outcome: String?

    package init(
        peelReference: String, sequence: Int, recordsReference: String? = nil, status: String? = nil, officer: String? = nil,
        outcome: String? = nil
    ) {
        self.peelReference = peelReference
        self.sequence = sequence
        self.recordsReference = recordsReference
        self.status = status
        self.officer = officer
        self.outcome = outcome
    }

    /// What is wrong with it, or nil: a sequence of 1 or more, and each text one line of 200
    /// characters or fewer.
    package var problem: String? {
        if sequence < 1 { return "sequence must be 1 or more" }
        for (name, value) in [("recordsReference", recordsReference), ("status", status), ("officer", officer), ("outcome", outcome)] {
            guard let value else { continue }
            if value.isEmpty || value.count > 200 || value.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) {
                return "\(name) must be one line of 1 to 200 characters"
            }
        }
        if recordsReference == nil, status == nil, officer == nil, outcome == nil { return "the callback says nothing" }
        return nil
    }
}

package enum CallbackOutcome: Sendable, Hashable {
    case applied
    case unknownReference
    /// A message numbered at or below one already applied.
    case outOfOrder(lastApplied: Int)
}

/// A delivery the records system refused for good (a 4xx other than 408 and 429): retrying will
/// not help, so the job goes straight to the dead letters with the answer kept.
package struct PermanentDeliveryFailure: Error, CustomStringConvertible, PermanentJobFailure {
    package let status: Int
    package let body: String
    package init(status: Int, body: String) {
        self.status = status
        self.body = body
    }
    package var description: String { "the records system refused the report (HTTP \(status)): \(body.prefix(500))" }
}

/// A delivery that may succeed later (a timeout, 408, 429, a 5xx, an answer Peel cannot read).
package struct RetryableDeliveryFailure: Error, CustomStringConvertible {
    package let reason: String
    package init(_ reason: String) { self.reason = reason }
    package var description: String { reason }
}
