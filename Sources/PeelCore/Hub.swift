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

    package init(
        forceID: ForceID, adapter: HubAdapter, url: String? = nil, sealedSecret: String? = nil, directory: String? = nil,
        email: String? = nil
    ) {
        self.forceID = forceID
        self.adapter = adapter
        self.url = url
        self.sealedSecret = sealedSecret
        self.directory = directory
        self.email = email
    }
}

/// Records-system connections, and what comes back from them.
package protocol HubRepository: Sendable {
    func endpoint(for force: ForceID) async throws -> HubEndpoint?
    func save(_ endpoint: HubEndpoint, at date: Date) async throws
    /// Records that the records system has the report, under its own reference when it gave one,
    /// with an event on the report's timeline.
    func recordDelivery(reportID: String, force: ForceID, recordsReference: String?, at date: Date) async throws
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
