import Foundation
import PeelCore
import Testing

@Suite("Record ids: time-ordered UUIDs")
struct RecordIDTests {
    /// Hands out the given words in turn, so that the random bits are known.
    struct Fixed: RandomNumberGenerator {
        var words: [UInt64]
        mutating func next() -> UInt64 { words.removeFirst() }
    }

    @Test("the layout of RFC 9562's version 7: the time in milliseconds, the version, the variant, the random bits")
    func layout() {
        var generator = Fixed(words: [0xFFFF_FFFF_FFFF_FFFF, 0x0123])
        let id = RecordID.make(milliseconds: 0x0190_F5A2_7C1E, using: &generator)
        #expect(id == "0190f5a2-7c1e-7123-bfff-ffffffffffff")
        var zero = Fixed(words: [0, 0])
        #expect(RecordID.make(milliseconds: 0, using: &zero) == "00000000-0000-7000-8000-000000000000")
    }

    @Test("an id reads back as a UUID of version 7 holding its time, in lowercase")
    func readsBack() throws {
        let date = Date(timeIntervalSince1970: 1_795_000_000.123)
        let id = RecordID.make(at: date)
        let uuid = try #require(UUID(uuidString: id))
        #expect(uuid.uuidString.lowercased() == id)
        let bytes = withUnsafeBytes(of: uuid.uuid) { Array($0) }
        #expect(bytes[6] >> 4 == 7)
        #expect(bytes[8] >> 6 == 0b10)
        let milliseconds = bytes[0..<6].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        #expect(milliseconds == 1_795_000_000_123)
    }

    @Test("ids made in later milliseconds sort after earlier ones; ids are not repeated")
    func ordered() {
        var generator = SystemRandomNumberGenerator()
        let ids = (UInt64(0)..<2_000).map { RecordID.make(milliseconds: 1_795_000_000_000 + $0, using: &generator) }
        #expect(zip(ids, ids.dropFirst()).allSatisfy { $0 < $1 })
        let sameMoment = (0..<10_000).map { _ in RecordID.make(at: Date(timeIntervalSince1970: 1_795_000_000)) }
        #expect(Set(sameMoment).count == sameMoment.count)
    }
}
