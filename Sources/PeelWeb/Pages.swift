import Foundation
import Hummingbird
import PeelCore
import PeelForms

/// What every page's layout shows: language, header, language toggle, footer and all strings.
struct Layout: Sendable {
    struct LanguageOption: Sendable {
        let name: String
        let code: String
        let href: String
        let current: Bool
    }

    struct Link: Sendable {
        let text: String
        let href: String
    }

    let lang: String
    let t: [String: String]
    let headerName: String
    let headerHref: String
    let onForceSite: Bool
    let brandStylesheet: String?
    let stylesheet: String
    let languages: [LanguageOption]
    let footerLinks: [Link]
    /// For every form's hidden `csrf_token` field.
    let csrfToken: String
    var title: String

    init(language: Language, request: Request, catalogue: Catalogue, force: Force?, csrfToken: String) {
        self.lang = language.rawValue
        self.csrfToken = csrfToken
        self.t = catalogue.table(for: language)
        let serviceName = catalogue.text("serviceName", language)
        if let force {
            headerName = force.name(in: language)
            headerHref = SiteURL.forceHome(force.id).path
            brandStylesheet = SiteURL.forceStylesheet(force.id).path
        } else {
            headerName = serviceName
            headerHref = SiteURL.landing.path
            brandStylesheet = nil
        }
        onForceSite = force != nil
        stylesheet = SiteURL.stylesheet.path
        title = headerName
        languages = Language.allCases.map { option in
            LanguageOption(
                name: option.nativeName, code: option.rawValue,
                href: Self.href(request, switchingTo: option), current: option == language)
        }
        footerLinks = [
            Link(text: catalogue.text("footerAccessibility", language), href: SiteURL.accessibility.path),
            Link(text: catalogue.text("footerPrivacy", language), href: SiteURL.privacy.path),
            Link(text: catalogue.text("footerCookies", language), href: SiteURL.cookies.path),
            Link(text: catalogue.text("footerAllForces", language), href: SiteURL.landing.path),
        ]
    }

    /// Sets the document title to "page – site".
    func titled(_ page: String) -> Layout {
        var copy = self
        copy.title = "\(page) – \(headerName)"
        return copy
    }

    /// The current address with `lang` set to `language`, keeping the other query parameters.
    static func href(_ request: Request, switchingTo language: Language) -> String {
        var items: [String] = []
        for (name, value) in request.uri.queryParameters where name != "lang" {
            items.append("\(percentEncode(String(name)))=\(percentEncode(String(value)))")
        }
        items.append("lang=\(language.rawValue)")
        return "\(request.uri.path)?\(items.joined(separator: "&"))"
    }

    static func percentEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

/// `/`: find your force, grouped by region, with a filter that works without JavaScript.
struct LandingPage: Sendable {
    struct ForceLink: Sendable {
        let name: String
        let href: String
        let online: Bool
    }

    struct RegionGroup: Sendable {
        let id: String
        let name: String
        let forces: [ForceLink]
    }

    let layout: Layout
    let query: String
    let filtered: Bool
    let resultsSummary: String?
    let noResults: String?
    let regions: [RegionGroup]
    let hasRegions: Bool
    let formAction: String
    /// Crime in any area of the loaded forces, from police.uk data.
    let crimeHref = CrimeAreaURL.path(force: nil)

    init(forces: [Force], query rawQuery: String?, language: Language, layout: Layout, catalogue: Catalogue) {
        let query = String((rawQuery ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(100))
        let matching = ForceSearch.filter(forces, query: query, catalogue: catalogue)
        self.layout = layout.titled(catalogue.text("landingTitle", language))
        self.query = query
        self.filtered = !query.isEmpty
        self.formAction = SiteURL.landing.path
        if query.isEmpty {
            resultsSummary = nil
            noResults = nil
        } else if matching.isEmpty {
            resultsSummary = nil
            noResults = catalogue.text("filterNoResults", language, ["query": query])
        } else {
            resultsSummary = catalogue.text(
                matching.count == 1 ? "filterResultsOne" : "filterResultsMany", language,
                ["count": String(matching.count), "query": query])
            noResults = nil
        }
        regions = PoliceRegion.allCases.compactMap { region in
            let members = matching.filter { $0.definition.region == region }
                .sorted { $0.name(in: language).localizedStandardCompare($1.name(in: language)) == .orderedAscending }
            guard !members.isEmpty else { return nil }
            return RegionGroup(
                id: "region-\(region.rawValue)",
                name: catalogue.text("region.\(region.rawValue)", language),
                forces: members.map {
                    ForceLink(name: $0.name(in: language), href: SiteURL.forceHome($0.id).path, online: $0.onboarding != .notOnboarded)
                })
        }
        hasRegions = !regions.isEmpty
    }
}

/// Matches a typed search against forces' names in both languages, their ids, their regions and
/// the places they police.
enum ForceSearch {
    static func filter(_ forces: [Force], query: String, catalogue: Catalogue) -> [Force] {
        let terms = normalise(query).split(separator: " ").map(String.init)
        guard !terms.isEmpty else { return forces }
        return forces.filter { force in
            let haystack = normalise(
                ([
                    force.definition.name, force.definition.welshName ?? "", force.id.rawValue,
                    catalogue.text("region.\(force.definition.region.rawValue)", .english),
                    catalogue.text("region.\(force.definition.region.rawValue)", .welsh),
                ] + (ForceAreas.places[force.id.rawValue] ?? [])).joined(separator: " "))
            return terms.allSatisfy { haystack.contains($0) }
        }
    }

