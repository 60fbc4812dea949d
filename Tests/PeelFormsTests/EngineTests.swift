import Foundation
import PeelCore
import PeelForms
import Testing

func engine(_ data: Data = sampleDefinition(), today: String = "2026-11-23") throws -> JourneyEngine {
    guard case .success(let definition) = DefinitionValidator.decode(data, file: "sample.json") else {
        throw DefinitionProblem(file: "sample.json", path: "", reason: "does not decode")
    }
    return JourneyEngine(definition: definition, today: today)
}

@Suite("Journey engine")
struct EngineTests {
    @Test("the journey starts at the start page and branches on an answer")
    func branching() throws {
        let engine = try engine()
        var state = JourneyState()
        #expect(engine.position(state) == .page("emergency"))
        let emergency = try #require(engine.page("emergency"))

        guard case .success(let yes) = engine.read(emergency, form: ["is-emergency": ["yes"]], language: .english) else {
            Issue.record("yes was refused")
            return
        }
        state = engine.accept(yes, on: emergency, into: state)
        #expect(engine.position(state) == .ended("call-999"))

        guard case .success(let no) = engine.read(emergency, form: ["is-emergency": ["no"]], language: .english) else {
            Issue.record("no was refused")
            return
        }
        state = engine.accept(no, on: emergency, into: state)
        #expect(engine.position(state) == .page("what"))
        #expect(!engine.isReachable("call-999", state))
    }

    @Test("a definition's page index follows its pages: a changed copy is indexed afresh and the original keeps its own")
    func pageIndex() throws {
        let original = try engine().definition
        #expect(original.pageIndex["emergency"] == original.pages.firstIndex { $0.id == "emergency" })
        var changed = original
        changed.pages.reverse()
        changed.pages[0].id = "renamed"
        #expect(changed.pageIndex["renamed"] == 0)
        #expect(changed.pageIndex[original.pages.last!.id] == nil)
        #expect(changed.pageIndex["emergency"] == changed.pages.firstIndex { $0.id == "emergency" })
        #expect(original.pageIndex["emergency"] == original.pages.firstIndex { $0.id == "emergency" })
        #expect(original.pageIndex["renamed"] == nil)
        #expect(JourneyEngine(definition: changed, today: "2026-11-23").page("renamed")?.id == "renamed")
    }

    /// Both pages of the sample answered, the emergency question with `emergency`.
    static func answered(emergency: String) -> JourneyState {
        var state = JourneyState()
        state.answers = ["is-emergency": .text(emergency), "what-happened": .text("My bike was taken")]
        state.completed = ["emergency", "what"]
        return state
    }

    @Test("changing an earlier answer drops answers on pages no longer on the path")
    func staleAnswers() throws {
        let engine = try engine()
        var state = Self.answered(emergency: "no")
        #expect(engine.position(state) == .checkAnswers)
        state.answers["is-emergency"] = .text("yes")
        let pruned = engine.pruned(state)
        #expect(pruned.answers["what-happened"] == nil)
        #expect(!pruned.completed.contains("what"))
        #expect(engine.position(pruned) == .ended("call-999"))
    }

    @Test("pruning and accepting hand back the walk of the state they return, the walk the engine gives that state")
    func walkHandedBack() throws {
        let engine = try engine()
        let stale = Self.answered(emergency: "yes")
        for state in [JourneyState(), stale] {
            let (pruned, walk) = engine.prunedAndWalked(state)
            #expect(pruned == engine.pruned(state))
            #expect(walk.path == engine.walk(pruned).path && walk.position == engine.walk(pruned).position)
        }
        let emergency = try #require(engine.page("emergency"))
        for choice in ["yes", "no"] {
            guard case .success(let answers) = engine.read(emergency, form: ["is-emergency": [choice]], language: .english) else {
                Issue.record("\(choice) was refused")
                return
            }
            let (accepted, walk) = engine.acceptAndWalk(answers, on: emergency, into: stale)
            #expect(accepted == engine.accept(answers, on: emergency, into: stale))
            #expect(walk.path == engine.walk(accepted).path && walk.position == engine.walk(accepted).position)
        }
    }

    @Test("required answers, lengths and options are checked, in the person's language")
    func reading() throws {
        let engine = try engine()
        let what = try #require(engine.page("what"))
        guard case .failure(let missing) = engine.read(what, form: [:], language: .welsh) else {
            Issue.record("a blank answer was accepted")
            return
        }
        #expect(missing == [FieldError(field: "what-happened", message: "Rhowch ateb i ‘Beth ddigwyddodd?’")])
        guard case .failure(let long) = engine.read(what, form: ["what-happened": [String(repeating: "x", count: 5001)]], language: .english) else {
            Issue.record("an over-long answer was accepted")
            return
        }
        #expect(long.first?.message == "‘What happened?’ must be 5000 characters or fewer")
        let emergency = try #require(engine.page("emergency"))
        guard case .failure(let tampered) = engine.read(emergency, form: ["is-emergency": ["maybe"]], language: .english) else {
            Issue.record("a tampered option was accepted")
            return
        }
        #expect(tampered.first?.field == "is-emergency")
    }

