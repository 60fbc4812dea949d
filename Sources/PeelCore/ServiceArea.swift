/// The areas of the national catalogue a force offers, by onboarding model. The services behind
/// each area, and the force's choice among them, come with the service catalogue.
package enum ServiceArea: String, Sendable, CaseIterable {
    case reportCrime = "report-crime"
    case reportIncident = "report-incident"
    case reportRoadTraffic = "report-road-traffic"
    case reportAntisocialBehaviour = "report-asb"
    case lostAndFound = "lost-found"
    case reportFraud = "report-fraud"
    case firearms
    case myPolice = "my-police"
    case crimeData = "crime-data"
    case requestInformation = "request-information"
    case notifyUs = "notify-us"
    case feedback

    /// Whether a force on `model` offers this area.
    package func isOffered(under model: OnboardingModel) -> Bool {
        switch model {
        case .notOnboarded: false
        case .full: true
        case .core:
            switch self {
            case .reportCrime, .reportIncident, .reportRoadTraffic, .reportAntisocialBehaviour, .lostAndFound,
                .reportFraud, .feedback:
                true
            case .firearms, .myPolice, .crimeData, .requestInformation, .notifyUs:
                false
            }
        }
    }

    package static func offered(under model: OnboardingModel) -> [ServiceArea] {
        allCases.filter { $0.isOffered(under: model) }
    }
}
