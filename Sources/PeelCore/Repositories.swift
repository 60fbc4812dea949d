import Foundation

/// The registry of forces as stored: definitions kept in step with ``ForceRegistry`` and each
/// force's onboarding state.
package protocol ForceRepository: Sendable {
    func all() async throws -> [Force]
    func find(_ id: ForceID) async throws -> Force?
    /// Sets a force's onboarding model; returns the updated force, or `nil` for an unknown id.
    func setOnboarding(_ id: ForceID, to model: OnboardingModel, at date: Date) async throws -> Force?
    /// Sets the contact routes and brand colour the force's administrators chose.
    func updateDetails(_ id: ForceID, contact: ForceContact, brandColour: String, at date: Date) async throws
    /// Lets the national team read the force's reports, or stops it.
    func setNationalAccess(_ id: ForceID, granted: Bool, at date: Date) async throws
    func setShowsOfficerInPortal(_ id: ForceID, shows: Bool, at date: Date) async throws
}

/// A force's own words on its home page, per language. Force-owned: every call names the force.
package struct ForceHomeContent: Sendable, Hashable {
    package var forceID: ForceID
    package var language: Language
    package var intro: String
    package var updatedAt: Date

    package init(forceID: ForceID, language: Language, intro: String, updatedAt: Date) {
        self.forceID = forceID
        self.language = language
        self.intro = intro
        self.updatedAt = updatedAt
    }
}

package protocol ForceContentRepository: Sendable {
    func homeContent(for force: ForceID, language: Language) async throws -> ForceHomeContent?
    func saveHomeContent(_ content: ForceHomeContent) async throws
}

/// Whether the store can answer; used by readiness checks.
package protocol HealthCheckable: Sendable {
    func ping() async throws
}

/// A force's choices about one national service: whether it offers it (within its model) and
/// its own wording for the title and summary. Force-owned.
package struct ForceServiceSetting: Sendable, Hashable {
    package var forceID: ForceID
    package var serviceID: String
    package var enabled: Bool
    package var title: [Language: String]
    package var summary: [Language: String]
    /// The force's own wording of individual pages, by page id.
    package var pages: [String: PageWording]

    package init(
        forceID: ForceID, serviceID: String, enabled: Bool = true, title: [Language: String] = [:],
        summary: [Language: String] = [:], pages: [String: PageWording] = [:]
    ) {
        self.forceID = forceID
        self.serviceID = serviceID
        self.enabled = enabled
        self.title = title
        self.summary = summary
        self.pages = pages
    }
}

/// A force's wording of one page of a service: its title (or only question's label) and its
/// body text, each in English and Welsh together or not at all.
package struct PageWording: Codable, Sendable, Hashable {
    package var titleEN: String?
    package var titleCY: String?
    package var bodyEN: String?
    package var bodyCY: String?

    package init(titleEN: String? = nil, titleCY: String? = nil, bodyEN: String? = nil, bodyCY: String? = nil) {
        self.titleEN = titleEN
        self.titleCY = titleCY
        self.bodyEN = bodyEN
        self.bodyCY = bodyCY
    }

    package var isEmpty: Bool { titleEN == nil && titleCY == nil && bodyEN == nil && bodyCY == nil }
}

package protocol ForceServiceSettingsRepository: Sendable {
    /// Every setting the force has made, by service id.
    func settings(for force: ForceID) async throws -> [String: ForceServiceSetting]
    func save(_ setting: ForceServiceSetting, at date: Date) async throws
}