    @Test("markup is kept as text and control characters are removed")
    func cleaning() throws {
        let engine = try engine()
        let what = try #require(engine.page("what"))
        guard case .success(let answers) = engine.read(
            what, form: ["what-happened": ["<script>alert(1)</script>\u{0}\u{7} line\r\nnext"]], language: .english)
        else {
            Issue.record("refused")
            return
        }
        #expect(answers["what-happened"] == .text("<script>alert(1)</script> line\nnext"))
    }
}

@Suite("Answer types")
struct AnswerTypeTests {
    func question(_ type: String, extra: [String: Any] = [:]) throws -> (JourneyEngine, Page) {
        let data = sampleDefinition { json in
            var all = pages(&json)
            var question: [String: Any] = ["id": "q", "type": type, "label": ["en": "The question", "cy": "Y cwestiwn"]]
            question.merge(extra) { _, new in new }
            all[2]["questions"] = [question]
            json["pages"] = all
        }
        let engine = try engine(data)
        return (engine, try #require(engine.page("what")))
    }

    func read(_ type: String, _ form: [String: [String]], extra: [String: Any] = [:]) throws -> Checked<[String: Answer]> {
        let (engine, page) = try question(type, extra: extra)
        return engine.read(page, form: form, language: .english)
    }

    func accepted(_ result: Checked<[String: Answer]>) -> Answer? {
        if case .success(let answers) = result { return answers["q"] }
        return nil
    }

    func refused(_ result: Checked<[String: Answer]>) -> [String] {
        if case .failure(let errors) = result { return errors.map(\.message) }
        return []
    }

    @Test("dates must be real and, where asked, not in the future")
    func dates() throws {
        #expect(accepted(try read("date", ["q-day": ["29"], "q-month": ["2"], "q-year": ["2024"]])) == .text("2024-02-29"))
        #expect(refused(try read("date", ["q-day": ["30"], "q-month": ["2"], "q-year": ["2024"]])) == ["‘The question’ must be a real date, with a day, month and year"])
        #expect(refused(try read("date", ["q-day": ["1"], "q-month": ["1"], "q-year": ["2027"]], extra: ["notInFuture": true])) == ["‘The question’ must be today or in the past"])
    }

    @Test("an approximate time is exact or between two points in order")
    func when() throws {
        let exact = try read("when", ["q-mode": ["exact"], "q-day": ["1"], "q-month": ["11"], "q-year": ["2026"], "q-time": ["9.05"]])
        #expect(accepted(exact) == .fields(["mode": "exact", "date": "2026-11-01", "time": "09:05"]))
        let between = try read("when", [
            "q-mode": ["between"], "q-from-day": ["2"], "q-from-month": ["11"], "q-from-year": ["2026"],
            "q-to-day": ["1"], "q-to-month": ["11"], "q-to-year": ["2026"],
        ])
        #expect(refused(between) == ["The end of the time range must be after its start"])
    }

    @Test("emails, UK phones, postcodes and money are checked and normalised")
    func formats() throws {
        #expect(accepted(try read("email", ["q": ["sam@example.org"]])) == .text("sam@example.org"))
        #expect(refused(try read("email", ["q": ["sam@"]])).count == 1)
        #expect(accepted(try read("phone", ["q": ["+44 7700 900982"]])) == .text("07700900982"))
        #expect(refused(try read("phone", ["q": ["12345"]])).count == 1)
        #expect(accepted(try read("postcode", ["q": ["sw1a2aa"]])) == .text("SW1A 2AA"))
        #expect(refused(try read("postcode", ["q": ["NOTACODE"]])).count == 1)
        #expect(accepted(try read("money", ["q": ["£1,250.5"]])) == .text("1250.50"))
        #expect(refused(try read("money", ["q": ["12.345"]])).count == 1)
        #expect(refused(try read("number", ["q": ["12"]], extra: ["min": 1, "max": 10])) == ["‘The question’ must be between 1 and 10"])
    }

    @Test("compound answers need their required parts")
    func compound() throws {
        #expect(refused(try read("address", ["q-line1": ["1 High Street"]])).count == 2)
        #expect(accepted(try read("address", ["q-line1": ["1 High Street"], "q-town": ["Rhyl"], "q-postcode": ["ll18 1aa"]]))
            == .fields(["line1": "1 High Street", "town": "Rhyl", "postcode": "LL18 1AA"]))
        #expect(accepted(try read("vehicle", ["q-registration": ["ab12 cde"], "q-colour": ["Blue"]]))
            == .fields(["registration": "AB12 CDE", "colour": "Blue"]))
        #expect(refused(try read("location", ["q-description": ["Park"], "q-latitude": ["north"], "q-longitude": ["1"]])).count == 1)
    }
}
