import Foundation
import Hummingbird
import Mustache
import PeelCore
import PeelPoliceData

/// The addresses of the "crime in your area" pages: national, and on each force's site.
enum CrimeAreaURL {
    static let nationalPath = "/crime"
    static let forceRoute = RouterPath("/crime")

    static func path(force: ForceID?) -> String {
        force.map { "/\($0)/crime" } ?? nationalPath
    }
}

/// "Crime in your area": choose a place by a street or area name (searched over the imported
/// locations) or by coordinates, and see the month's crimes within a mile by category, on a map
/// drawn on the server with the table as its equivalent, the trend over the loaded months, the
/// outcomes and the month's stop and search count.
struct CrimeAreaController {
    let data: PoliceData
    let pages: PageRenderer

    func addRoutes(national router: Router<PeelRequestContext>, force group: RouterGroup<ForceRequestContext>) {
        router.get(RouterPath(CrimeAreaURL.nationalPath)) { request, context in
            render(request, language: context.language, force: nil, layout: pages.layout(for: context, request: request))
        }
        group.get(CrimeAreaURL.forceRoute) { request, context in
            render(request, language: context.language, force: context.force.id, layout: pages.layout(for: context, request: request))
        }
    }

    private func render(_ request: Request, language: Language, force: ForceID?, layout: Layout) -> Response {
        // Decoded as a form is sent: `+` is a space, then percent escapes.
        var query: [String: String] = [:]
        for (name, values) in PostedForm.parseURLEncoded(request.uri.query ?? "") { query[name] = values.last }
        func parameter(_ name: String) -> String? {
            query[name].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : String($0.prefix(200)) }
        }
        let page = CrimeAreaPage.make(
            snapshot: data.snapshot(), language: language, catalogue: pages.catalogue, layout: layout,
            action: CrimeAreaURL.path(force: force), query: parameter("q"), latitude: parameter("lat"), longitude: parameter("lng"),
            place: parameter("place"), date: parameter("date"))
        return pages.response(page, template: "crime-area", status: page.isBadRequest ? .badRequest : .ok)
    }
}

/// The view model of the "crime in your area" page.
struct CrimeAreaPage: Sendable {
    struct Option: Sendable {
        let value: String
        let label: String
        let selected: Bool
    }
    struct Row: Sendable {
        let label: String
        let count: String
    }
    struct Choice: Sendable {
        let name: String
        let href: String
    }

    var layout: Layout
    var action = ""
    var query = ""
    var months: [Option] = []
    var hasMonths = false
    var noData = false
    var message: String?
    var choices: [Choice] = []
    var hasChoices = false
    var hasResults = false
    var resultsHeading = ""
    var total = ""
    var categories: [Row] = []
    var hasCategories = false
    var map = ""
    var trend: [Row] = []
    var outcomes: [Row] = []
    var hasOutcomes = false
    var stops = ""
    var apiHref = ""
    var isBadRequest = false

    static func make(
        snapshot: PoliceDataSnapshot, language: Language, catalogue: Catalogue, layout: Layout, action: String, query: String?,
        latitude: String?, longitude: String?, place: String?, date: String?
    ) -> CrimeAreaPage {
        let title = catalogue.text("crime_title", language)
        var page = CrimeAreaPage(layout: layout.titled(title))
        page.action = action
        page.query = query ?? place ?? ""
        let available = snapshot.months(.street)
        guard let latest = available.first else {
            page.noData = true
            return page
        }
        var month = latest
        if let date {
            if let chosen = Month(date), available.contains(chosen) {
                month = chosen
            } else {
                page.message = catalogue.text("crime_bad_month", language)
                page.isBadRequest = true
            }
        }
        page.months = available.map { Option(value: $0.description, label: label(for: $0, language, catalogue), selected: $0 == month) }
        page.hasMonths = true

        // Where: coordinates given, coordinates typed, or a name to look up.
        var point: GeoPoint?
        var placeName = place ?? ""
        if let latitude, let longitude {
            point = coordinates("\(latitude),\(longitude)")
            if point == nil {
                page.message = catalogue.text("crime_bad_coordinates", language)
                page.isBadRequest = true
            }
        } else if let query {
            if let typed = coordinates(query) {
                point = typed
                placeName = query
            } else if query.first.map({ $0.isNumber || $0 == "-" }) == true, query.contains(",") {
                page.message = catalogue.text("crime_bad_coordinates", language)
                page.isBadRequest = true
            } else {
                let matches = snapshot.places(matching: query)
                if let first = matches.first, matches.count == 1 || first.name.lowercased() == query.lowercased() {
                    point = first.point
                    placeName = first.name
                } else if matches.isEmpty {
                    page.message = catalogue.text("crime_no_match", language, ["query": query])
                } else {
                    page.choices = matches.map {
                        Choice(name: $0.name, href: href(action, point: $0.point, place: $0.name, month: month, language: language))
                    }
                    page.hasChoices = true
                }
            }
        }
        guard let point, !page.isBadRequest else { return page }
        if placeName.isEmpty { placeName = String(format: "%.4f, %.4f", point.latitude, point.longitude) }

        let summary = snapshot.summary(around: point, month: month)
        let monthLabel = label(for: month, language, catalogue)
        page.hasResults = true
        page.resultsHeading = catalogue.text("crime_results_heading", language, ["place": placeName, "month": monthLabel])
        page.total = catalogue.text("crime_total", language, ["count": summary.total.formatted()])
        page.categories = summary.categories.map {
            Row(label: catalogue.text("crime_cat_" + $0.slug.replacingOccurrences(of: "-", with: "_"), language), count: $0.count.formatted())
        }
        page.hasCategories = !page.categories.isEmpty
        page.map = CrimeMap.svg(
            centre: point, spots: summary.spots, title: catalogue.text("crime_map_title", language, ["place": placeName]),
            description: catalogue.text("crime_map_description", language))
        page.trend = summary.trend.reversed().map { Row(label: label(for: $0.month, language, catalogue), count: $0.count.formatted()) }
        page.outcomes = summary.outcomes.map { Row(label: outcomeName($0.name, language, catalogue), count: $0.count.formatted()) }
        page.hasOutcomes = !page.outcomes.isEmpty
        page.stops =
            summary.stops.map { catalogue.text("crime_stops_text", language, ["count": $0.formatted(), "month": monthLabel]) }
            ?? catalogue.text("crime_stops_none", language, ["month": monthLabel])
        page.apiHref = String(
            format: "/data-api/crimes-street/all-crime?date=%@&lat=%.6f&lng=%.6f", month.description, point.latitude, point.longitude)
        return page
    }

