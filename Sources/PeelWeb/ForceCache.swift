import Foundation
import PeelCore
import Synchronization

/// Forces as every page of a force's site reads them: from the store at most every few seconds.
/// A force's row changes rarely (its administrators' details, the national team's onboarding);
/// a change made through this node is seen at once, one made on another node or by `peel`
/// within ``lifetime``, as with ``SettingsCache``.
package final class CachedForceRepository: ForceRepository {
    package static let lifetime: Duration = SettingsCache.lifetime
    private let inner: any ForceRepository
    private let lifetime: Duration
    private let clock = ContinuousClock()
    private let entries = Mutex<[ForceID: (read: ContinuousClock.Instant, force: Force?)]>([:])

    package init(_ inner: any ForceRepository, lifetime: Duration = CachedForceRepository.lifetime) {
        self.inner = inner
        self.lifetime = lifetime
    }

    package func find(_ id: ForceID) async throws -> Force? {
        let now = clock.now
        if let entry = entries.withLock({ $0[id] }), now - entry.read < lifetime { return entry.force }
        let force = try await inner.find(id)
        // Only known ids are kept: an address naming no force is not a way to fill the cache.
        entries.withLock { $0[id] = force.map { (now, $0) } }
        return force
    }

    package func all() async throws -> [Force] { try await inner.all() }

    package func setOnboarding(_ id: ForceID, to model: OnboardingModel, at date: Date) async throws -> Force? {
        defer { forget(id) }
        return try await inner.setOnboarding(id, to: model, at: date)
    }

    package func updateDetails(_ id: ForceID, contact: ForceContact, brandColour: String, at date: Date) async throws {
        defer { forget(id) }
        try await inner.updateDetails(id, contact: contact, brandColour: brandColour, at: date)
    }

    package func setNationalAccess(_ id: ForceID, granted: Bool, at date: Date) async throws {
        defer { forget(id) }
        try await inner.setNationalAccess(id, granted: granted, at: date)
    }

    package func setShowsOfficerInPortal(_ id: ForceID, shows: Bool, at date: Date) async throws {
        defer { forget(id) }
        try await inner.setShowsOfficerInPortal(id, shows: shows, at: date)
    }

    private func forget(_ id: ForceID) {
        _ = entries.withLock { $0.removeValue(forKey: id) }
    }
}
