import Foundation
import PeelCore
import SQLKit

/// Forces in the `forces` table.
package struct SQLForceRepository: ForceRepository {
    package let db: any SQLDatabase

    package init(db: any SQLDatabase) { self.db = db }

    private static let columns =
        "id, name, welsh_name, kind, region, phone, text_number, website, brand_colour, onboarding, onboarded_at, national_access, portal_shows_officer"

    package func all() async throws -> [Force] {
        try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM forces ORDER BY name").all().map(Self.force)
    }

    package func find(_ id: ForceID) async throws -> Force? {
        try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM forces WHERE id = \(bind: id.rawValue)")
            .first().map(Self.force)
    }

    package func setOnboarding(_ id: ForceID, to model: OnboardingModel, at date: Date) async throws -> Force? {
        let onboardedAt: Int64? = model == .notOnboarded ? nil : date.millisecondsSince1970
        try await db.raw(
            """
            UPDATE forces SET onboarding = \(bind: model.rawValue), onboarded_at = \(bind: onboardedAt),
                updated_at = \(bind: date.millisecondsSince1970)
            WHERE id = \(bind: id.rawValue)
            """
        ).run()
        return try await find(id)
    }

    package func setNationalAccess(_ id: ForceID, granted: Bool, at date: Date) async throws {
        try await db.raw(
            """
            UPDATE forces SET national_access = \(bind: granted ? 1 : 0), updated_at = \(bind: date.millisecondsSince1970)
            WHERE id = \(bind: id.rawValue)
            """
        ).run()
    }

    package func setShowsOfficerInPortal(_ id: ForceID, shows: Bool, at date: Date) async throws {
        try await db.raw(
            """
            UPDATE forces SET portal_shows_officer = \(bind: shows ? 1 : 0), updated_at = \(bind: date.millisecondsSince1970)
            WHERE id = \(bind: id.rawValue)
            """
        ).run()
    }

    package func updateDetails(_ id: ForceID, contact: ForceContact, brandColour: String, at date: Date) async throws {
        try await db.raw(
            """
            UPDATE forces SET phone = \(bind: contact.phone), text_number = \(bind: contact.textNumber),
                website = \(bind: contact.website), brand_colour = \(bind: brandColour),
                updated_at = \(bind: date.millisecondsSince1970)
            WHERE id = \(bind: id.rawValue)
            """
        ).run()
    }

    /// Brings the stored registry in step with ``ForceRegistry``: inserts forces Peel has not seen
    /// and refreshes the defining facts of those it has (name, kind, region), keeping each
    /// force's onboarding state and the contact routes and brand its administrators set.
    package func sync(with definitions: [ForceDefinition], at date: Date) async throws {
        for definition in definitions {
            try await db.raw(
                """
                INSERT INTO forces (id, name, welsh_name, kind, region, phone, text_number, website, brand_colour,
                    onboarding, updated_at)
                VALUES (\(bind: definition.id.rawValue), \(bind: definition.name), \(bind: definition.welshName),
                    \(bind: definition.kind.rawValue), \(bind: definition.region.rawValue),
                    \(bind: definition.contact.phone), \(bind: definition.contact.textNumber),
                    \(bind: definition.contact.website), \(bind: definition.brandColour),
                    'not-onboarded', \(bind: date.millisecondsSince1970))
                ON CONFLICT (id) DO UPDATE SET
                    name = excluded.name, welsh_name = excluded.welsh_name, kind = excluded.kind,
                    region = excluded.region
                """
            ).run()
        }
    }

    private static func force(_ row: any SQLRow) throws -> Force {
        let idText = try row.decode(column: "id", as: String.self)
        guard let id = ForceID(validating: idText) else { throw StoreDataError("forces.id '\(idText)' is malformed") }
        func enumValue<E: RawRepresentable>(_ column: String, _: E.Type) throws -> E where E.RawValue == String {
            let raw = try row.decode(column: column, as: String.self)
            guard let value = E(rawValue: raw) else { throw StoreDataError("forces.\(column) '\(raw)' is unknown") }
            return value
        }
        let definition = ForceDefinition(
            id: id,
            name: try row.decode(column: "name", as: String.self),
            welshName: try row.decode(column: "welsh_name", as: String?.self),
            kind: try enumValue("kind", ForceKind.self),
            region: try enumValue("region", PoliceRegion.self),
            contact: ForceContact(
                phone: try row.decode(column: "phone", as: String?.self),
                textNumber: try row.decode(column: "text_number", as: String?.self),
                website: try row.decode(column: "website", as: String.self)),
            brandColour: try row.decode(column: "brand_colour", as: String.self))
        return Force(
            definition: definition,
            onboarding: try enumValue("onboarding", OnboardingModel.self),
            onboardedAt: try row.decode(column: "onboarded_at", as: Int64?.self).map(Date.init(millisecondsSince1970:)),
            grantsNationalAccess: try row.decode(column: "national_access", as: Int.self) == 1,
            showsOfficerInPortal: try row.decode(column: "portal_shows_officer", as: Int.self) == 1)
    }
}

