import Foundation
@testable import PeelForms
import Testing

@Suite("Journey states and report documents as JSON")
struct AnswerJSONTests {
    /// Text a person may type: quotes, backslashes, control characters, markup, Welsh, emoji.
    static let awkward = [
        "", "plain", "quote \" and backslash \\", "line\nbreak\r\nand\ttab", "\u{0}\u{1}\u{1F}\u{7F}",
        "<script>alert('x')</script> & /slashes/", "Caerdydd – ŵ ŷ â", "🚓👮🏽‍♀️", "\u{2028}\u{2029}",
    ]

    static func state(seed: Int) -> JourneyState {
        // A linear congruential sequence from the seed: every run tests the same states.
        var x = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1
        func below(_ n: Int) -> Int {
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(x >> 33) % n
        }
        func pick() -> String { awkward[below(awkward.count)] + String(below(1000)) }
        func answer() -> Answer {
            switch below(3) {
            case 0: .text(pick())
            case 1: .list((0..<below(4)).map { _ in pick() })
            default: .fields(Dictionary((0..<below(4)).map { _ in (pick(), pick()) }, uniquingKeysWith: { a, _ in a }))
            }
        }
        var state = JourneyState()
        for _ in 0..<below(12) { state.answers[pick()] = answer() }
        for _ in 0..<below(3) {
            state.entries[pick()] = (0..<below(3)).map { _ in
                Dictionary((0..<3).map { _ in (pick(), answer()) }, uniquingKeysWith: { a, _ in a })
            }
        }
        state.completed = Set((0..<below(6)).map { _ in pick() })
        state.declared = below(2) == 1
        return state
    }

    @Test("a state reads back as the same state through the Codable decoder, for awkward text", arguments: 0..<200)
    func stateRoundTrips(seed: Int) throws {
        let state = Self.state(seed: seed)
        let json = AnswerJSON.encode(state)
        #expect(try JSONDecoder().decode(JourneyState.self, from: Data(json.utf8)) == state)
        // The same text as Foundation's encoder would give, once both are read back.
        let foundation = try JSONEncoder().encode(state)
        #expect(try JSONDecoder().decode(JourneyState.self, from: foundation) == state)
        // Deterministic: the same state built in another order is the same text.
        var rebuilt = JourneyState()
        for key in state.answers.keys.reversed() { rebuilt.answers[key] = state.answers[key] }
        for key in state.entries.keys.reversed() { rebuilt.entries[key] = state.entries[key] }
        rebuilt.completed = Set(state.completed.reversed())
        rebuilt.declared = state.declared
        #expect(AnswerJSON.encode(rebuilt) == json)
    }

    @Test("a report document reads back as the same document")
    func documentRoundTrips() throws {
        for seed in 0..<50 {
            let state = Self.state(seed: seed)
            let document = ReportDocument(
                service: "report-crime \"x\"", version: seed, answers: state.answers, entries: state.entries, declared: state.declared)
            let read = try JSONDecoder().decode(ReportDocument.self, from: Data(AnswerJSON.encode(document).utf8))
            #expect(read.service == document.service)
            #expect(read.version == document.version)
            #expect(read.answers == document.answers)
            #expect(read.entries == document.entries)
            #expect(read.declared == document.declared)
        }
    }

    // MARK: Reading

    @Test("states read directly are what JSONDecoder reads, from Peel's text and from Foundation's in any layout", arguments: 0..<200)
    func stateReadsDirectly(seed: Int) throws {
        let state = Self.state(seed: seed)
        var texts = [AnswerJSON.encode(state)]
        for formatting: JSONEncoder.OutputFormatting in [[], .prettyPrinted, [.sortedKeys, .withoutEscapingSlashes]] {
            let encoder = JSONEncoder()
            encoder.outputFormatting = formatting
            texts.append(String(decoding: try encoder.encode(state), as: UTF8.self))
        }
        for text in texts {
            let direct = try #require(AnswerJSON.directState(text), "read directly, not handed on: \(text.prefix(80))")
            #expect(direct == state)
            #expect(direct == (try JSONDecoder().decode(JourneyState.self, from: Data(text.utf8))))
        }
    }

    @Test("report documents read directly are what JSONDecoder reads")
    func documentReadsDirectly() throws {
        for seed in 0..<50 {
            let state = Self.state(seed: seed)
            let document = ReportDocument(
                service: "report-crime \"x\" \u{1F693}", version: seed - 25, answers: state.answers, entries: state.entries,
                declared: state.declared)
            for text in [AnswerJSON.encode(document), String(decoding: try JSONEncoder().encode(document), as: UTF8.self)] {
                let direct = try #require(AnswerJSON.directDocument(text))
                let decoded = try JSONDecoder().decode(ReportDocument.self, from: Data(text.utf8))
                #expect(Self.same(direct, decoded))
                #expect(Self.same(direct, document))
            }
        }
    }

    static func same(_ a: ReportDocument?, _ b: ReportDocument?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        return a.service == b.service && a.version == b.version && a.answers == b.answers && a.entries == b.entries
            && a.declared == b.declared
    }

