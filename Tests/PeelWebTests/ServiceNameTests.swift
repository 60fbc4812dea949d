import Foundation
import Hummingbird
import HummingbirdTesting
import PeelApp
import PeelTestSupport
import Testing

@Suite("Services run by the service group")
struct ServiceNameTests {
    /// The service group names every service by `"\(service)"`: a service that prints all it
    /// holds (once, the job handlers' whole catalogue) costs megabytes and seconds at each start.
    @Test("every service Peel runs describes itself in a few words")
    func servicesDescribeThemselvesBriefly() async throws {
        let scratch = try await ScratchDatabase.make(.sqlite)
        let app = try await buildApplication(try testConfiguration(scratch), logger: testLogger)
        #expect(!app.services.isEmpty)
        for service in app.services {
            #expect("\(service)".count < 100, "\(type(of: service)) describes itself at length")
        }
        try await app.test(.router) { _ in }  // runs and stops the services: the store is closed
        await scratch.remove()
    }
}
