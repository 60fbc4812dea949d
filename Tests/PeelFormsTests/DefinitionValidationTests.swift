import Foundation
import PeelForms
import Testing

/// A small valid definition to break in each test.
func sampleDefinition(_ edit: (inout [String: Any]) -> Void = { _ in }) -> Data {
    func text(_ en: String, _ cy: String) -> [String: String] { ["en": en, "cy": cy] }
    var json: [String: Any] = [
        "id": "sample", "version": 1, "availability": "core", "area": "report-crime",
        "title": text("Report something", "Rhoi gwybod am rywbeth"),
        "summary": text("Tell us", "Dywedwch wrthym"),
        "sensitivity": ["quickExit": false, "echoAnswersInEmail": true],
        "routing": ["category": "test", "priority": "routine"],
        "sections": [["id": "main", "title": text("Main", "Prif")]],
        "start": "emergency",
        "pages": [
            [
                "id": "emergency", "section": "main",
                "questions": [["id": "is-emergency", "type": "yesNo", "label": text("Is it an emergency?", "Ydy e'n argyfwng?")]],
                "next": [
                    ["if": ["equals": ["question": "is-emergency", "value": "yes"]], "page": "call-999"],
                    ["page": "what"],
                ],
            ],
            ["id": "call-999", "kind": "stop", "section": "main", "title": text("Call 999 now", "Ffoniwch 999 nawr")],
            [
                "id": "what", "section": "main",
                "questions": [["id": "what-happened", "type": "textarea", "label": text("What happened?", "Beth ddigwyddodd?")]],
            ],
        ],
        "confirmation": text("We will be in touch", "Byddwn mewn cysylltiad"),
    ]
    edit(&json)
    return try! JSONSerialization.data(withJSONObject: json)
}

func problems(_ data: Data, known: Set<String>? = nil) -> [DefinitionProblem] {
    switch DefinitionValidator.decode(data, file: "sample.json") {
    case .failure(let problem): return [problem]
    case .success(let definition): return DefinitionValidator.problems(in: definition, file: "sample.json", knownServices: known)
    }
}

func pages(_ json: inout [String: Any]) -> [[String: Any]] { json["pages"] as! [[String: Any]] }

@Suite("Service definition validation")
struct DefinitionValidationTests {
    @Test("the sample is valid")
    func valid() {
        #expect(problems(sampleDefinition()).isEmpty)
    }

    @Test("a missing Welsh string is refused with its path")
    func missingWelsh() {
        let data = sampleDefinition { json in
            var all = pages(&json)
            all[2]["questions"] = [["id": "what-happened", "type": "textarea", "label": ["en": "What happened?", "cy": " "]]]
            json["pages"] = all
        }
        #expect(problems(data) == [DefinitionProblem(file: "sample.json", path: "pages[2].questions[0].label.cy", reason: "missing Welsh text")])
    }

    @Test("an unknown question type is refused with its path")
    func unknownType() {
        let data = sampleDefinition { json in
            var all = pages(&json)
            all[2]["questions"] = [["id": "x", "type": "hologram", "label": ["en": "X", "cy": "X"]]]
            json["pages"] = all
        }
        let found = problems(data)
        #expect(found.count == 1)
        #expect(found.first?.path == "pages[2].questions[0].type")
        #expect(found.first?.reason.hasPrefix("unknown value") == true)
    }

    @Test("a condition on an unknown question is refused")
    func unknownQuestion() {
        let data = sampleDefinition { json in
            var all = pages(&json)
            all[0]["next"] = [["if": ["answered": "ghost"], "page": "call-999"], ["page": "what"]]
            json["pages"] = all
        }
        #expect(problems(data) == [DefinitionProblem(file: "sample.json", path: "pages[0].next[0].if", reason: "unknown question 'ghost'")])
    }

    @Test("a condition on a question not yet asked on every path is refused")
    func notYetAsked() {
        let data = sampleDefinition { json in
            var all = pages(&json)
            all[2]["showIf"] = ["answered": "what-happened"]
            json["pages"] = all
        }
        #expect(problems(data).map(\.reason) == ["question 'what-happened' is not asked before this on every path"])
    }

