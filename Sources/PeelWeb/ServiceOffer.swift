import PeelCore
import PeelForms

/// A national service as one force offers it: the definition, with the force's own wording
/// where it has set some.
struct OfferedService: Sendable {
    let definition: ServiceDefinition
    let title: LocalisedText
    let summary: LocalisedText
}

/// Which services a force offers: those its onboarding model includes, less any it has turned
/// off, with its wording overrides applied.
struct ServiceOffer: Sendable {
    let catalogue: ServiceCatalogue
    let settings: SettingsCache

    init(catalogue: ServiceCatalogue, settings: any ForceServiceSettingsRepository) {
        self.catalogue = catalogue
        self.settings = SettingsCache(repository: settings)
    }

    func offered(by force: Force) async throws -> [OfferedService] {
        let chosen = try await settings.settings(for: force.id)
        return catalogue.offered(under: force.onboarding).compactMap { apply(chosen[$0.id], to: $0) }
    }

    func find(_ id: String, offeredBy force: Force) async throws -> OfferedService? {
        guard let definition = catalogue.service(id), definition.availability.isOffered(under: force.onboarding) else {
            return nil
        }
        return apply(try await settings.settings(for: force.id)[id], to: definition)
    }

    /// Whether each catalogue service is offered by `force`, for the services API.
    func enabled(for force: Force) async throws -> [String: Bool] {
        let offered = Set(try await offered(by: force).map(\.definition.id))
        return Dictionary(uniqueKeysWithValues: catalogue.services.map { ($0.id, offered.contains($0.id)) })
    }

    /// The definition with a force's wording of its pages. A page's title replaces its only
    /// question's label where the page has no title of its own.
    static func worded(_ definition: ServiceDefinition, _ pages: [String: PageWording]) -> ServiceDefinition {
        guard !pages.isEmpty else { return definition }
        var worded = definition
        for index in worded.pages.indices {
            guard let wording = pages[worded.pages[index].id] else { continue }
            if let en = wording.titleEN, let cy = wording.titleCY {
                if worded.pages[index].title == nil, worded.pages[index].questions.count == 1 {
                    worded.pages[index].questions[0].label = LocalisedText(en: en, cy: cy)
                } else {
                    worded.pages[index].title = LocalisedText(en: en, cy: cy)
                }
            }
            if let en = wording.bodyEN, let cy = wording.bodyCY { worded.pages[index].body = LocalisedText(en: en, cy: cy) }
        }
        return worded
    }

    private func apply(_ setting: ForceServiceSetting?, to definition: ServiceDefinition) -> OfferedService? {
        guard setting?.enabled ?? true else { return nil }
        func text(_ base: LocalisedText, _ override: [Language: String]?) -> LocalisedText {
            LocalisedText(
                en: override?[.english]?.nilIfEmpty ?? base.en, cy: override?[.welsh]?.nilIfEmpty ?? base.cy)
        }
        return OfferedService(
            definition: ServiceOffer.worded(definition, setting?.pages ?? [:]), title: text(definition.title, setting?.title),
            summary: text(definition.summary, setting?.summary))
    }
}
