import Foundation

/// The police regions of England and Wales, used to group forces on the national landing page.
package enum PoliceRegion: String, Sendable, CaseIterable, Codable {
    case northEast = "north-east"
    case northWest = "north-west"
    case yorkshireAndTheHumber = "yorkshire-and-the-humber"
    case eastMidlands = "east-midlands"
    case westMidlands = "west-midlands"
    case eastOfEngland = "east-of-england"
    case london
    case southEast = "south-east"
    case southWest = "south-west"
    case wales
    case national
}

/// What kind of body a force is.
package enum ForceKind: String, Sendable, Codable {
    /// One of the 43 territorial forces of England and Wales.
    case territorial
    /// A national special police force (British Transport Police).
    case national
    /// An auxiliary body such as the Ministry of Defence Police.
    case auxiliary
}

/// How much of the national service a force has taken on.
package enum OnboardingModel: String, Sendable, Codable, CaseIterable {
    /// Not on Peel yet: the public are signposted to the force's own channels.
    case notOnboarded = "not-onboarded"
    /// The core national services with national wording.
    case core
    /// The full catalogue, with the force's own content.
    case full
}

/// How the public reach a force when it is not an emergency.
package struct ForceContact: Sendable, Hashable, Codable {
    /// Non-emergency telephone number, as dialled (`101`); `nil` where the body publishes none.
    package var phone: String?
    /// A text-message number, where the force has one (British Transport Police: 61016).
    package var textNumber: String?
    /// The force's own website.
    package var website: String

    package init(phone: String?, textNumber: String? = nil, website: String) {
        self.phone = phone
        self.textNumber = textNumber
        self.website = website
    }
}

/// A force or policing body as the registry defines it: the facts that do not change with
/// onboarding.
package struct ForceDefinition: Sendable, Hashable {
    package var id: ForceID
    package var name: String
    /// The force's Welsh name, where it has one (the Welsh forces and British Transport Police).
    package var welshName: String?
    package var kind: ForceKind
    package var region: PoliceRegion
    package var contact: ForceContact
    /// Brand colour as `#rrggbb`; used for the header stripe, always with white text.
    package var brandColour: String

    package init(
        id: ForceID, name: String, welshName: String? = nil, kind: ForceKind = .territorial,
        region: PoliceRegion, contact: ForceContact, brandColour: String
    ) {
        self.id = id
        self.name = name
        self.welshName = welshName
        self.kind = kind
        self.region = region
        self.contact = contact
        self.brandColour = brandColour
    }
}

/// A force as Peel holds it: its definition and its onboarding state.
package struct Force: Sendable, Hashable, Identifiable {
    package var definition: ForceDefinition
    package var onboarding: OnboardingModel
    package var onboardedAt: Date?
    /// Whether the force lets the national team read its reports.
    package var grantsNationalAccess: Bool
    /// Whether MyPolice tells the person who made a report the officer in charge's name and
    /// collar number (otherwise only that an officer is dealing with it).
    package var showsOfficerInPortal: Bool

    package init(
        definition: ForceDefinition, onboarding: OnboardingModel, onboardedAt: Date? = nil, grantsNationalAccess: Bool = false,
        showsOfficerInPortal: Bool = true
    ) {
        self.showsOfficerInPortal = showsOfficerInPortal
        self.definition = definition
        self.onboarding = onboarding
        self.onboardedAt = onboardedAt
        self.grantsNationalAccess = grantsNationalAccess
    }

    package var id: ForceID { definition.id }
    package var name: String { definition.name }

    /// The name to show in `language`: the Welsh name where the force has one, otherwise the
    /// English name.
    package func name(in language: Language) -> String {
        switch language {
        case .english: definition.name
        case .welsh: definition.welshName ?? definition.name
        }
    }
}
