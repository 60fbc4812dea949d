import Foundation
import PeelCore
import PeelForms

/// `/{force}/my/sign-in`: the email address a code is sent to.
struct PortalSignInPage: Sendable {
    let layout: Layout
    let action: String
    let email: String
    let bySMS: Bool
    let errors: [FormError]
    let hasErrors: Bool
    let emailError: String?
    let privacyHref: String
}

/// `/{force}/my/sign-in/code`: the code from the email or text message.
struct PortalCodePage: Sendable {
    let layout: Layout
    let action: String
    let heading: String
    let sentTo: String
    let newCodeHref: String
    let errors: [FormError]
    let hasErrors: Bool
    let codeError: String?
}

/// `/{force}/my/`: the person's reports, on every force.
struct PortalHomePage: Sendable {
    struct Row: Sendable {
        let reference: String
        let href: String
        let service: String
        let force: String
        let reported: String
        let status: String
        let unread: String?
    }

    let layout: Layout
    let signedInAs: String
    let rows: [Row]
    let hasRows: Bool
    let empty: String
    let accountHref: String
    let signOutAction: String
    let victimsCodeHref: String
}

/// `/{force}/my/reports/{reference}`: where a report stands, its updates and its messages.
struct PortalReportPage: Sendable {
    struct Entry: Sendable {
        let when: String
        let text: String
    }

    struct Message: Sendable {
        let from: String
        let when: String
        let lines: [String]
        let isNew: Bool
        let fromPerson: Bool
    }

    struct Section: Sendable {
        let title: String
        let rows: [Row]
    }

    struct Row: Sendable {
        let question: String
        let answer: [String]
    }

    let layout: Layout
    let heading: String
    let service: String
    let status: String
    let outcome: String?
    let forceReference: String
    let officer: String
    let reported: String
    let timeline: [Entry]
    let messages: [Message]
    let hasMessages: Bool
    let sections: [Section]
    let messageAction: String
    let requestUpdateAction: String
    let canRequestUpdate: Bool
    let requestedNote: String?
    let notice: String?
    let draft: String
    let errors: [FormError]
    let hasErrors: Bool
    let messageError: String?
    let backHref: String
    let victimsCodeHref: String
}

/// `/{force}/my/account`: how the person is told of updates, their data, signing out.
struct PortalAccountPage: Sendable {
    struct LanguageChoice: Sendable {
        let code: String
        let name: String
        let checked: Bool
    }

    let layout: Layout
    let action: String
    let email: String
    let byEmail: Bool
    let bySMS: Bool
    let phone: String
    let languages: [LanguageChoice]
    let notice: String?
    let errors: [FormError]
    let hasErrors: Bool
    let phoneError: String?
    let dataHref: String
    let privacyHref: String
    let signOutAction: String
    let backHref: String
}

/// How MyPolice words what happened to a report, in the person's language.
struct PortalWording {
    let catalogue: Catalogue
    let language: Language

    func text(_ key: String, _ values: [String: String] = [:]) -> String { catalogue.text(key, language, values) }

    func status(_ status: CaseStatus) -> String {
        switch status {
        case .new, .triaged: text("my_status_received")
        case .assigned: text("my_status_assigned")
        case .underInvestigation: text("my_status_under-investigation")
        case .closed: text("my_status_closed")
        }
    }

    func outcome(_ outcome: CaseOutcome) -> String { text("my_outcome_\(outcome.rawValue)") }

    func update(_ update: PublicUpdate) -> String {
        switch update.kind {
        case .submitted: return text("my_update_submitted")
        case .delivered:
            return update.recordsReference.map { text("my_update_recorded", ["reference": $0]) } ?? text("my_update_delivered")
        case .assigned: return text("my_update_assigned")
        case .status:
            var line = text("my_update_status", ["status": update.status.map(status) ?? ""])
            if let outcome = update.outcome { line += ". " + self.outcome(outcome) }
            return line
        case .records:
            var parts: [String] = []
            if let reference = update.recordsReference { parts.append(text("my_update_recorded", ["reference": reference])) }
            if let said = update.recordsStatus { parts.append(text("my_update_records", ["status": said])) }
            return parts.joined(separator: ". ")
        case .reply: return text("my_update_reply")
        }
    }

    /// "23 November 2026 at 14:05" (UK time), or the Welsh.
    func when(_ date: Date) -> String {
        let day = AnswerFormatter.date(DateText.today(date), language)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/London") ?? .gmt
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        return text("my_dateTime", ["date": day, "time": String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)])
    }

    func day(_ date: Date) -> String { AnswerFormatter.date(DateText.today(date), language) }
}
