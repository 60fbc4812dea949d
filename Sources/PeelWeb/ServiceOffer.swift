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
    let settings: any ForceServiceSettingsRepository

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

    private func apply(_ setting: ForceServiceSetting?, to definition: ServiceDefinition) -> OfferedService? {
        guard setting?.enabled ?? true else { return nil }
        func text(_ base: LocalisedText, _ override: [Language: String]?) -> LocalisedText {
            LocalisedText(
                en: override?[.english]?.nilIfEmpty ?? base.en, cy: override?[.welsh]?.nilIfEmpty ?? base.cy)
        }
        return OfferedService(
            definition: definition, title: text(definition.title, setting?.title),
            summary: text(definition.summary, setting?.summary))
    }
}
