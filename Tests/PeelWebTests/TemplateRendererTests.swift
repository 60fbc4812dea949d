import Foundation
import Mustache
import Testing

@testable import PeelWeb

/// Peel's template renderer against swift-mustache, the reference, on the tricky parts of
/// Mustache: standalone lines, indented partials, inheritance, and what each kind of value does
/// to a section. (Every page the other tests render is also compared, in debug builds.)
@Suite("Peel's template renderer")
struct TemplateRendererTests {
    struct Item: MustacheParent {
        let name: String
        let on: Bool
        func child(named key: String) -> Any? {
            switch key {
            case "name": name
            case "on": on
            default: nil
            }
        }
    }

    /// No `MustacheParent`: read by reflection, optionals unwrapped.
    struct Plain {
        let title: String
        let missing: String?
        let present: String?
        let items: [Item]
        let none: [Item]
        let yes: Bool
        let no: Bool
        let count: Int
        let empty: String
        let words: [String: String]
        let markup: String
    }

    static let sources: [String: String] = [
        "page": """
            {{<frame}}
            {{$body}}
              <h1>{{title}}</h1>
              {{#items}}
                <p>{{name}}{{#on}} (on){{/on}}{{^on}} (off){{/on}} {{title}}</p>
              {{/items}}
              {{^none}}nothing{{/none}}
                {{>list}}
              {{! a comment alone }}
              {{#missing}}never{{/missing}}{{^missing}}no value{{/missing}}
              {{#present}}[{{.}}]{{/present}} {{#empty}}<{{.}}>{{/empty}} {{count}} {{yes}} {{no}}
              {{words.hello}} {{markup}} {{{markup}}} {{&markup}}
            {{/body}}
            {{/frame}}
            """,
        "frame": """
            <html>
              {{$head}}<title>default</title>{{/head}}
            {{$body}}empty{{/body}}
            </html>

            """,
        "list": """
            <ul>
            {{#items}}
              <li>{{name}}</li>
            {{/items}}
            </ul>
            """,
    ]

    static let view = Plain(
        title: "T & \"q\"", missing: nil, present: "here", items: [Item(name: "a<b", on: true), Item(name: "c", on: false)],
        none: [], yes: true, no: false, count: 3, empty: "", words: ["hello": "Helo"], markup: "<i>x</i>")

    @Test("renders exactly as swift-mustache does, with and without the content-type pragma")
    func sameAsReference() throws {
        MustacheContentTypes.register(PeelHTMLContentType(), named: PeelHTMLContentType.name)
        for prefix in ["", MustacheLibrary.peelPrefix] {
            let sources = Self.sources.mapValues { prefix + $0 }
            let peel = try PeelTemplates(sources: sources)
            var library = MustacheLibrary()
            for (name, text) in sources { try library.register(text, named: name) }
            for name in sources.keys {
                let expected = try #require(library.render(Self.view, withTemplate: name))
                let rendered = try #require(peel.render(Self.view, template: name))
                #expect(rendered == expected, "\(name), prefix \(prefix.isEmpty ? "none" : "pragma")")
            }
        }
    }

    @Test("an unknown template is nil; a broken one is refused with its name")
    func errors() throws {
        #expect(try PeelTemplates(sources: ["a": "x"]).render(Self.view, template: "b") == nil)
        #expect(throws: TemplateError.self) { try PeelTemplates(sources: ["broken": "{{#open}} never closed"]) }
        #expect(throws: TemplateError.self) { try PeelTemplates(sources: ["wrong": "{{#a}}{{/b}}"]) }
    }
}