    /// Lowercase, without accents or punctuation, single-spaced.
    static func normalise(_ text: String) -> String {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
        let cleaned = folded.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) ? Character($0) : " " }
        return String(cleaned).split(separator: " ").joined(separator: " ")
    }
}

/// `/{force}/`: the force's own home page.
struct ForceHomePage: Sendable {
    struct Contact: Sendable {
        let heading: String
        let phone: String?
        let phoneHref: String?
        let text: String?
        let noPhone: String?
        let website: String
        let websiteHref: String
    }

    let layout: Layout
    let heading: String
    let intro: String
    struct ServiceGroup: Sendable {
        struct Link: Sendable {
            let text: String
            let href: String
        }
        let heading: String
        let links: [Link]
    }

    let onboarded: Bool
    let notOnboarded: String
    let services: [ServiceGroup]
    let servicesHref: String
    let contact: Contact
    let otherForceHref: String
    let myPoliceHref: String
    /// Crime in the area and the neighbourhood teams, from police.uk data.
    let crimeHref: String
    let neighbourhoodsHref: String

    init(
        force: Force, content: ForceHomeContent?, language: Language, layout: Layout, catalogue: Catalogue,
        services offered: [OfferedService]
    ) {
        let name = force.name(in: language)
        let onboarded = force.onboarding != .notOnboarded
        let heading = catalogue.text(onboarded ? "forceHomeTitle" : "forceHomeTitleOffline", language, ["force": name])
        self.layout = layout.titled(heading)
        self.heading = heading
        self.intro = content?.intro ?? catalogue.text("forceHomeFallbackIntro", language, ["force": name])
        self.onboarded = onboarded
        self.notOnboarded = catalogue.text("forceNotOnboarded", language, ["force": name])
        self.services = ServiceArea.offered(under: force.onboarding).compactMap { area in
            let members = offered.filter { $0.definition.area == area.rawValue }
            guard !members.isEmpty else { return nil }
            return ServiceGroup(
                heading: catalogue.text("service.\(area.rawValue)", language),
                links: members.map {
                    ServiceGroup.Link(text: $0.title.text(language), href: SiteURL.serviceStart(force.id, $0.definition.id).path)
                })
        }
        self.servicesHref = SiteURL.servicesList(force.id).path
        let details = force.definition.contact
        self.contact = Contact(
            heading: catalogue.text("forceContactHeading", language, ["force": name]),
            phone: details.phone.map { catalogue.text("forceContactPhone", language, ["phone": $0]) },
            phoneHref: details.phone.map { "tel:" + $0.replacingOccurrences(of: " ", with: "") },
            text: details.textNumber.map { catalogue.text("forceContactText", language, ["number": $0]) },
            noPhone: details.phone == nil ? catalogue.text("forceContactNoPhone", language) : nil,
            website: catalogue.text("forceContactWebsite", language, ["force": name]),
            websiteHref: details.website)
        self.otherForceHref = SiteURL.landing.path
        self.myPoliceHref = PortalURL.signIn(force.id).path
        self.crimeHref = CrimeAreaURL.path(force: force.id)
        self.neighbourhoodsHref = NeighbourhoodPageController.listPath(force.id)
    }
}

/// The accessibility statement, privacy notice and cookies page.
struct InfoPage: Sendable {
    struct CookieRow: Sendable {
        let name: String
        let purpose: String
        let expires: String
    }

