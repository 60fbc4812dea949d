import Foundation
import PeelCore
import PeelForms

/// A question as a template draws it: the kind as flags, the values to show again, and errors.
struct QuestionView: Sendable {
    struct OptionView: Sendable {
        let value: String
        let label: String
        let id: String
        let name: String
        let checked: Bool
    }

    struct PartView: Sendable {
        let name: String
        let id: String
        let label: String
        let value: String
        let width: String
        /// Not optional: a missing value would make Mustache read the question's own error.
        let partError: String
        let hasError: Bool
    }

    let id: String
    let label: String
    let hint: String?
    let hintID: String
    let error: String?
    let errorID: String
    let describedBy: String?
    let isHeading: Bool
    let value: String
    let options: [OptionView]
    let parts: [PartView]
    let whenExact: [PartView]
    let whenBetween: [PartView]
    let exactChecked: Bool
    let betweenChecked: Bool
    let isText, isTextarea, isRadios, isCheckboxes, isDate, isTime, isWhen, isNumber, isMoney: Bool
    let isEmail, isPhone, isPostcode, isCompound, isFile: Bool
    let inputMode: String?
    let autocomplete: String?
    let maxLength: Int
    let uploaded: [String]
    let t: [String: String]

    init(
        question: Question, answer: Answer?, form: [String: [String]]?, errors: [FieldError], isHeading: Bool,
        language: Language, t: [String: String]
    ) {
        id = question.id
        label = question.label.text(language)
        hint = question.hint?.text(language)
        hintID = "\(question.id)-hint"
        errorID = "\(question.id)-error"
        let mine = errors.filter { $0.field == question.id || $0.field.hasPrefix("\(question.id)-") }
        error = mine.isEmpty ? nil : mine.map(\.message).joined(separator: ". ")
        describedBy = [hint == nil ? nil : hintID, error == nil ? nil : errorID].compactMap { $0 }.joined(separator: " ").nilIfEmpty
        self.isHeading = isHeading
        self.t = t
        maxLength = question.effectiveMaxLength
        uploaded = (form?[question.id] ?? answer?.fields["files"]?.split(separator: "\n").map(String.init) ?? [])
        // What to show in the fields: what was just posted (with errors), else the saved answer.
        func posted(_ name: String) -> String? { form?[name]?.first }
        let saved = answer
        func savedPart(_ name: String) -> String {
            switch saved {
            case .fields(let fields)?: fields[name] ?? ""
            default: ""
            }
        }
        let type = question.type
        isText = type == .text
        isTextarea = type == .textarea
        isRadios = type == .radios || type == .yesNo
        isCheckboxes = type == .checkboxes
        isDate = type == .date
        isTime = type == .time
        isWhen = type == .when
        isNumber = type == .number
        isMoney = type == .money
        isEmail = type == .email
        isPhone = type == .phone
        isPostcode = type == .postcode
        isFile = type == .file
        isCompound = [.address, .location, .person, .vehicle, .item].contains(type)
        inputMode = switch type {
        case .number: "numeric"
        case .money: "decimal"
        case .phone: "tel"
        case .email: "email"
        default: nil
        }
        autocomplete = switch question.contact {
        case .email?: "email"
        case .phone?: "tel"
        case .name?: "name"
        default: type == .postcode ? "postal-code" : nil
        }
        value = posted(question.id) ?? saved?.text ?? ""

        let chosen: Set<String> = form.map { Set($0[question.id] ?? []) } ?? Set(saved?.list ?? [])
        let optionList: [(String, String)] =
            type == .yesNo
            ? [("yes", language == .welsh ? "Ydw" : "Yes"), ("no", language == .welsh ? "Nac ydw" : "No")]
            : (question.options ?? []).map { ($0.value, $0.label.text(language)) }
        options = optionList.enumerated().map { index, option in
            OptionView(
                value: option.0, label: option.1, id: index == 0 ? question.id : "\(question.id)-\(option.0)",
                name: question.id, checked: chosen.contains(option.0))
        }

        func part(_ name: String, _ english: String, _ welsh: String, width: String = "full", from dateField: String? = nil)
            -> PartView
        {
            let fieldName = "\(question.id)-\(name)"
            var savedValue = savedPart(name)
            if let dateField, case .fields(let fields)? = saved, let date = fields[dateField] ?? (dateField == "date" ? nil : nil) {
                let pieces = date.split(separator: "-").map(String.init)
                if pieces.count == 3 {
                    savedValue = name.hasSuffix("day") ? String(Int(pieces[2]) ?? 0) : name.hasSuffix("month") ? String(Int(pieces[1]) ?? 0) : pieces[0]
                }
            }
            if type == .date, case .text(let date)? = saved {
                let pieces = date.split(separator: "-").map(String.init)
                if pieces.count == 3 {
                    savedValue = name == "day" ? String(Int(pieces[2]) ?? 0) : name == "month" ? String(Int(pieces[1]) ?? 0) : pieces[0]
                }
            }
            let fieldError = errors.first { $0.field == fieldName }?.message
            return PartView(
                name: fieldName, id: fieldName, label: language == .welsh ? welsh : english,
                value: posted(fieldName) ?? savedValue, width: width, partError: fieldError ?? "", hasError: fieldError != nil)
        }
        let dateParts = { (prefix: String, dateField: String?) -> [PartView] in
            let p = prefix.isEmpty ? "" : "\(prefix)-"
            return [
                part("\(p)day", "Day", "Diwrnod", width: "2", from: dateField),
                part("\(p)month", "Month", "Mis", width: "2", from: dateField),
                part("\(p)year", "Year", "Blwyddyn", width: "4", from: dateField),
            ]
        }
        switch type {
        case .date:
            parts = dateParts("", nil)
        case .address:
            parts = [
                part("line1", "Address line 1", "Llinell 1 y cyfeiriad"), part("line2", "Address line 2 (optional)", "Llinell 2 y cyfeiriad (dewisol)"),
                part("town", "Town or city", "Tref neu ddinas", width: "20"), part("postcode", "Postcode", "Cod post", width: "10"),
            ]
        case .location:
            parts = [
                part("description", "Describe where", "Disgrifiwch ble"),
                part("latitude", "Latitude (optional)", "Lledred (dewisol)", width: "10"),
                part("longitude", "Longitude (optional)", "Hydred (dewisol)", width: "10"),
            ]
        case .person:
            parts = [
                part("name", "Name (if known)", "Enw (os yw'n hysbys)"),
                part("dob-day", "Day of birth", "Diwrnod geni", width: "2"), part("dob-month", "Month of birth", "Mis geni", width: "2"),
                part("dob-year", "Year of birth", "Blwyddyn geni", width: "4"),
                part("age-range", "Age range if you do not know the date of birth (for example 25-34)", "Ystod oedran os nad ydych yn gwybod y dyddiad geni (er enghraifft 25-34)", width: "10"),
                part("description", "Description (height, build, clothing, anything distinctive)", "Disgrifiad (taldra, corffolaeth, dillad, unrhyw beth nodedig)"),
            ]
        case .vehicle:
            parts = [
                part("registration", "Registration", "Rhif cofrestru", width: "10"), part("make", "Make", "Gwneuthuriad", width: "20"),
                part("model", "Model", "Model", width: "20"), part("colour", "Colour", "Lliw", width: "10"),
            ]
        case .item:
            parts = [
                part("description", "Description", "Disgrifiad"), part("value", "Value in pounds (optional)", "Gwerth mewn punnoedd (dewisol)", width: "10"),
                part("serial", "Serial or identifying number (optional)", "Rhif cyfresol neu adnabod (dewisol)", width: "20"),
            ]
        default:
            parts = []
        }
        let mode = posted("\(question.id)-mode") ?? savedPart("mode")
        exactChecked = mode == "exact"
        betweenChecked = mode == "between"
        if type == .when {
            whenExact = dateParts("", "date") + [part("time", "Time (optional, for example 14:30)", "Amser (dewisol, er enghraifft 14:30)", width: "5")]
            whenBetween =
                dateParts("from", "from-date") + [part("from-time", "From time (optional)", "O amser (dewisol)", width: "5")]
                + dateParts("to", "to-date") + [part("to-time", "To time (optional)", "I amser (dewisol)", width: "5")]
        } else {
            whenExact = []
            whenBetween = []
        }
    }
}

