import Foundation
import Testing

@testable import PeelWeb

@Suite("Journey expiry on save")
struct JourneyExpiryTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("a save moves the expiry to seven days from now once it would move by an hour or more")
    func renewed() {
        let stale = now + JourneyService.lifetime - 3600
        #expect(JourneyService.renewedExpiry(stale, now: now) == now + JourneyService.lifetime)
        #expect(JourneyService.renewedExpiry(now - 60, now: now) == now + JourneyService.lifetime)
    }

    @Test("a save within the hour, or of a journey kept longer for its return code, leaves the expiry")
    func left() {
        #expect(JourneyService.renewedExpiry(now + JourneyService.lifetime - 3599, now: now) == nil)
        #expect(JourneyService.renewedExpiry(now + JourneyService.lifetime, now: now) == nil)
        #expect(JourneyService.renewedExpiry(now + JourneyService.savedLifetime, now: now) == nil)
    }
}