    /// An outcome in the page's language; one the vocabulary does not know, as published.
    static func outcomeName(_ name: String, _ language: Language, _ catalogue: Catalogue) -> String {
        guard let code = OutcomeCategory.code(name: name) else { return name }
        let key = "crime_outcome_" + code.replacingOccurrences(of: "-", with: "_")
        return catalogue.table(for: language)[key] ?? name
    }

    /// "52.6297, -1.1316" (or without the space) as a point, if valid.
    static func coordinates(_ text: String) -> GeoPoint? {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let lat = Double(parts[0]), let lng = Double(parts[1]) else { return nil }
        let point = GeoPoint(latitude: lat, longitude: lng)
        return point.isValid ? point : nil
    }

    static func label(for month: Month, _ language: Language, _ catalogue: Catalogue) -> String {
        "\(catalogue.text("month_\(month.month)", language)) \(month.year)"
    }

    static func href(_ action: String, point: GeoPoint, place: String, month: Month, language: Language) -> String {
        var components = URLComponents()
        components.path = action
        components.queryItems = [
            URLQueryItem(name: "lat", value: String(format: "%.6f", point.latitude)),
            URLQueryItem(name: "lng", value: String(format: "%.6f", point.longitude)),
            URLQueryItem(name: "place", value: place), URLQueryItem(name: "date", value: month.description),
            URLQueryItem(name: "lang", value: language.rawValue),
        ]
        return components.string ?? action
    }
}

/// The map: an SVG drawn on the server, one dot per location sized by its crimes, and the
/// one-mile ring. It needs no script and no tiles; the category table is its text equivalent.
enum CrimeMap {
    static let size = 320.0
    static let radius = 140.0

    static func svg(centre: GeoPoint, spots: [AreaSummary.Spot], title: String, description: String) -> String {
        let metresPerDegree = 111_195.0
        let scale = radius / Haversine.oneMile
        let cosine = cos(centre.latitude * .pi / 180)
        let middle = size / 2
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="crime-map" viewBox="0 0 \(Int(size)) \(Int(size))" width="\(Int(size))" height="\(Int(size))" role="img" aria-labelledby="crime-map-title crime-map-description" focusable="false">\
            <title id="crime-map-title">\(HTMLEscaping.escape(title))</title><desc id="crime-map-description">\(HTMLEscaping.escape(description))</desc>\
            <rect width="\(Int(size))" height="\(Int(size))" fill="#f3f2f1"/>\
            <circle cx="\(middle)" cy="\(middle)" r="\(radius)" fill="#ffffff" stroke="#505a5f" stroke-width="2"/>
            """
        for spot in spots.reversed() {
            let east = (spot.point.longitude - centre.longitude) * cosine * metresPerDegree
            let north = (spot.point.latitude - centre.latitude) * metresPerDegree
            let x = middle + east * scale
            let y = middle - north * scale
            let dot = min(10, 2.5 + spot.count.squareRootApprox * 1.5)
            svg += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"#1d70b8\" fill-opacity=\"0.7\"/>", x, y, dot)
        }
        svg += "<path d=\"M\(middle - 8) \(middle)h16M\(middle) \(middle - 8)v16\" stroke=\"#0b0c0c\" stroke-width=\"3\"/></svg>"
        return svg
    }
}

extension Int {
    fileprivate var squareRootApprox: Double { Double(self).squareRoot() }
}

extension CrimeAreaPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "layout": layout
        case "action": action
        case "query": query
        case "months": months
        case "hasMonths": hasMonths
        case "noData": noData
        case "message": message
        case "choices": choices
        case "hasChoices": hasChoices
        case "hasResults": hasResults
        case "resultsHeading": resultsHeading
        case "total": total
        case "categories": categories
        case "hasCategories": hasCategories
        case "map": map
        case "trend": trend
        case "outcomes": outcomes
        case "hasOutcomes": hasOutcomes
        case "stops": stops
        case "apiHref": apiHref
        default: nil
        }
    }
}

extension CrimeAreaPage.Option: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "value": value
        case "label": label
        case "selected": selected
        default: nil
        }
    }
}

extension CrimeAreaPage.Row: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "label": label
        case "count": count
        default: nil
        }
    }
}

extension CrimeAreaPage.Choice: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "href": href
        default: nil
        }
    }
}