    /// Texts that are not quite what Peel writes: each is read as JSONDecoder reads it (the
    /// same value, or nothing), whichever reading decides.
    static let unusual = [
        #"{"answers":{},"completed":[],"declared":false,"entries":{}}"#,
        " \n{ \"answers\" : { \"a\" : { \"text\" : { \"_0\" : \"x\" } } } ,\t\"completed\":[ \"a\" , \"a\" ],\"declared\":true,\"entries\":{}} \n",
        #"{"answers":{},"completed":[],"declared":false,"entries":{},"extra":{"n":[1,2.5e3,null,true,"s"]}}"#,
        #"{"answers":{},"completed":[],"declared":false,"entries":{},"extra":-12}"#,
        #"{"answers":{},"completed":[],"declared":false}"#,
        #"{"answers":{},"answers":{},"completed":[],"declared":false,"entries":{}}"#,
        #"{"answers":{"a":{"text":{"_0":"x"}},"a":{"text":{"_0":"y"}}},"completed":[],"declared":false,"entries":{}}"#,
        #"{"answers":{"a":{"text":{"_0":"x"},"list":{"_0":[]}}},"completed":[],"declared":false,"entries":{}}"#,
        #"{"answers":{"a":{"text":{"_0":"x","_1":"y"}}},"completed":[],"declared":false,"entries":{}}"#,
        #"{"answers":{"a":{"text":{}}},"completed":[],"declared":false,"entries":{}}"#,
        #"{"answers":{"a":{"other":{"_0":"x"}}},"completed":[],"declared":false,"entries":{}}"#,
        #"{"answers":{"a":{"text":{"_0":null}}},"completed":[],"declared":false,"entries":{}}"#,
        #"{"answers":{"a":{"text":{"_0":"\ud83d\ude93 \u00e2 \/ \b\f"}}},"completed":[],"declared":false,"entries":{}}"#,
        #"{"answers":{"a":{"text":{"_0":"\ud83d alone"}}},"completed":[],"declared":false,"entries":{}}"#,
        #"{"answers":{"a":{"text":{"_0":"\ude93 alone"}}},"completed":[],"declared":false,"entries":{}}"#,
        #"{"answers":{"a":{"text":{"_0":"\u00"}}},"completed":[],"declared":false,"entries":{}}"#,
        #"{"answers":{"a":{"text":{"_0":"\q"}}},"completed":[],"declared":false,"entries":{}}"#,
        "{\"answers\":{\"a\":{\"text\":{\"_0\":\"raw\ttab\"}}},\"completed\":[],\"declared\":false,\"entries\":{}}",
        #"{"answers":{},"completed":[],"declared":"yes","entries":{}}"#,
        #"{"answers":{},"completed":[],"declared":false,"entries":{}} trailing"#,
        #"{"answers":{},"completed":[],"declared":false,"entries":{},}"#,
        #"{"answers":{},"completed":[,],"declared":false,"entries":{}}"#,
        #"{"answers":{},"completed":[],"declared":false,"entries":{"g":[{"a":{"list":{"_0":["x","y"]}}},{}]}}"#,
        #"{"answers":{},"completed":[],"declared":false,"entries":{"g":{}}}"#,
        "", "null", "[]", "{", #"{"answers""#,
    ]

    @Test("unusual journey states are read as JSONDecoder reads them", arguments: unusual)
    func unusualStates(text: String) {
        let expected = try? JSONDecoder().decode(JourneyState.self, from: Data(text.utf8))
        #expect(AnswerJSON.state(from: text) == expected)
        // What the direct reading accepts, it reads as JSONDecoder does.
        if let direct = AnswerJSON.directState(text) { #expect(direct == expected) }
    }

    @Test("an unknown member nested deeper than any stack allows is read as JSONDecoder reads it, without a crash")
    func deepNesting() {
        for depth in [31, 33, 100_000] {
            let text = #"{"answers":{},"completed":[],"declared":false,"entries":{},"extra":"#
                + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
            let expected = try? JSONDecoder().decode(JourneyState.self, from: Data(text.utf8))
            #expect(AnswerJSON.state(from: text) == expected)
            if let direct = AnswerJSON.directState(text) { #expect(direct == expected) }
        }
        let shallow = #"{"answers":{},"completed":[],"declared":false,"entries":{},"extra":[[["x"]]]}"#
        #expect(AnswerJSON.directState(shallow) == JourneyState())
    }

    @Test("unusual report documents are read as JSONDecoder reads them")
    func unusualDocuments() {
        let texts = [
            #"{"answers":{},"declared":false,"entries":{},"service":"s","version":3}"#,
            #"{"answers":{},"declared":false,"entries":{},"service":"s","version":-3}"#,
            #"{"answers":{},"declared":false,"entries":{},"service":"s","version":3.0}"#,
            #"{"answers":{},"declared":false,"entries":{},"service":"s","version":3e0}"#,
            #"{"answers":{},"declared":false,"entries":{},"service":"s","version":99999999999999999999}"#,
            #"{"answers":{},"declared":false,"entries":{},"service":"s","version":"3"}"#,
            #"{"answers":{},"declared":false,"entries":{},"service":"s"}"#,
            #"{"answers":{},"declared":false,"entries":{},"service":"s","version":3,"service":"t"}"#,
        ]
        for text in texts {
            let expected = try? JSONDecoder().decode(ReportDocument.self, from: Data(text.utf8))
            #expect(Self.same(AnswerJSON.document(from: text), expected), "\(text)")
            if let direct = AnswerJSON.directDocument(text) { #expect(Self.same(direct, expected), "\(text)") }
        }
    }
}
