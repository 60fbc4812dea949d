import Foundation
import PeelCore
import PeelNotify
import Testing

@Suite("Notify templates")
struct NotifyTemplateTests {
    let catalogue = NotifyTemplateCatalogue.standard

    /// The channels Peel sends each notification on.
    static let channels: [NotificationTemplate: Set<NotificationChannel>] = [
        .signInCode: [.email, .sms], .newUpdate: [.email, .sms], .updateRequested: [.email], .message: [.email],
    ]

    @Test("every notification has a template on each of its channels in English and in Welsh, each with its own id")
    func everyTemplate() throws {
        for template in NotificationTemplate.allCases {
            let channels = try #require(Self.channels[template])
            for channel in NotificationChannel.allCases {
                for language in Language.allCases {
                    let found = catalogue.template(template, channel: channel, language: language)
                    if channels.contains(channel) {
                        #expect(found?.language == language, "\(template) \(channel) \(language)")
                        #expect((found?.subject != nil) == (channel == .email))
                    } else {
                        #expect(found == nil, "\(template) is not sent by \(channel)")
                    }
                }
            }
        }
        let ids = catalogue.templates.map(\.id)
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { UUID(uuidString: $0)?.uuidString.lowercased() == $0 })
        // A Welsh template is not the English one again.
        for template in catalogue.templates where template.language == .welsh && template.notification != .message {
            let english = try #require(
                catalogue.template(template.notification, channel: template.channel, language: .english))
            #expect(english.body != template.body)
            #expect(english.placeholders.sorted() == template.placeholders.sorted())
        }
    }

    @Test("the placeholders are those the notification's personalisation gives, and never a message's content")
    func placeholders() {
        let expected: [NotificationTemplate: Set<String>] = [
            .signInCode: ["code"], .newUpdate: ["reference", "force", "link"],
            .updateRequested: ["reference", "force", "link"],
            .message: ["subject", "body"],
        ]
        for template in catalogue.templates {
            #expect(Set(template.placeholders) == expected[template.notification], "\(template.name)")
        }
    }

    @Test("a template is filled in from personalisation; Welsh is chosen for a Welsh request")
    func rendering() throws {
        let personalisation = [
            "reference": "MET-4KX7P2-Q", "force": "Heddlu Gogledd Cymru",
            "link": "https://peel.example/north-wales/mypolice",
        ]
        let english = try #require(catalogue.template(.newUpdate, channel: .sms, language: .english)).render(
            personalisation)
        #expect(
            english.body
                == "You have a new update about your report MET-4KX7P2-Q to Heddlu Gogledd Cymru. Sign in to read it: https://peel.example/north-wales/mypolice"
        )
        #expect(english.subject == nil)
        let welsh = try #require(catalogue.template(.newUpdate, channel: .email, language: .welsh)).render(
            personalisation)
        #expect(
            welsh.body.hasPrefix(
                "Mae gennych chi ddiweddariad newydd am eich adroddiad MET-4KX7P2-Q i Heddlu Gogledd Cymru."))
        #expect(welsh.subject == "Mae gennych chi ddiweddariad newydd am eich adroddiad")
        let code = try #require(catalogue.template(.signInCode, channel: .sms, language: .english)).render([
            "code": "482913", "force": "Kent",
        ])
        #expect(
            code.body
                == "Your MyPolice code is 482913. It lasts 10 minutes. If you did not ask for it, ignore this message.")
        let message = try #require(catalogue.template(.message, channel: .email, language: .english))
            .render(["subject": "Your reference: KEN-1", "body": "Thank you.\n\nIn an emergency, call 999."])
        #expect(
            message
                == RenderedNotification(
                    subject: "Your reference: KEN-1", body: "Thank you.\n\nIn an emergency, call 999."))
    }

    @Test("keys match placeholders as Notify matches them: any case, spaces, _ and - ignored; extra keys ignored")
    func matching() throws {
        let template = try #require(catalogue.template(.signInCode, channel: .email, language: .english))
        #expect(try template.render(["CODE": "1", "unused": "x"]).body.hasPrefix("Your MyPolice code is 1."))
    }

    @Test("a missing placeholder is Notify's 'Missing personalisation', naming each in order")
    func missing() throws {
        let template = try #require(catalogue.template(.newUpdate, channel: .email, language: .english))
        #expect(throws: MissingPersonalisation(names: ["reference", "link"])) { try template.render(["force": "Kent"]) }
        #expect(
            MissingPersonalisation(names: ["reference", "link"]).description
                == "Missing personalisation: reference, link")
    }

    @Test("a deployment gives templates the ids its Notify service assigned; an unknown setting or a bad id is refused")
    func overriding() throws {
        let id = UUID().uuidString.lowercased()
        let changed = try catalogue.overriding(["PEEL_NOTIFY_TEMPLATE_SIGN_IN_CODE_SMS_CY": id.uppercased()])
        #expect(changed.template(.signInCode, channel: .sms, language: .welsh)?.id == id)
        #expect(
            changed.template(.signInCode, channel: .sms, language: .english)?.id
                == catalogue.template(.signInCode, channel: .sms, language: .english)?.id)
        #expect(changed.template(id: id)?.notification == .signInCode)
        #expect(throws: TemplateSettingError.self) {
            try catalogue.overriding(["PEEL_NOTIFY_TEMPLATE_MESSAGE_SMS_EN": id])
        }
        #expect(throws: TemplateSettingError.self) {
            try catalogue.overriding(["PEEL_NOTIFY_TEMPLATE_MESSAGE_EMAIL_EN": "12"])
        }
        let names = Set(catalogue.templates.map(NotifyTemplateCatalogue.settingName(for:)))
        #expect(names.contains("PEEL_NOTIFY_TEMPLATE_UPDATE_REQUESTED_EMAIL_EN"))
        #expect(names.count == catalogue.templates.count)
    }

    @Test("recipients are checked as Notify checks them; UK mobiles in their usual spellings are accepted")
    func recipients() {
        for number in ["07700 900123", "+44 7700 900123", "0044 (7700) 900-123", "447700900123"] {
            #expect(NotifyRecipient.ukMobile(number) == "07700900123", "\(number)")
        }
        for number in ["01632 960001", "0770090012", "07700 90012a", "+1 202 555 0100"] {
            #expect(NotifyRecipient.ukMobile(number) == nil, "\(number)")
            #expect(NotifyRecipient.problem(number, channel: .sms)?.error == "ValidationError")
        }
        #expect(NotifyRecipient.problem("sam@example.org", channel: .email) == nil)
        #expect(
            NotifyRecipient.problem("sam.example.org", channel: .email)?.message
                == "email_address Not a valid email address")
    }
}
