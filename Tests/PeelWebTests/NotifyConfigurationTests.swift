import Foundation
import PeelApp
import PeelCore
import PeelNotify
import Testing

@Suite("Configuration: GOV.UK Notify")
struct NotifyConfigurationTests {
    static let service = "26785a09-ab16-4eb0-8407-a37497a57506"
    static let secret = "3d844edf-8d35-48ac-975b-e847b4f122b0"

    func load(_ environment: [String: String]) throws(ConfigurationError) -> PeelConfiguration {
        try PeelConfiguration.load(environment: environment, dotEnvFile: nil)
    }

    @Test("without an API key Peel uses the local mailbox, Notify's address and Peel's template ids")
    func defaults() throws {
        let notify = try load([:]).notify
        #expect(notify.apiKey == nil)
        #expect(notify.url == "https://api.notifications.service.gov.uk")
        #expect(notify.callbackToken == nil)
        #expect(notify.templates.templates == NotifyTemplateCatalogue.standard.templates)
    }

    @Test("the key, address, callback token and template ids are read; the summary shows no secret")
    func settings() throws {
        let id = UUID().uuidString.lowercased()
        let configuration = try load([
            "PEEL_NOTIFY_API_KEY": "live-\(Self.service)-\(Self.secret)", "PEEL_NOTIFY_URL": "http://127.0.0.1:9095",
            "PEEL_NOTIFY_CALLBACK_TOKEN": "a-long-callback-token", "PEEL_NOTIFY_TEMPLATE_NEW_UPDATE_SMS_CY": id,
        ])
        #expect(configuration.notify.apiKey?.serviceID == Self.service)
        #expect(configuration.notify.url == "http://127.0.0.1:9095")
        #expect(configuration.notify.callbackToken == "a-long-callback-token")
        #expect(configuration.notify.templates.template(.newUpdate, channel: .sms, language: .welsh)?.id == id)
        #expect(!configuration.summary.contains(Self.secret))
        #expect(!configuration.summary.contains("a-long-callback-token"))
    }

    @Test(
        "a bad key, address, token or template setting stops Peel with a message naming the setting, never the secret",
        arguments: [
            ("PEEL_NOTIFY_API_KEY", "live-\(service)-not-a-secret-\(secret.prefix(20))", "PEEL_NOTIFY_API_KEY"),
            ("PEEL_NOTIFY_URL", "ftp://notify.example", "PEEL_NOTIFY_URL"),
            ("PEEL_NOTIFY_CALLBACK_TOKEN", "short", "PEEL_NOTIFY_CALLBACK_TOKEN"),
            ("PEEL_NOTIFY_TEMPLATE_SIGN_IN_CODE_SMS_FR", UUID().uuidString, "PEEL_NOTIFY_TEMPLATE_SIGN_IN_CODE_SMS_FR"),
            ("PEEL_NOTIFY_TEMPLATE_SIGN_IN_CODE_SMS_CY", "not-a-uuid", "PEEL_NOTIFY_TEMPLATE_SIGN_IN_CODE_SMS_CY"),
        ])
    func refused(key: String, value: String, named: String) {
        #expect(throws: ConfigurationError.self) { try load([key: value]) }
        do { _ = try load([key: value]) } catch {
            #expect(error.description.contains(named))
            #expect(!error.description.contains(Self.secret.prefix(20)))
        }
    }
}
