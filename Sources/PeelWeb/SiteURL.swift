import Hummingbird
import PeelCore

/// Every public address Peel serves. Routes are registered from these patterns and pages link
/// with ``path``, so renaming a route changes both.
package enum SiteURL: Sendable, Hashable {
    case landing
    case accessibility
    case privacy
    case cookies
    case stylesheet
    case forceHome(ForceID)
    case forceStylesheet(ForceID)
    case healthLive
    case healthReady
    case metrics
    case servicesList(ForceID)
    case serviceStart(ForceID, String)
    case journeyPage(ForceID, String, String)
    case journeyCheckAnswers(ForceID, String)
    case journeyConfirmation(ForceID, String)
    case journeySave(ForceID, String)
    case journeyResume(ForceID, String)
    case servicesAPI
    case mailbox
    case mailboxJSON
    case questionGallery

    /// The name of the path parameter that holds a force id.
    package static let forceParameter = "force"

    /// The path to link to.
    package var path: String {
        switch self {
        case .landing: "/"
        case .accessibility: "/accessibility"
        case .privacy: "/privacy"
        case .cookies: "/cookies"
        case .stylesheet: "/assets/peel.css"
        case .forceHome(let id): "/\(id)\(ForceRoute.homePath)"
        case .forceStylesheet(let id): "/\(id)\(ForceRoute.stylesheetPath)"
        case .healthLive: "/health/live"
        case .healthReady: "/health/ready"
        case .metrics: "/metrics"
        case .servicesList(let id): "/\(id)/services"
        case .serviceStart(let id, let service): "/\(id)/services/\(service)"
        case .journeyPage(let id, let service, let page): "/\(id)/services/\(service)/\(page)"
        case .journeyCheckAnswers(let id, let service): "/\(id)/services/\(service)/check-answers"
        case .journeyConfirmation(let id, let service): "/\(id)/services/\(service)/confirmation"
        case .journeySave(let id, let service): "/\(id)/services/\(service)/save"
        case .journeyResume(let id, let service): "/\(id)/services/\(service)/resume"
        case .servicesAPI: "/api/v1/services"
        case .mailbox: "/_dev/mailbox"
        case .mailboxJSON: "/_dev/mailbox.json"
        case .questionGallery: "/_dev/question-types"
        }
    }

    /// Route patterns for pages inside a force's site, relative to the force's group.
    package enum ForceRoute {
        static let homePath = "/"
        static let stylesheetPath = "/brand.css"
        package static let home = RouterPath(homePath)
        package static let stylesheet = RouterPath(stylesheetPath)
    }

    /// The route pattern of a force's group.
    package static let forceGroup = RouterPath("/:\(forceParameter)")
}