    let layout: Layout
    let heading: String
    let paragraphs: [String]
    let cookies: [CookieRow]
    let hasCookies: Bool

    enum Topic { case accessibility, privacy, cookies, myPrivacy, victimsCode }

    /// `force`: the force whose site the page is on, for what is its own (its numbers).
    init(topic: Topic, language: Language, layout: Layout, catalogue: Catalogue, force: Force? = nil) {
        let keys: (title: String, paragraphs: [String])
        switch topic {
        case .accessibility:
            keys = ("accessibilityTitle", ["accessibilityBody1", "accessibilityBody2", "accessibilityBody3"])
        case .privacy:
            keys = ("privacyTitle", ["privacyBody1", "privacyBody2"])
        case .cookies:
            keys = ("cookiesTitle", ["cookiesBody1"])
        case .myPrivacy:
            keys = ("my_privacy_title", (1...7).map { "my_privacy_body\($0)" })
        case .victimsCode:
            keys = ("my_victims_title", (1...8).map { "my_victims_body\($0)" })
        }
        heading = catalogue.text(keys.title, language)
        self.layout = layout.titled(heading)
        var paragraphs = keys.paragraphs.map { catalogue.text($0, language) }
        if topic == .victimsCode, let force {
            let contact = force.definition.contact
            paragraphs.append(
                catalogue.text(
                    "my_victims_force", language,
                    ["force": force.name(in: language), "phone": contact.phone ?? "101", "website": contact.website]))
        }
        self.paragraphs = paragraphs
        cookies =
            topic == .cookies
            ? [
                CookieRow(
                    name: LanguageMiddleware.cookieName, purpose: catalogue.text("cookieLangPurpose", language),
                    expires: catalogue.text("cookieLangExpires", language)),
                CookieRow(
                    name: CSRFMiddleware.cookieName, purpose: catalogue.text("cookieCsrfPurpose", language),
                    expires: catalogue.text("cookieCsrfExpires", language)),
                CookieRow(
                    name: PortalSessionMiddleware.pendingCookieName, purpose: catalogue.text("cookieMyCodePurpose", language),
                    expires: catalogue.text("cookieMyCodeExpires", language)),
                CookieRow(
                    name: PortalSessionMiddleware.cookieName, purpose: catalogue.text("cookieMyPurpose", language),
                    expires: catalogue.text("cookieMyExpires", language)),
            ] : []
        hasCookies = !cookies.isEmpty
    }
}

/// Error pages, in the page's language, never showing internals.
struct ErrorPage: Sendable {
    enum Kind: Sendable {
        case notFound, forceNotFound, forbidden, noAccess, serverError, unavailable
        case other(HTTPResponse.Status)

        var status: HTTPResponse.Status {
            switch self {
            case .notFound, .forceNotFound: .notFound
            case .forbidden, .noAccess: .forbidden
            case .serverError: .internalServerError
            case .unavailable: .serviceUnavailable
            case .other(let status): status
            }
        }
    }

    let layout: Layout
    let heading: String
    let paragraphs: [String]
    let reference: String?
    let findForceHref: String
    let findForce: String

    init(kind: Kind, layout: Layout, pages: PageRenderer, requestID: String) {
        let catalogue = pages.catalogue
        let language = Language(rawValue: layout.lang) ?? .english
        let text = { (key: String) in catalogue.text(key, language) }
        switch kind {
        case .notFound:
            heading = text("notFoundTitle")
            paragraphs = [text("notFoundBody1"), text("notFoundBody2")]
        case .forceNotFound:
            heading = text("forceNotFoundTitle")
            paragraphs = [text("forceNotFoundBody")]
        case .forbidden:
            heading = text("forbiddenTitle")
            paragraphs = [text("forbiddenBody")]
        case .noAccess:
            heading = text("noAccessTitle")
            paragraphs = [text("noAccessBody")]
        case .serverError:
            heading = text("serverErrorTitle")
            paragraphs = [text("serverErrorBody"), text("emergencyReminder")]
        case .unavailable:
            heading = text("unavailableTitle")
            paragraphs = [text("serverErrorBody"), text("emergencyReminder")]
        case .other:
            heading = text("genericErrorTitle")
            paragraphs = [text("serverErrorBody")]
        }
        self.layout = layout.titled(heading)
        switch kind {
        case .serverError, .unavailable, .other:
            reference = catalogue.text("errorReference", language, ["reference": requestID])
        default:
            reference = nil
        }
        findForceHref = SiteURL.landing.path
        findForce = text("notFoundFindForce")
    }
}