/// A stored value Peel cannot read: a sign of a hand-edited or corrupted row.
package struct StoreDataError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}

/// A force's home-page words in `force_home_content`.
package struct SQLForceContentRepository: ForceContentRepository {
    package let db: any SQLDatabase

    package init(db: any SQLDatabase) { self.db = db }

    package func homeContent(for force: ForceID, language: Language) async throws -> ForceHomeContent? {
        guard
            let row = try await db.raw(
                """
                SELECT intro, updated_at FROM force_home_content
                WHERE force_id = \(bind: force.rawValue) AND language = \(bind: language.rawValue)
                """
            ).first()
        else { return nil }
        return ForceHomeContent(
            forceID: force, language: language,
            intro: try row.decode(column: "intro", as: String.self),
            updatedAt: Date(millisecondsSince1970: try row.decode(column: "updated_at", as: Int64.self)))
    }

    package func saveHomeContent(_ content: ForceHomeContent) async throws {
        try await db.raw(
            """
            INSERT INTO force_home_content (force_id, language, intro, updated_at)
            VALUES (\(bind: content.forceID.rawValue), \(bind: content.language.rawValue), \(bind: content.intro),
                \(bind: content.updatedAt.millisecondsSince1970))
            ON CONFLICT (force_id, language) DO UPDATE SET intro = excluded.intro, updated_at = excluded.updated_at
            """
        ).run()
    }
}

/// A force's service settings in `force_service_settings`.
package struct SQLForceServiceSettingsRepository: ForceServiceSettingsRepository {
    package let db: any SQLDatabase

    package init(db: any SQLDatabase) { self.db = db }

    package func settings(for force: ForceID) async throws -> [String: ForceServiceSetting] {
        let rows = try await db.raw(
            """
            SELECT service_id, enabled, title_en, title_cy, summary_en, summary_cy, page_wording FROM force_service_settings
            WHERE force_id = \(bind: force.rawValue)
            """
        ).all()
        var settings: [String: ForceServiceSetting] = [:]
        for row in rows {
            let service = try row.decode(column: "service_id", as: String.self)
            func texts(_ english: String, _ welsh: String) throws -> [Language: String] {
                var values: [Language: String] = [:]
                values[.english] = try row.decode(column: english, as: String?.self)
                values[.welsh] = try row.decode(column: welsh, as: String?.self)
                return values
            }
            settings[service] = ForceServiceSetting(
                forceID: force, serviceID: service, enabled: try row.decode(column: "enabled", as: Int.self) == 1,
                title: try texts("title_en", "title_cy"), summary: try texts("summary_en", "summary_cy"),
                pages: try row.decode(column: "page_wording", as: String?.self)
                    .flatMap { try? JSONDecoder().decode([String: PageWording].self, from: Data($0.utf8)) } ?? [:])
        }
        return settings
    }

    package func save(_ setting: ForceServiceSetting, at date: Date) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let pageWording = setting.pages.isEmpty ? nil : String(decoding: try encoder.encode(setting.pages), as: UTF8.self)
        try await db.raw(
            """
            INSERT INTO force_service_settings (force_id, service_id, enabled, title_en, title_cy, summary_en, summary_cy,
                page_wording, updated_at)
            VALUES (\(bind: setting.forceID.rawValue), \(bind: setting.serviceID), \(bind: setting.enabled ? 1 : 0),
                \(bind: setting.title[.english]), \(bind: setting.title[.welsh]), \(bind: setting.summary[.english]),
                \(bind: setting.summary[.welsh]), \(bind: pageWording), \(bind: date.millisecondsSince1970))
            ON CONFLICT (force_id, service_id) DO UPDATE SET enabled = excluded.enabled, title_en = excluded.title_en,
                title_cy = excluded.title_cy, summary_en = excluded.summary_en, summary_cy = excluded.summary_cy,
                page_wording = excluded.page_wording, updated_at = excluded.updated_at
            """
        ).run()
    }
}
