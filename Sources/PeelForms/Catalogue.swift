import Foundation
import PeelCore

/// The national catalogue: every service definition, validated together.
package struct ServiceCatalogue: Sendable {
    package let services: [ServiceDefinition]
    private let byID: [String: ServiceDefinition]

    package init(services: [ServiceDefinition]) {
        self.services = services.sorted { $0.id < $1.id }
        self.byID = Dictionary(services.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    package func service(_ id: String) -> ServiceDefinition? { byID[id] }

    /// The services a force on `model` offers, in catalogue order.
    package func offered(under model: OnboardingModel) -> [ServiceDefinition] {
        services.filter { $0.availability.isOffered(under: model) }
    }

    /// The catalogue bundled with Peel.
    package static func bundled() throws -> ServiceCatalogue {
        guard let directory = Bundle.module.url(forResource: "Catalogue", withExtension: nil) else {
            throw CatalogueLoadError(problems: [DefinitionProblem(file: "Catalogue", path: "", reason: "missing from the bundle")])
        }
        return try load(from: directory)
    }

    /// Loads and validates every `*.json` in `directory`; throws every problem found, not just the
    /// first.
    package static func load(from directory: URL) throws -> ServiceCatalogue {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        var definitions: [(String, ServiceDefinition)] = []
        var problems: [DefinitionProblem] = []
        for file in files {
            let data = try Data(contentsOf: directory.appendingPathComponent(file))
            switch DefinitionValidator.decode(data, file: file) {
            case .success(let definition): definitions.append((file, definition))
            case .failure(let problem): problems.append(problem)
            }
        }
        let known = Set(definitions.map(\.1.id))
        var seen: [String: String] = [:]
        for (file, definition) in definitions {
            if let other = seen[definition.id] {
                problems.append(DefinitionProblem(file: file, path: "id", reason: "'\(definition.id)' is also the id in \(other)"))
            }
            seen[definition.id] = file
            problems += DefinitionValidator.problems(in: definition, file: file, knownServices: known)
        }
        guard problems.isEmpty else { throw CatalogueLoadError(problems: problems) }
        return ServiceCatalogue(services: definitions.map(\.1))
    }
}

/// Every problem found in a catalogue.
package struct CatalogueLoadError: Error, CustomStringConvertible {
    package let problems: [DefinitionProblem]
    package var description: String {
        "\(problems.count) problem\(problems.count == 1 ? "" : "s") in the service definitions:\n"
            + problems.map { "  \($0)" }.joined(separator: "\n")
    }
}
