import Foundation
import Hummingbird
import Mustache
import PeelCore

/// Renders pages: Mustache templates from `Resources/Templates` and strings from the catalogue.
///
/// Pages are rendered by ``PeelTemplates``; in debug builds (every test) each page is rendered by
/// swift-mustache as well and the two must agree byte for byte.
package struct PageRenderer: Sendable {
    let templates: PeelTemplates
    /// swift-mustache's reading of the same templates, in debug builds only.
    let reference: MustacheLibrary?
    package let catalogue: Catalogue

    package init(templates: PeelTemplates, reference: MustacheLibrary?, catalogue: Catalogue) {
        self.templates = templates
        self.reference = reference
        self.catalogue = catalogue
    }

    /// Loads the templates and catalogue bundled with PeelWeb.
    package static func bundled() async throws -> PageRenderer {
        let resources = try WebResources.directory()
        let directory = resources.appendingPathComponent("Templates")
        let templates = try PeelTemplates(directory: directory, prefix: MustacheLibrary.peelPrefix)
        #if DEBUG
        let reference: MustacheLibrary? = try MustacheLibrary.peelTemplates(in: directory)
        #else
        let reference: MustacheLibrary? = nil
        #endif
        let catalogue = try Catalogue.load(from: resources.appendingPathComponent("Locales"))
        return PageRenderer(templates: templates, reference: reference, catalogue: catalogue)
    }

    func render(_ page: some Sendable, template: String) -> String {
        guard let html = templates.render(page, template: template) else {
            preconditionFailure("template \(template) is missing from the bundle")
        }
        if let reference {
            let expected = reference.render(page, withTemplate: template) ?? ""
            if expected != html {
                let same = zip(expected.utf8, html.utf8).prefix { $0 == $1 }.count
                let around = { (text: String) in String(decoding: text.utf8.dropFirst(max(0, same - 80)).prefix(200), as: UTF8.self) }
                preconditionFailure(
                    "template \(template): Peel's renderer differs from swift-mustache at byte \(same)\n"
                        + "swift-mustache: \(around(expected))\nPeel: \(around(html))")
            }
        }
        return html
    }

    func response(_ page: some Sendable, template: String, status: HTTPResponse.Status = .ok) -> Response {
        Response.text(
            render(page, template: template), contentType: "text/html; charset=utf-8", cacheControl: "private, no-cache",
            status: status)
    }

    /// The layout of a national page.
    func layout(for context: PeelRequestContext, request: Request) -> Layout {
        Layout(
            language: context.language, request: request, catalogue: catalogue, force: nil,
            csrfToken: context.csrfToken)
    }

    /// The layout of a page on a force's site.
    func layout(for context: ForceRequestContext, request: Request) -> Layout {
        Layout(
            language: context.language, request: request, catalogue: catalogue, force: context.force,
            csrfToken: context.csrfToken)
    }
}

/// Where PeelWeb's bundled resources are.
package enum WebResources {
    package static func directory() throws -> URL {
        guard let url = Bundle.module.url(forResource: "Resources", withExtension: nil) else {
            throw CatalogueError(description: "PeelWeb's resources are missing from the bundle")
        }
        return url
    }
}