/// A page of a journey: its questions, or its content, with the error summary when the last
/// post had errors.
struct JourneyPageView: Sendable {
    struct ErrorLink: Sendable {
        let href: String
        let message: String
    }

    struct EntryView: Sendable {
        let index: Int
        let changeHref: String
        let summary: String
    }

    let layout: Layout
    let serviceTitle: String
    let heading: String
    let headingIsLabel: Bool
    let body: [String]
    let linkHref: String?
    let linkText: String?
    let questions: [QuestionView]
    let errors: [ErrorLink]
    let hasErrors: Bool
    let action: String
    let backHref: String?
    let isQuestion: Bool
    let isStop: Bool
    let canContinue: Bool
    let quickExit: Bool
    // Repeating groups.
    let isRepeatSummary: Bool
    let entries: [EntryView]
    let addAnother: String?
    let addAnotherYes: String
    let addAnotherNo: String
    let isRepeatEntry: Bool
    let hasFile: Bool
    /// The entry being changed, posted back with the entry form.
    let editIndex: String?
    let saveHref: String
}

/// Save and come back later, and its confirmation with the code.
struct SaveView: Sendable {
    let layout: Layout
    let action: String
    let backHref: String
    let email: String
    let errors: [JourneyPageView.ErrorLink]
    let hasErrors: Bool
    let saved: Bool
    let code: String
    let emailed: String?
    let resumeHref: String
    let quickExit: Bool
}

/// Enter a return code.
struct ResumeView: Sendable {
    let layout: Layout
    let action: String
    let code: String
    let errors: [JourneyPageView.ErrorLink]
    let hasErrors: Bool
    let quickExit: Bool
}

/// Check your answers.
struct CheckAnswersView: Sendable {
    struct Row: Sendable {
        let question: String
        let answer: [String]
        let changeHref: String
        let changeLabel: String
    }

    struct SectionView: Sendable {
        let title: String
        let rows: [Row]
    }

    let layout: Layout
    let heading: String
    let sections: [SectionView]
    let declaration: String?
    let declarationError: String?
    let hasErrors: Bool
    let action: String
    let quickExit: Bool
}

/// The confirmation page.
struct ConfirmationView: Sendable {
    let layout: Layout
    let heading: String
    let reference: String
    let whatNext: [String]
    let quickExit: Bool
    let homeHref: String
    /// MyPolice, where the person follows the report (when they gave an email address).
    let myPoliceHref: String?
}

/// A force's list of services, and a service's start page.
struct ServicesListView: Sendable {
    struct Item: Sendable {
        let title: String
        let summary: String
        let href: String
    }

    let layout: Layout
    let heading: String
    let items: [Item]
}

struct ServiceStartView: Sendable {
    let layout: Layout
    let heading: String
    let summary: String
    let action: String
    let quickExit: Bool
    let resumeHref: String
}

/// The local mailbox, in demo mode.
struct MailboxView: Sendable {
    struct Message: Sendable {
        let to: String
        let subject: String
        let body: [String]
        let sentAt: String
        /// A text message: no subject, shown as a text.
        let isText: Bool
    }

    let layout: Layout
    let messages: [Message]
    let hasMessages: Bool
}
