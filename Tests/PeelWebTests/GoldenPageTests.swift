import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PeelTestSupport
import Testing

/// Every page's whole HTML, compared with a reviewed copy in `Golden/`. A change to a template,
/// a string or a view model shows up here as a diff to read. After a deliberate change, run
/// `PEEL_UPDATE_GOLDEN=1 swift test --filter GoldenPage` and review the files before committing.
@Suite("Golden pages")
struct GoldenPageTests {
    static let pages: [(name: String, path: String)] = [
        ("landing-en", "/"),
        ("landing-filtered-cy", "/?q=wales&lang=cy"),
        ("force-full-en", "/metropolitan/"),
        ("force-full-cy", "/north-wales/?lang=cy"),
        ("force-core-en", "/btp/"),
        ("force-not-onboarded-en", "/ministry-of-defence/"),
        ("accessibility-cy", "/accessibility?lang=cy"),
        ("cookies-en", "/cookies"),
        ("privacy-en", "/privacy"),
        ("not-found-en", "/no-such-page"),
        ("force-not-found-cy", "/atlantis/?lang=cy"),
    ]

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    @Test("every page matches its golden HTML", arguments: pages.map(\.name))
    func page(name: String) async throws {
        let path = try #require(Self.pages.first { $0.name == name }?.path)
        try await withTestApp { client, _ in
            let html = try await client.execute(uri: path, method: .get).text
            // No placeholder is left unfilled and no template tag unrendered.
            #expect(html.range(of: #"\{[a-z]+\}|\{\{"#, options: .regularExpression) == nil, "\(path)")
            let file = Self.directory.appendingPathComponent("\(name).html")
            if ProcessInfo.processInfo.environment["PEEL_UPDATE_GOLDEN"] == "1" {
                try html.write(to: file, atomically: true, encoding: .utf8)
                return
            }
            let golden = try String(contentsOf: file, encoding: .utf8)
            #expect(html == golden, "\(path) differs from Golden/\(name).html; see the test's doc comment")
        }
    }
}
