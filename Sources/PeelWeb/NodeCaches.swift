import Foundation
import PeelCore
import Synchronization

/// Values every page of a force's site needs and that change rarely, read from the store at most
/// once per ``lifetime`` per key on this node. A change made on another node, or by `peel`, shows
/// within the lifetime; one made through this node is forgotten at once by whoever makes it.
final class LifetimeCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    static var defaultLifetime: Duration { .seconds(5) }
    private let lifetime: Duration
    private let entries = Mutex<[Key: (read: ContinuousClock.Instant, value: Value)]>([:])

    init(lifetime: Duration) { self.lifetime = lifetime }

    /// The kept value, or the one `load` reads now. A `nil` from `load` is not kept, so that
    /// asking for unknown keys does not fill the cache.
    func value(for key: Key, load: () async throws -> Value?) async rethrows -> Value? {
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[key] }), now - entry.read < lifetime { return entry.value }
        guard let fresh = try await load() else { return nil }
        entries.withLock { $0[key] = (now, fresh) }
        return fresh
    }

    func forget(_ key: Key) {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }
}

/// A force's service settings, for every page of its site.
package final class SettingsCache: Sendable {
    package static let lifetime = LifetimeCache<ForceID, [String: ForceServiceSetting]>.defaultLifetime
    private let repository: any ForceServiceSettingsRepository
    private let cache: LifetimeCache<ForceID, [String: ForceServiceSetting]>

    package init(repository: any ForceServiceSettingsRepository, lifetime: Duration = SettingsCache.lifetime) {
        self.repository = repository
        self.cache = LifetimeCache(lifetime: lifetime)
    }

    package func settings(for force: ForceID) async throws -> [String: ForceServiceSetting] {
        try await cache.value(for: force) { try await repository.settings(for: force) } ?? [:]
    }
}

/// Forces, for every page of a force's site: a force's row changes rarely (its administrators'
/// details, the national team's onboarding). Changes made through this repository are seen at
/// once.
package final class CachedForceRepository: ForceRepository {
    package static let lifetime = LifetimeCache<ForceID, Force>.defaultLifetime
    private let inner: any ForceRepository
    private let cache: LifetimeCache<ForceID, Force>

    package init(_ inner: any ForceRepository, lifetime: Duration = CachedForceRepository.lifetime) {
        self.inner = inner
        self.cache = LifetimeCache(lifetime: lifetime)
    }

    package func find(_ id: ForceID) async throws -> Force? {
        try await cache.value(for: id) { try await inner.find(id) }
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

    private func forget(_ id: ForceID) { cache.forget(id) }
}
