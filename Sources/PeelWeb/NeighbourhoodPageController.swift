import Foundation
import Hummingbird
import Mustache
import PeelCore

/// A force's neighbourhood pages: the list, and each neighbourhood's team, priorities, events
/// and contact details, with a link to the crime in its area.
struct NeighbourhoodPageController {
    let neighbourhoods: any NeighbourhoodRepository
    let pages: PageRenderer

    static func listPath(_ force: ForceID) -> String { "/\(force)/neighbourhoods" }

    func addRoutes(to group: RouterGroup<ForceRequestContext>) {
        group.get("/neighbourhoods") { request, context in
            let all = try await neighbourhoods.list(force: context.force.id)
            let page = NeighbourhoodListPage(
                layout: pages.layout(for: context, request: request).titled(pages.catalogue.text("nbh_list_title", context.language)),
                links: all.map { .init(text: $0.name, href: "\(Self.listPath(context.force.id))/\($0.id)") }, hasLinks: !all.isEmpty)
            return pages.response(page, template: "neighbourhood-list")
        }
        group.get("/neighbourhoods/:neighbourhood") { request, context in
            let id = context.parameters.get("neighbourhood") ?? ""
            guard Neighbourhood.isValidID(id), let found = try await neighbourhoods.find(force: context.force.id, id: id) else {
                throw HTTPError(.notFound)
            }
            let page = NeighbourhoodPage(
                neighbourhood: found, layout: pages.layout(for: context, request: request), language: context.language,
                catalogue: pages.catalogue)
            return pages.response(page, template: "neighbourhood")
        }
    }
}

struct NeighbourhoodListPage: Sendable {
    let layout: Layout
    let links: [Layout.Link]
    let hasLinks: Bool
}

struct NeighbourhoodPage: Sendable {
    struct Officer: Sendable { let name, rank, bio: String }
    struct Priority: Sendable { let issue, action, date: String }
    struct Event: Sendable { let title, when, address, description: String }
    struct Contact: Sendable { let label, value: String }

    let layout: Layout
    let name: String
    let description: String
    let team: [Officer]
    let priorities: [Priority]
    let events: [Event]
    let contacts: [Contact]
    let crimeHref: String
    let listHref: String

    init(neighbourhood n: Neighbourhood, layout: Layout, language: Language, catalogue: Catalogue) {
        name = Self.plain(n.name)
        self.layout = layout.titled(name)
        description = Self.plain(n.description ?? "")
        team = n.team.map { Officer(name: Self.plain($0.name), rank: Self.plain($0.rank ?? ""), bio: Self.plain($0.bio ?? "")) }
        priorities = n.priorities.map {
            Priority(issue: Self.plain($0.issue), action: Self.plain($0.action ?? ""), date: Self.day($0.issueDate, language, catalogue))
        }
        events = n.events.map {
            Event(
                title: Self.plain($0.title), when: Self.day($0.startDate, language, catalogue) + " " + String($0.startDate.dropFirst(11).prefix(5)),
                address: Self.plain($0.address ?? ""), description: Self.plain($0.description ?? ""))
        }
        contacts = n.contactDetails.sorted { $0.key < $1.key }.map { Contact(label: $0.key, value: $0.value) }
        let force = n.force
        if let centre = n.centre {
            crimeHref = String(format: "/\(force)/crime?lat=%.6f&lng=%.6f&place=", centre.latitude, centre.longitude)
                + (name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") + "&lang=\(language.rawValue)"
        } else {
            crimeHref = "/\(force)/crime"
        }
        listHref = NeighbourhoodPageController.listPath(force)
    }

    /// police.uk's text may hold HTML; pages show it as plain text.
    static func plain(_ html: String) -> String {
        html.replacingOccurrences(of: "<[^>]*>", with: " ", options: .regularExpression)
            .replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&nbsp;", with: " ")
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// `2024-09-17T12:00:00` as "17 September 2024" (or in Welsh).
    static func day(_ text: String, _ language: Language, _ catalogue: Catalogue) -> String {
        let parts = text.prefix(10).split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, (1...12).contains(parts[1]) else { return String(text.prefix(10)) }
        return "\(parts[2]) \(catalogue.text("month_\(parts[1])", language)) \(parts[0])"
    }
}

extension NeighbourhoodListPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "layout": layout
        case "links": links
        case "hasLinks": hasLinks
        default: nil
        }
    }
}

extension NeighbourhoodPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "layout": layout
        case "name": self.name
        case "description": description
        case "team": team
        case "hasTeam": !team.isEmpty
        case "priorities": priorities
        case "hasPriorities": !priorities.isEmpty
        case "events": events
        case "hasEvents": !events.isEmpty
        case "contacts": contacts
        case "hasContacts": !contacts.isEmpty
        case "crimeHref": crimeHref
        case "listHref": listHref
        default: nil
        }
    }
}

extension NeighbourhoodPage.Officer: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "rank": rank
        case "bio": bio
        default: nil
        }
    }
}

extension NeighbourhoodPage.Priority: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "issue": issue
        case "action": action
        case "date": date
        default: nil
        }
    }
}

extension NeighbourhoodPage.Event: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "title": title
        case "when": when
        case "address": address
        case "description": description
        default: nil
        }
    }
}

extension NeighbourhoodPage.Contact: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "label": label
        case "value": value
        default: nil
        }
    }
}
