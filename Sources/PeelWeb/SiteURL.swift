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
