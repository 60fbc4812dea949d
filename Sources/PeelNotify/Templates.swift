import Foundation
import PeelCore

/// One of Peel's templates in GOV.UK Notify: a notification, for one channel, in one language.
/// Placeholders are Notify's `((name))`; the text here is what is entered in Notify, and what
/// the local mailbox and `peel fake-notify` render.
package struct NotifyTemplate: Sendable, Hashable {
    /// Notify's id for the template. Peel's defaults are fixed; a deployment gives the ids its
    /// own Notify service assigned (`PEEL_NOTIFY_TEMPLATE_…`).
    package var id: String
    package let name: String
    package let notification: NotificationTemplate
    package let channel: NotificationChannel
    package let language: Language
    /// An email's subject; nil for a text message.
    package let subject: String?
    package let body: String
    package var version = 1

    /// The placeholders of subject and body, each once, in the order they first appear.
    package var placeholders: [String] {
        var seen = Set<String>()
        return Self.placeholders(in: (subject ?? "") + "\n" + body).filter {
            seen.insert(TemplateText.key($0)).inserted
        }
    }

    /// The template filled in with `personalisation`. Keys match placeholders as Notify matches
    /// them: ignoring case, spaces, `_` and `-`. Extra keys are ignored; a missing one is an
    /// error, as Notify's "Missing personalisation".
    package func render(_ personalisation: [String: String]) throws(MissingPersonalisation) -> RenderedNotification {
        var values: [String: String] = [:]
        for (key, value) in personalisation { values[TemplateText.key(key)] = value }
        let missing = placeholders.filter { values[TemplateText.key($0)] == nil }
        guard missing.isEmpty else { throw MissingPersonalisation(names: missing) }
        return RenderedNotification(
            subject: subject.map { TemplateText.fill($0, values) }, body: TemplateText.fill(body, values))
    }

    static func placeholders(in text: String) -> [String] {
        var names: [String] = []
        var rest = text[...]
        while let open = rest.range(of: "(("), let close = rest[open.upperBound...].range(of: "))") {
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if !name.isEmpty, !name.contains("(") { names.append(name) }
            rest = rest[close.upperBound...]
        }
        return names
    }
}

/// A template filled in: what the person receives.
package struct RenderedNotification: Sendable, Hashable {
    package var subject: String?
    package var body: String

    package init(subject: String?, body: String) {
        self.subject = subject
        self.body = body
    }
}

/// Personalisation that a template's placeholders need and the request did not give.
package struct MissingPersonalisation: Error, Hashable, CustomStringConvertible {
    package let names: [String]
    package init(names: [String]) { self.names = names }
    /// Notify's own words for it.
    package var description: String { "Missing personalisation: \(names.joined(separator: ", "))" }
}

enum TemplateText {
    /// How Notify matches a personalisation key to a placeholder.
    static func key(_ name: String) -> String {
        String(name.lowercased().filter { !$0.isWhitespace && $0 != "_" && $0 != "-" })
    }

    static func fill(_ text: String, _ values: [String: String]) -> String {
        var output = ""
        var rest = text[...]
        while let open = rest.range(of: "(("), let close = rest[open.upperBound...].range(of: "))") {
            let name = rest[open.upperBound..<close.lowerBound]
            output += rest[..<open.lowerBound]
            if let value = values[key(String(name))], !name.contains("(") {
                output += value
            } else {
                output += rest[open.lowerBound..<close.upperBound]
            }
            rest = rest[close.upperBound...]
        }
        return output + rest
    }
}

/// Peel's templates in Notify: one for each notification, channel and language Peel sends.
package struct NotifyTemplateCatalogue: Sendable {
    package private(set) var templates: [NotifyTemplate]

    package init(templates: [NotifyTemplate]) { self.templates = templates }

    /// The template for a notification on a channel, in the person's language; the English one
    /// where there is no Welsh; nil where Peel does not send that notification on that channel.
    package func template(_ notification: NotificationTemplate, channel: NotificationChannel, language: Language)
        -> NotifyTemplate?
    {
        let candidates = templates.filter { $0.notification == notification && $0.channel == channel }
        return candidates.first { $0.language == language } ?? candidates.first { $0.language == .english }
    }

    package func template(id: String) -> NotifyTemplate? {
        templates.first { $0.id == id.lowercased() }
    }

    /// The setting that gives a template the id a deployment's Notify service assigned it, for
    /// example `PEEL_NOTIFY_TEMPLATE_SIGN_IN_CODE_SMS_CY`.
    package static func settingName(for template: NotifyTemplate) -> String {
        let name = template.notification.rawValue.uppercased().replacingOccurrences(of: "-", with: "_")
        return
            "PEEL_NOTIFY_TEMPLATE_\(name)_\(template.channel.rawValue.uppercased())_\(template.language.rawValue.uppercased())"
    }

    /// The catalogue with the ids given by setting name. A name that is no template's, or an id
    /// that is not a UUID, is refused with a sentence saying which.
    package func overriding(_ settings: [String: String]) throws(TemplateSettingError) -> NotifyTemplateCatalogue {
        var copy = self
        let names = Dictionary(
            uniqueKeysWithValues: templates.indices.map { (Self.settingName(for: templates[$0]), $0) })
        for (name, value) in settings.sorted(by: { $0.key < $1.key }) {
            guard let index = names[name] else {
                throw TemplateSettingError(
                    description:
                        "\(name) names no template; the settings are \(names.keys.sorted().joined(separator: ", "))")
            }
            guard let id = UUID(uuidString: value.trimmingCharacters(in: .whitespaces)) else {
                throw TemplateSettingError(description: "\(name) must be a Notify template id (a UUID), not '\(value)'")
            }
            copy.templates[index].id = id.uuidString.lowercased()
        }
        return copy
    }
}

