import Foundation
import PeelForms
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
}
