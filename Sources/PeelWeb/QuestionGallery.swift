import Foundation
import Hummingbird
import PeelCore
import PeelForms

/// `/_dev/question-types` (demo mode): one question of every type the definition language has,
/// drawn exactly as journeys draw them, with `?errors=1` for every field in its error state. The
/// browser check runs axe-core on it in both languages, so every question type's markup is
/// checked, including types no catalogue service uses yet.
struct QuestionGalleryController {
    let pages: PageRenderer

    static let questions: [Question] = {
        let kinds = Question.Kind.allCases
        let json = "[" + kinds.map { kind in
            let options = kind == .radios || kind == .checkboxes
                ? #", "options": [{"value": "first", "label": {"en": "First option", "cy": "Opsiwn cyntaf"}}, {"value": "second", "label": {"en": "Second option", "cy": "Ail opsiwn"}}]"#
                : ""
            return #"{"id": "q-\#(kind.rawValue.lowercased())", "type": "\#(kind.rawValue)", "label": {"en": "A \#(kind.rawValue) question", "cy": "Cwestiwn \#(kind.rawValue)"}, "hint": {"en": "A hint for this question.", "cy": "Awgrym ar gyfer y cwestiwn hwn."}\#(options)}"#
        }.joined(separator: ",") + "]"
        return (try? JSONDecoder().decode([Question].self, from: Data(json.utf8))) ?? []
    }()

    func addRoutes(to router: Router<PeelRequestContext>) {
        router.get(RouterPath(SiteURL.questionGallery.path)) { request, context in
            let language = context.language
            let t = pages.catalogue.table(for: language)
            let withErrors = request.uri.queryParameters["errors"] == "1"
            let errors =
                withErrors
                ? Self.questions.map {
                    FieldError(field: $0.id, message: FormMessage.requiredText.text(language, ["label": $0.label.text(language)]))
                } : []
            let heading = language == .welsh ? "Mathau o gwestiynau" : "Question types"
            let view = JourneyPageView(
                layout: pages.layout(for: context, request: request).titled(heading), serviceTitle: "Peel", heading: heading,
                headingIsLabel: false, body: [], linkHref: nil, linkText: nil,
                questions: Self.questions.map {
                    QuestionView(question: $0, answer: nil, form: nil, errors: errors, isHeading: false, language: language, t: t)
                },
                errors: errors.map { .init(href: "#\($0.field)", message: $0.message) }, hasErrors: withErrors,
                action: SiteURL.questionGallery.path, backHref: nil, isQuestion: true, isStop: false,
                canContinue: false, quickExit: true, isRepeatSummary: false, entries: [],
                addAnother: nil, addAnotherYes: "", addAnotherNo: "", isRepeatEntry: false, hasFile: true, editIndex: nil,
                saveHref: SiteURL.questionGallery.path)
            return pages.response(view, template: "journey-page")
        }
    }
}
