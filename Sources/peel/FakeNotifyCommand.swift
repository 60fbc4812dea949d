import ArgumentParser
import Foundation
import Logging
import PeelApp
import PeelNotify

struct FakeNotifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fake-notify",
        abstract: "Run a local GOV.UK Notify (API v2, with a test key's behaviour), for development and tests.",
        discussion:
            "Point Peel at it with PEEL_NOTIFY_URL=http://HOST:PORT and PEEL_NOTIFY_API_KEY set to the key it prints. "
            + "It knows Peel's templates, refuses what Notify refuses with Notify's error bodies, and posts delivery "
            + "receipts to --callback-url. Sent to temp-fail@simulator.notify or 07700900003 a notification ends in "
            + "temporary-failure; to perm-fail@simulator.notify or 07700900002 in permanent-failure; anything else is "
            + "delivered. GET /received lists what it was asked to send.")

    @Option(help: "Port to listen on.")
    var port: Int = 9095
    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"
    @Option(help: "The API key to accept (key_name-service_id-secret). Default: a fixed test key, printed at start.")
    var apiKey: String?
    @Flag(help: "Accept a freshly generated API key instead of the fixed test key.")
    var generateKey = false
    @Option(help: "Where to post delivery receipts, e.g. http://127.0.0.1:8080/api/v1/notify/receipts.")
    var callbackURL: String?
    @Option(help: "The bearer token sent with delivery receipts (Peel's PEEL_NOTIFY_CALLBACK_TOKEN).")
    var callbackToken: String?
    @Option(help: "Milliseconds before a notification reaches its final status and its receipt is posted.")
    var deliveryDelay: Int = 500

    func run() async throws {
        PeelLogging.bootstrap(level: .info, format: .text)
        let text =
            apiKey
            ?? (generateKey
                ? "peel_fake_notify-\(UUID().uuidString.lowercased())-\(UUID().uuidString.lowercased())"
                : FakeNotify.defaultAPIKey)
        let key: NotifyAPIKey
        do { key = try NotifyAPIKey(parsing: text) } catch {
            FileHandle.standardError.write(Data("peel: --api-key \(error)\n".utf8))
            throw ExitCode(1)
        }
        if callbackToken != nil, callbackURL == nil {
            FileHandle.standardError.write(Data("peel: --callback-token goes with --callback-url\n".utf8))
            throw ExitCode(1)
        }
        let fake = FakeNotify(
            options: .init(
                apiKey: key, callbackURL: callbackURL, callbackToken: callbackToken,
                deliveryDelay: .milliseconds(max(0, deliveryDelay))))
        print("fake GOV.UK Notify on http://\(host):\(port) (received: http://\(host):\(port)/received)")
        print("api key: \(key.text)")
        try await fake.serve(host: host, port: port, logger: Logger(label: "fake-notify"))
    }
}
