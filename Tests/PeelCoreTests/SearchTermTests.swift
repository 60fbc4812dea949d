import Foundation
import Testing

@testable import PeelCore

@Suite("Search terms")
struct SearchTermTests {
    @Test("terms are lowercase letters, digits and @._-+, at most 80 characters, in any script")
    func normalised() {
        #expect(SearchTerm.normalise("MET-4K7QX2-9") == "met-4k7qx2-9")
        #expect(SearchTerm.normalise(" Sam O'Brien <sam@Example.org> ") == "samobriensam@example.org")
        #expect(SearchTerm.normalise("SW1A 2AA") == "sw1a2aa")
        #expect(SearchTerm.normalise("Siân Llŷr") == "siânllŷr")
        #expect(SearchTerm.normalise(String(repeating: "ab ", count: 100)) == String(repeating: "ab", count: 40))
        #expect(SearchTerm.normalise("<script>") == "script")
    }

    @Test("a phone number is its digits, a leading +44 read as 0")
    func phones() {
        #expect(SearchTerm.phone("07700 900 982") == "07700900982")
        #expect(SearchTerm.phone("  +44 7700 900982") == "07700900982")
        #expect(SearchTerm.phone("(01632) 960-001 ext. 2") == "016329600012")
        #expect(SearchTerm.phone("\u{00A0}+44 7700 900982") == "07700900982")
        #expect(SearchTerm.phone("٠٧٧٠٠ 123") == "123")
    }

    @Test("the byte-by-byte reading of ASCII text gives what the general reading gives")
    func asciiAsGeneral() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array(" \t\r\n!\"#$%&'()*+,-./0123456789:;<=>?@ABCXYZ[\\]^_`abcxyz{|}~\u{7F}\u{01}")
        for length in [0, 1, 5, 40, 79, 80, 81, 159, 160, 161, 300] {
            for _ in 0..<50 {
                let text = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
                #expect(SearchTerm.asciiNormalised(text) == SearchTerm.unicodeNormalised(text), "\(text.debugDescription)")
                let number = (Bool.random(using: &generator) ? "+44" : "") + text
                #expect(SearchTerm.phone(number) == SearchTerm.unicodePhone(number), "\(number.debugDescription)")
            }
        }
        #expect(SearchTerm.asciiNormalised("Siân") == nil)
    }
}