/// A template id setting Peel cannot use.
package struct TemplateSettingError: Error, CustomStringConvertible {
    package let description: String
}

extension NotifyTemplateCatalogue {
    /// Peel's templates with their default ids, which `peel fake-notify` knows. Wording: plain,
    /// short, and never the content of a message or of a report: the person signs in for that.
    package static let standard = NotifyTemplateCatalogue(templates: [
        NotifyTemplate(
            id: "ba3678ec-39e1-4daa-8bf9-9fa01325c0dd", name: "MyPolice sign-in code (email, English)",
            notification: .signInCode,
            channel: .email, language: .english, subject: "Your MyPolice code",
            body:
                "Your MyPolice code is ((code)). It lasts 10 minutes.\n\nIf you did not ask for it, ignore this message."
        ),
        NotifyTemplate(
            id: "bf88184f-605e-42b3-8f82-1e68a5211808", name: "MyPolice sign-in code (email, Welsh)",
            notification: .signInCode,
            channel: .email, language: .welsh, subject: "Eich cod MyPolice",
            body:
                "Eich cod MyPolice yw ((code)). Mae'n para 10 munud.\n\nOs na wnaethoch chi ofyn amdano, anwybyddwch y neges hon."
        ),
        NotifyTemplate(
            id: "ab63e359-502b-4deb-a282-76d5e594f0d1", name: "MyPolice sign-in code (text, English)",
            notification: .signInCode,
            channel: .sms, language: .english, subject: nil,
            body: "Your MyPolice code is ((code)). It lasts 10 minutes. If you did not ask for it, ignore this message."
        ),
        NotifyTemplate(
            id: "47306f9b-e657-418f-8042-d91b2d4efd9e", name: "MyPolice sign-in code (text, Welsh)",
            notification: .signInCode,
            channel: .sms, language: .welsh, subject: nil,
            body:
                "Eich cod MyPolice yw ((code)). Mae'n para 10 munud. Os na wnaethoch chi ofyn amdano, anwybyddwch y neges hon."
        ),
        NotifyTemplate(
            id: "31551d00-b12d-4a05-98d4-931a7235ba42", name: "New update on a report (email, English)",
            notification: .newUpdate,
            channel: .email, language: .english, subject: "You have a new update about your report",
            body: "You have a new update about your report ((reference)) to ((force)).\n\nSign in to read it: ((link))"),
        NotifyTemplate(
            id: "fdc0889b-f7c9-4557-8fd1-09b0e7700243", name: "New update on a report (email, Welsh)",
            notification: .newUpdate,
            channel: .email, language: .welsh, subject: "Mae gennych chi ddiweddariad newydd am eich adroddiad",
            body:
                "Mae gennych chi ddiweddariad newydd am eich adroddiad ((reference)) i ((force)).\n\nMewngofnodwch i'w ddarllen: ((link))"
        ),
        NotifyTemplate(
            id: "8397ecd5-2b39-4079-bfcb-40e79ecfb5de", name: "New update on a report (text, English)",
            notification: .newUpdate,
            channel: .sms, language: .english, subject: nil,
            body: "You have a new update about your report ((reference)) to ((force)). Sign in to read it: ((link))"),
        NotifyTemplate(
            id: "158ee638-02a8-4844-9576-0015b3f7fa79", name: "New update on a report (text, Welsh)",
            notification: .newUpdate,
            channel: .sms, language: .welsh, subject: nil,
            body:
                "Mae gennych chi ddiweddariad newydd am eich adroddiad ((reference)) i ((force)). Mewngofnodwch i'w ddarllen: ((link))"
        ),
        NotifyTemplate(
            id: "623fbd1d-d8c6-4651-8a74-c4530a9ada7f", name: "Update requested (email, English)",
            notification: .updateRequested,
            channel: .email, language: .english, subject: "Update requested on report ((reference))",
            body:
                "The person who made report ((reference)) to ((force)) has asked for an update.\n\nSign in to reply: ((link))"
        ),
        NotifyTemplate(
            id: "6fa556c1-e8a4-45ed-b524-3551a91ade76", name: "Update requested (email, Welsh)",
            notification: .updateRequested,
            channel: .email, language: .welsh, subject: "Cais am ddiweddariad ar adroddiad ((reference))",
            body:
                "Mae'r person a wnaeth adroddiad ((reference)) i ((force)) wedi gofyn am ddiweddariad.\n\nMewngofnodwch i ymateb: ((link))"
        ),
        NotifyTemplate(
            id: "834ddd30-5e60-489c-a883-e822aefbd92e", name: "Message from Peel (email, English)",
            notification: .message,
            channel: .email, language: .english, subject: "((subject))", body: "((body))"),
        NotifyTemplate(
            id: "79c5b502-22b4-487d-9789-4eed06fb5102", name: "Message from Peel (email, Welsh)",
            notification: .message,
            channel: .email, language: .welsh, subject: "((subject))", body: "((body))"),
    ])
}
