import Foundation

/// The id of a new stored record (a report, a timeline event, a job, a message, …): a UUID of
/// version 7 in lowercase text, `0190f5a2-7c1e-7abc-9def-0123456789ab`.
///
/// Version 7 puts the time in milliseconds first and 74 random bits after it, so ids made one
/// after another sort one after another. A table's index on its id then grows at its right-hand
/// end, as an index on a time does: the records of one commit share a few pages of the index
/// rather than each dirtying a page of its own somewhere in it, which is what a fully random id
/// (version 4) does, page by page written to SQLite's write-ahead log or PostgreSQL's. The ids
/// stay unguessable (74 random bits), but they are not secrets and are never used as one:
/// secrets are ``Tokens``.
///
/// The random bits come from the system's generator (`getrandom` on Linux) in two draws, not
/// from Foundation's `UUID()`, which on Linux opens, reads and closes `/dev/urandom` for each id.
package enum RecordID {
    package static func make(at date: Date = Date()) -> String {
        var generator = SystemRandomNumberGenerator()
        return make(milliseconds: UInt64(max(0, (date.timeIntervalSince1970 * 1000).rounded(.down))), using: &generator)
    }

    /// The id for `milliseconds` since 1970 with random bits from `generator` (RFC 9562, 5.7).
    package static func make(milliseconds: UInt64, using generator: inout some RandomNumberGenerator) -> String {
        let random = generator.next() as UInt64
        let more = generator.next() as UInt64
        // 48 bits of time, the version (7), 12 random bits.
        let high = (milliseconds & 0xFFFF_FFFF_FFFF) << 16 | 0x7000 | (more & 0x0FFF)
        // The variant (binary 10), then 62 random bits.
        let low = 0x8000_0000_0000_0000 | (random & 0x3FFF_FFFF_FFFF_FFFF)
        return String(unsafeUninitializedCapacity: 36) { buffer in
            let digits: StaticString = "0123456789abcdef"
            var position = 0
            func put(_ word: UInt64, nibbles: Range<Int>) {
                for nibble in nibbles.reversed() {
                    if position == 8 || position == 13 || position == 18 || position == 23 {
                        buffer[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    buffer[position] = digits.utf8Start[Int((word >> (UInt64(nibble) * 4)) & 0xF)]
                    position += 1
                }
            }
            put(high, nibbles: 0..<16)
            put(low, nibbles: 0..<16)
            return position
        }
    }
}
