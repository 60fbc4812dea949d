import Foundation
import Hummingbird
import Mustache
import PeelCore

/// Renders pages: Mustache templates from `Resources/Templates` and strings from the catalogue.
package struct PageRenderer: Sendable {
    let library: MustacheLibrary
    package let catalogue: Catalogue

    package init(library: MustacheLibrary, catalogue: Catalogue) {
        self.library = library
        self.catalogue = catalogue
    }

    /// Loads the templates and catalogue bundled with PeelWeb.
    package static func bundled() async throws -> PageRenderer {
        let resources = try WebResources.directory()
        let library = try MustacheLibrary.peelTemplates(in: resources.appendingPathComponent("Templates"))
        let catalogue = try Catalogue.load(from: resources.appendingPathComponent("Locales"))
        return PageRenderer(library: library, catalogue: catalogue)
    }

    func render(_ page: some Sendable, template: String) -> String {
        guard let html = library.render(page, withTemplate: template) else {
            preconditionFailure("template \(template) is missing from the bundle")
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