    @Test("an unreachable page is refused")
    func unreachable() {
        let data = sampleDefinition { json in
            var all = pages(&json)
            all.append(["id": "orphan", "kind": "content", "section": "main", "title": ["en": "Orphan", "cy": "Amddifad"]])
            json["pages"] = all
        }
        #expect(problems(data) == [DefinitionProblem(file: "sample.json", path: "pages[3]", reason: "page 'orphan' is not reached from start")])
    }

    @Test("a cycle is refused")
    func cycle() {
        let data = sampleDefinition { json in
            var all = pages(&json)
            all[2]["next"] = [["page": "emergency"]]
            json["pages"] = all
        }
        #expect(problems(data).map(\.reason) == ["cycle: emergency → what → emergency"])
    }

    @Test("malformed JSON, missing keys and unknown targets are reported", arguments: [
        ("not json", ""), ("missing start", "start"), ("bad next", "pages[0].next[1].page"),
        ("bad section", "pages[1].section"), ("bad link", "pages[1].link.service"),
    ])
    func structural(name: String, path: String) {
        let data: Data
        switch name {
        case "not json": data = Data("{ nope".utf8)
        case "missing start": data = sampleDefinition { $0["start"] = nil }
        case "bad next": data = sampleDefinition { json in var all = pages(&json); all[0]["next"] = [["if": ["answered": "is-emergency"], "page": "call-999"], ["page": "nowhere"]]; json["pages"] = all }
        case "bad section": data = sampleDefinition { json in var all = pages(&json); all[1]["section"] = "elsewhere"; json["pages"] = all }
        default: data = sampleDefinition { json in var all = pages(&json); all[1]["link"] = ["service": "no-such", "text": ["en": "Go", "cy": "Ewch"]]; json["pages"] = all }
        }
        let found = problems(data, known: ["sample"])
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.path == path)
    }
}

@Suite("Search terms of a report")
struct ReportSearchTermsTests {
    @Test("terms come from the contact details and from people, postcodes and registrations in the answers, repeating groups too")
    func terms() throws {
        let catalogue = try ServiceCatalogue.bundled()
        // A service that asks for a vehicle, an address or postcode, and a person, somewhere. A
        // whole name is kept without its spaces ("samjones"), as typed searches are normalised too.
        let definition = try #require(catalogue.services.first { definition in
            let types = Set(definition.pages.flatMap(\.questions).map(\.type))
            return types.contains(.vehicle) && (types.contains(.address) || types.contains(.postcode)) && types.contains(.person)
        })
        var answers: [String: Answer] = [:]
        var entries: [String: [[String: Answer]]] = [:]
        for page in definition.pages {
            for question in page.questions {
                let answer: Answer? =
                    switch question.type {
                    case .vehicle: .fields(["registration": "AB12 CDE", "make": "Ford"])
                    case .address: .fields(["line1": "1 High Street", "town": "Cardiff", "postcode": "CF10 1AA"])
                    case .postcode: .text("CF10 1AA")
                    case .person: .fields(["name": "Rhys Evans"])
                    default: nil
                    }
                guard let answer else { continue }
                if page.kind == .repeat {
                    entries[page.id, default: []].append([question.id: answer])
                } else {
                    answers[question.id] = answer
                }
            }
        }
        let terms = ReportSearchTerms.terms(
            definition: definition, reference: "MET-ABC234-X", contactName: "Sam Jones", contactEmail: "Sam@Example.org",
            contactPhone: "+44 7700 900123", answers: answers, entries: entries)
        for expected in ["met-abc234-x", "samjones", "sam", "jones", "sam@example.org", "07700900123", "ab12cde", "cf101aa", "rhys", "evans"] {
            #expect(terms.contains(expected), "missing \(expected) in \(terms)")
        }
        #expect(Set(terms).count == terms.count)
    }
}
