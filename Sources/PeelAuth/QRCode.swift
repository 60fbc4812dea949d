// QRCode.swift
//
// A self-contained QR Code (Model 2) encoder written from ISO/IEC 18004:2015,
// plus an SVG renderer. Scope, deliberately narrow:
//
// * Byte mode only: the text's UTF-8 bytes in a single segment. No ECI header
//   is written; readers treat byte-mode data that is valid UTF-8 as UTF-8, and
//   the intended payload (otpauth:// URLs) is ASCII anyway.
// * All versions 1...40 and all four error-correction levels; the smallest
//   version that fits is used, and the mask with the lowest penalty is chosen.
//
// Coordinates: `x` is the column (0 = left), `y` is the row (0 = top).
// Table, figure and annex numbers in comments refer to ISO/IEC 18004:2015.

/// An encoded QR Code symbol: an immutable square grid of dark and light modules.
package struct QRCode: Sendable {
    /// Error-correction level. Each recovers roughly 7 %, 15 %, 25 % and 30 %
    /// of the symbol's codewords respectively, at the cost of capacity.
    package enum Correction: Sendable { case low, medium, quartile, high }

    /// Why a text cannot be encoded.
    package enum EncodingError: Error, Equatable {
        /// The text's UTF-8 encoding is `bytes` long, but a version 40 symbol
        /// at the requested correction level holds at most `maximum` bytes.
        case tooLong(bytes: Int, maximum: Int)
    }

    /// The symbol version, 1...40.
    package let version: Int
    /// Modules per side, `17 + 4 * version`.
    package let size: Int
    /// The data mask pattern reference applied to the symbol, 0...7.
    package let mask: Int
    /// Row-major, `true` = dark. Count is `size * size`.
    private let modules: [Bool]

    /// Encodes `text` as a QR Code.
    ///
    /// Uses byte mode (UTF-8), the smallest version 1...40 that fits at
    /// `correction`, and the best mask by the standard's penalty rules.
    /// - Throws: ``EncodingError/tooLong(bytes:maximum:)`` if even version 40
    ///   cannot hold the text at `correction`.
    package static func encode(_ text: String, correction: Correction = .medium) throws(EncodingError) -> QRCode {
        try encode(bytes: Array(text.utf8), correction: correction)
    }

    /// Whether the module at column `x`, row `y` is dark.
    ///
    /// Coordinates outside `0..<size` are part of the (light) quiet zone and
    /// return `false`.
    package func isDark(x: Int, y: Int) -> Bool {
        guard x >= 0, x < size, y >= 0, y < size else { return false }
        return modules[y * size + x]
    }

    /// Renders the symbol as a standalone SVG element suitable for inlining in HTML.
    ///
    /// The drawing has `role="img"` with an accessible `<title>` (XML-escaped),
    /// a `viewBox` in module units, a white background, a single `<path>` for
    /// all dark modules and `shape-rendering="crispEdges"`.
    /// - Parameters:
    ///   - title: The accessible name, e.g. "QR code for enrolling your authenticator".
    ///   - moduleSize: Pixels per module for the `width`/`height` attributes
    ///     (values below 1 are treated as 1). The drawing itself scales freely.
    ///   - quietZone: Light margin in modules on every side (negative values are
    ///     treated as 0). The standard requires 4; do not go below it unless the
    ///     page already provides a light margin.
    package func svg(title: String, moduleSize: Int = 4, quietZone: Int = 4) -> String {
        let margin = max(0, quietZone)
        let side = size + 2 * margin
        let pixels = side * max(1, moduleSize)

        // One subpath per horizontal run of dark modules keeps the path short
        // (runs are typically 2–3× fewer than modules) and free of seams.
        var path = ""
        for y in 0..<size {
            var x = 0
            while x < size {
                guard isDark(x: x, y: y) else { x += 1; continue }
                let start = x
                while x < size && isDark(x: x, y: y) { x += 1 }
                let run = x - start
                path += "M\(start + margin) \(y + margin)h\(run)v1h-\(run)z"
            }
        }

        return """
            <svg xmlns="http://www.w3.org/2000/svg" role="img" width="\(pixels)" height="\(pixels)" \
            viewBox="0 0 \(side) \(side)" shape-rendering="crispEdges">\
            <title>\(Self.xmlEscaped(title))</title>\
            <rect width="\(side)" height="\(side)" fill="#fff"/>\
            <path fill="#000" d="\(path)"/>\
            </svg>
            """
    }
}

// MARK: - Encoding pipeline

extension QRCode {
    /// The full pipeline on raw bytes. `mask` forces a mask pattern instead of
    /// choosing the best one (used by tests to compare against other encoders).
    static func encode(bytes: [UInt8], correction: Correction, mask forcedMask: Int? = nil) throws(EncodingError) -> QRCode {
        precondition(forcedMask.map { (0...7).contains($0) } ?? true, "mask must be 0...7")
        guard let version = (1...40).first(where: { bytes.count <= byteCapacity(version: $0, correction: correction) }) else {
            throw .tooLong(bytes: bytes.count, maximum: byteCapacity(version: 40, correction: correction))
        }

        let data = dataCodewords(for: bytes, version: version, correction: correction)
        let codewords = interleavedCodewords(data: data, version: version, correction: correction)
        var unmasked = ModuleGrid(version: version)
        unmasked.placeCodewords(codewords)

        let mask: Int
        if let forcedMask {
            mask = forcedMask
        } else {
            // Data masking: evaluate every pattern on the complete symbol (format
            // information included) and keep the lowest score; ties go to the
            // lower pattern number.
            let scores = (0..<8).map { unmasked.masked(with: $0, correction: correction).penalty.total }
            mask = scores.indices.min { scores[$0] < scores[$1] }!
        }
        let final = unmasked.masked(with: mask, correction: correction)
        return QRCode(version: version, size: final.size, mask: mask, modules: final.dark)
    }

    /// Penalty scores of the eight mask patterns for `bytes` at `correction`
    /// (index = mask), as used for the automatic choice.
    static func maskPenalties(bytes: [UInt8], correction: Correction) throws(EncodingError) -> [Int] {
        try (0..<8).map { mask throws(EncodingError) in
            let code = try encode(bytes: bytes, correction: correction, mask: mask)
            return penalty(of: code.modules, size: code.size).total
        }
    }

    /// Byte-mode character count indicator length (Table 3): 8 bits for
    /// versions 1–9, 16 bits for 10–26 and 27–40.
    static func characterCountBits(version: Int) -> Int {
        version <= 9 ? 8 : 16
    }

    /// The most bytes a single byte-mode segment can carry in this version and level.
    static func byteCapacity(version: Int, correction: Correction) -> Int {
        let bits = ErrorCorrectionTable.dataCodewords(version: version, correction: correction) * 8
        return (bits - 4 - characterCountBits(version: version)) / 8
    }

    /// Builds the data codewords: mode indicator, character count,
    /// the bytes, terminator, zero bits up to a byte boundary, then alternating
    /// pad codewords 0xEC 0x11 to fill the capacity.
    static func dataCodewords(for bytes: [UInt8], version: Int, correction: Correction) -> [UInt8] {
        let capacity = ErrorCorrectionTable.dataCodewords(version: version, correction: correction)
        var bits = BitWriter()
        bits.append(0b0100, count: 4)  // byte mode
        bits.append(bytes.count, count: characterCountBits(version: version))
        for byte in bytes { bits.append(Int(byte), count: 8) }
        assert(bits.count <= capacity * 8, "caller must pick a version that fits")

        // The terminator is up to four zero bits; it is shortened (or omitted)
        // when the symbol is full. (In byte mode at least four bits are
        // always left, but the general rule costs nothing.)
        bits.append(0, count: min(4, capacity * 8 - bits.count))
        bits.append(0, count: (8 - bits.count % 8) % 8)

        var codewords = bits.bytes
        var pad: UInt8 = 0xEC
        while codewords.count < capacity {
            codewords.append(pad)
            pad = pad == 0xEC ? 0x11 : 0xEC
        }
        return codewords
    }

    /// Splits the data codewords into blocks, appends each block's Reed–Solomon
    /// codewords and interleaves everything into the final message sequence.
    static func interleavedCodewords(data: [UInt8], version: Int, correction: Correction) -> [UInt8] {
        let blockCount = ErrorCorrectionTable.blockCount(version: version, correction: correction)
        let ecLength = ErrorCorrectionTable.ecCodewordsPerBlock(version: version, correction: correction)
        let total = ModuleGrid.dataModuleCount(version: version) / 8
        assert(data.count == total - blockCount * ecLength)

        // Table 9 lists at most two block sizes per level; the shorter blocks
        // come first and the longer ones hold exactly one more data codeword.
        let longBlocks = total % blockCount
        let shortDataLength = total / blockCount - ecLength
        let generator = ReedSolomon.generator(degree: ecLength)

        var dataBlocks: [ArraySlice<UInt8>] = []
        var ecBlocks: [[UInt8]] = []
        var offset = 0
        for index in 0..<blockCount {
            let length = shortDataLength + (index >= blockCount - longBlocks ? 1 : 0)
            let block = data[offset..<offset + length]
            dataBlocks.append(block)
            ecBlocks.append(ReedSolomon.remainder(of: block, generator: generator))
            offset += length
        }

        // Column by column: codeword i of every block, skipping short blocks at
        // the last data column; then the error-correction codewords likewise.
        var result: [UInt8] = []
        result.reserveCapacity(total)
        for i in 0...shortDataLength {
            for block in dataBlocks where i < block.count {
                result.append(block[block.startIndex + i])
            }
        }
        for i in 0..<ecLength {
            for block in ecBlocks { result.append(block[i]) }
        }
        return result
    }
}

// MARK: - Format and version information

extension QRCode.Correction {
    /// The two-bit error correction level indicator of the format information
    /// (Table 12). Note it is not in order of strength.
    var formatBits: Int {
        switch self {
        case .low: 0b01
        case .medium: 0b00
        case .quartile: 0b11
        case .high: 0b10
        }
    }
}

extension QRCode {
    /// The 15-bit format information (Annex C): level and mask, a BCH(15,5)
    /// code with generator x^10+x^8+x^5+x^4+x^2+x+1 (0x537), then XORed with
    /// 0x5412 so the result is never all zero.
    static func formatInformation(correction: Correction, mask: Int) -> Int {
        let data = correction.formatBits << 3 | mask
        return (data << 10 | bchRemainder(data << 10, generator: 0x537)) ^ 0x5412
    }

    /// The 18-bit version information for versions 7...40 (Annex D): the version
    /// number with a BCH(18,6) code, generator x^12+x^11+x^10+x^9+x^8+x^5+x^2+1
    /// (0x1F25). Not masked.
    static func versionInformation(version: Int) -> Int {
        version << 12 | bchRemainder(version << 12, generator: 0x1F25)
    }

    /// The remainder of polynomial division over GF(2), bits as coefficients.
    private static func bchRemainder(_ dividend: Int, generator: Int) -> Int {
        func degree(_ polynomial: Int) -> Int { Int.bitWidth - 1 - polynomial.leadingZeroBitCount }
        var remainder = dividend
        while remainder != 0 && degree(remainder) >= degree(generator) {
            remainder ^= generator << (degree(remainder) - degree(generator))
        }
        return remainder
    }
}

// MARK: - Mask evaluation (Table 11)

extension QRCode {
    /// The score of each of the four mask penalty rules of Table 11.
    struct Penalty: Equatable {
        /// Rule 1 (N1 = 3): per run of five or more same-colour modules in a
        /// row or column, 3 + (length − 5).
        var runs = 0
        /// Rule 2 (N2 = 3): 3 per 2×2 block of one colour (overlaps count, so
        /// an m×n block scores 3·(m−1)·(n−1) as the standard states).
        var blocks = 0
        /// Rule 3 (N3 = 40): 40 per finder-like 1:1:3:1:1 (dark, light, three
        /// dark, light, dark) pattern in a row or column with four light
        /// modules on at least one side. Each pattern counts once. Modules
        /// beyond the edge count as light, since they are the quiet zone.
        var finderLike = 0
        /// Rule 4 (N4 = 10): 10 per full 5 % that the dark proportion deviates
        /// from 50 %.
        var balance = 0

        var total: Int { runs + blocks + finderLike + balance }
    }

    /// Scores a square grid (row-major, `true` = dark) by the four penalty rules.
    static func penalty(of modules: [Bool], size: Int) -> Penalty {
        precondition(modules.count == size * size)
        var penalty = Penalty()
        var line = [Bool](repeating: false, count: size)

        for direction in 0..<2 {
            for i in 0..<size {
                for j in 0..<size {
                    line[j] = direction == 0 ? modules[i * size + j] : modules[j * size + i]
                }
                penalty.runs += runPenalty(line)
                penalty.finderLike += finderLikePenalty(line)
            }
        }

        for y in 0..<(size - 1) {
            for x in 0..<(size - 1) {
                let colour = modules[y * size + x]
                if modules[y * size + x + 1] == colour,
                   modules[(y + 1) * size + x] == colour,
                   modules[(y + 1) * size + x + 1] == colour {
                    penalty.blocks += 3
                }
            }
        }

        // k = floor(|dark% − 50| / 5), in integers: |20·dark − 10·total| / total.
        let dark = modules.reduce(0) { $1 ? $0 + 1 : $0 }
        let total = modules.count
        penalty.balance = 10 * (abs(20 * dark - 10 * total) / total)
        return penalty
    }

    private static func runPenalty(_ line: [Bool]) -> Int {
        var score = 0
        var start = 0
        for end in 1...line.count where end == line.count || line[end] != line[start] {
            let length = end - start
            if length >= 5 { score += 3 + (length - 5) }
            start = end
        }
        return score
    }

    private static func finderLikePenalty(_ line: [Bool]) -> Int {
        let pattern = [true, false, true, true, true, false, true]
        func isLight(_ range: Range<Int>) -> Bool {
            range.allSatisfy { $0 < 0 || $0 >= line.count || !line[$0] }
        }
        var score = 0
        for start in 0..<max(0, line.count - pattern.count + 1)
        where line[start..<start + pattern.count].elementsEqual(pattern) {
            let end = start + pattern.count
            if isLight(start - 4..<start) || isLight(end..<end + 4) { score += 40 }
        }
        return score
    }
}

// MARK: - Module grid

/// A symbol under construction: module colours plus which modules belong to
/// function patterns (and so are neither data nor masked).
struct ModuleGrid {
    let version: Int
    let size: Int
    private(set) var dark: [Bool]
    private(set) var isFunction: [Bool]

    /// A grid with all function patterns drawn, the format information areas
    /// reserved and, for version 7 and up, the version information drawn.
    init(version: Int) {
        precondition((1...40).contains(version))
        self.version = version
        size = 17 + 4 * version
        dark = Array(repeating: false, count: size * size)
        isFunction = Array(repeating: false, count: size * size)

        // Timing patterns: row 6 and column 6, dark on even indices.
        // Drawn first; the finders and alignment patterns overwrite the ends.
        for i in 0..<size {
            setFunction(x: 6, y: i, dark: i % 2 == 0)
            setFunction(x: i, y: 6, dark: i % 2 == 0)
        }

        // Finder patterns with their light separators: a 9×9
        // area around each finder's centre, clipped to the symbol. By
        // Chebyshev distance from the centre: ≤1 dark core, 2 light, 3 dark
        // ring, 4 separator.
        for (cx, cy) in [(3, 3), (size - 4, 3), (3, size - 4)] {
            for dy in -4...4 {
                for dx in -4...4 where (0..<size).contains(cx + dx) && (0..<size).contains(cy + dy) {
                    let distance = max(abs(dx), abs(dy))
                    setFunction(x: cx + dx, y: cy + dy, dark: distance != 2 && distance != 4)
                }
            }
        }

        // Alignment patterns (Annex E): at every combination of the
        // listed coordinates except the three that collide with finders.
        let positions = Self.alignmentPatternCentres(version: version)
        for cy in positions {
            for cx in positions {
                let last = positions.last
                if (cx == 6 && cy == 6) || (cx == 6 && cy == last) || (cx == last && cy == 6) { continue }
                for dy in -2...2 {
                    for dx in -2...2 {
                        setFunction(x: cx + dx, y: cy + dy, dark: max(abs(dx), abs(dy)) != 1)
                    }
                }
            }
        }

        // Reserve the format information areas; the real bits depend on the
        // mask and are drawn by `masked(with:correction:)`. This also places
        // the always-dark module.
        drawFormatInformation(0)

        // Version information: a 3-wide × 6-tall block left of the top-right
        // finder and its transpose above the bottom-left one. Bit i (0 = least
        // significant) lies at (size − 11 + i % 3, i / 3) and at its mirror.
        if version >= 7 {
            let bits = QRCode.versionInformation(version: version)
            for i in 0..<18 {
                let bit = (bits >> i) & 1 == 1
                let a = size - 11 + i % 3, b = i / 3
                setFunction(x: a, y: b, dark: bit)
                setFunction(x: b, y: a, dark: bit)
            }
        }
    }

    private mutating func setFunction(x: Int, y: Int, dark isDark: Bool) {
        dark[y * size + x] = isDark
        isFunction[y * size + x] = true
    }

    /// Writes the 15 format bits (bit 14 most significant) into both copies
    /// and sets the dark module.
    private mutating func drawFormatInformation(_ bits: Int) {
        func bit(_ i: Int) -> Bool { (bits >> i) & 1 == 1 }

        // Copy 1, around the top-left finder: bits 0–7 up column 8 (skipping
        // the timing row), bits 8–14 leftwards along row 8 (skipping the
        // timing column).
        let column8Rows = [0, 1, 2, 3, 4, 5, 7, 8]
        for (i, y) in column8Rows.enumerated() { setFunction(x: 8, y: y, dark: bit(i)) }
        let row8Columns = [7, 5, 4, 3, 2, 1, 0]
        for (i, x) in row8Columns.enumerated() { setFunction(x: x, y: 8, dark: bit(8 + i)) }

        // Copy 2: bits 0–7 along row 8 under the top-right finder, from the
        // right edge leftwards; bits 8–14 down column 8 beside the bottom-left
        // finder, ending at the bottom edge.
        for i in 0..<8 { setFunction(x: size - 1 - i, y: 8, dark: bit(i)) }
        for i in 8..<15 { setFunction(x: 8, y: size - 15 + i, dark: bit(i)) }

        // The dark module at (8, 4·version + 9), i.e. above copy 2's bits.
        setFunction(x: 8, y: size - 8, dark: true)
    }

    /// Places the final codeword sequence: two-module-wide columns
    /// from the right edge, alternately upwards and downwards, right module
    /// before left, skipping function modules and the vertical timing column.
    /// Leftover modules (remainder bits) stay light.
    mutating func placeCodewords(_ codewords: [UInt8]) {
        precondition(codewords.count == Self.dataModuleCount(version: version) / 8)
        var bitIndex = 0
        let bitCount = codewords.count * 8
        var right = size - 1
        var upward = true
        while right > 0 {
            if right == 6 { right = 5 }
            for step in 0..<size {
                let y = upward ? size - 1 - step : step
                for x in [right, right - 1] where !isFunction[y * size + x] {
                    if bitIndex < bitCount {
                        dark[y * size + x] = (codewords[bitIndex / 8] >> (7 - bitIndex % 8)) & 1 == 1
                    }
                    bitIndex += 1
                }
            }
            upward.toggle()
            right -= 2
        }
        assert(bitIndex == Self.dataModuleCount(version: version))
    }

    /// A copy with data mask pattern `mask` (Table 10) applied to every
    /// non-function module and the matching format information drawn.
    func masked(with mask: Int, correction: QRCode.Correction) -> ModuleGrid {
        var copy = self
        for y in 0..<size {
            for x in 0..<size where !isFunction[y * size + x] && Self.maskCondition(mask, row: y, column: x) {
                copy.dark[y * size + x].toggle()
            }
        }
        copy.drawFormatInformation(QRCode.formatInformation(correction: correction, mask: mask))
        return copy
    }

    var penalty: QRCode.Penalty { QRCode.penalty(of: dark, size: size) }

    /// Table 10, with i the row and j the column: where the condition holds
    /// the module is inverted.
    static func maskCondition(_ mask: Int, row i: Int, column j: Int) -> Bool {
        switch mask {
        case 0: (i + j) % 2 == 0
        case 1: i % 2 == 0
        case 2: j % 3 == 0
        case 3: (i + j) % 3 == 0
        case 4: (i / 2 + j / 3) % 2 == 0
        case 5: (i * j) % 2 + (i * j) % 3 == 0
        case 6: ((i * j) % 2 + (i * j) % 3) % 2 == 0
        case 7: ((i + j) % 2 + (i * j) % 3) % 2 == 0
        default: preconditionFailure("mask must be 0...7")
        }
    }

    /// Modules available for data and error correction, remainder bits
    /// included (Table 1, "data modules except (C)"). Derived by subtracting
    /// the function patterns from the (4v + 17)² modules:
    /// - three finders with separators 3·64, two timing patterns
    ///   2·(4v + 1), format information and dark module 31, which leaves
    ///   16v² + 128v + 64;
    /// - n×n − 3 alignment patterns of 25 modules (n = v / 7 + 2 for v ≥ 2),
    ///   2·(n − 2) of which share 5 modules with a timing pattern;
    /// - 2·18 version information modules for v ≥ 7.
    static func dataModuleCount(version v: Int) -> Int {
        var count = (16 * v + 128) * v + 64
        if v >= 2 {
            let n = v / 7 + 2
            count -= 25 * (n * n - 3) - 10 * (n - 2)
        }
        if v >= 7 { count -= 36 }
        return count
    }

    /// Row/column coordinates of alignment pattern centres (Annex E, Table E.1).
    static func alignmentPatternCentres(version: Int) -> [Int] {
        alignmentPatternTable[version - 1]
    }

    private static let alignmentPatternTable: [[Int]] = [
        [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34],                                 // 1–6
        [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50], [6, 30, 54], [6, 32, 58],    // 7–12
        [6, 34, 62], [6, 26, 46, 66], [6, 26, 48, 70], [6, 26, 50, 74], [6, 30, 54, 78], // 13–17
        [6, 30, 56, 82], [6, 30, 58, 86], [6, 34, 62, 90],                               // 18–20
        [6, 28, 50, 72, 94], [6, 26, 50, 74, 98], [6, 30, 54, 78, 102],                  // 21–23
        [6, 28, 54, 80, 106], [6, 32, 58, 84, 110], [6, 30, 58, 86, 114],                // 24–26
        [6, 34, 62, 90, 118], [6, 26, 50, 74, 98, 122], [6, 30, 54, 78, 102, 126],       // 27–29
        [6, 26, 52, 78, 104, 130], [6, 30, 56, 82, 108, 134],                            // 30–31
        [6, 34, 60, 86, 112, 138], [6, 30, 58, 86, 114, 142],                            // 32–33
        [6, 34, 62, 90, 118, 146], [6, 30, 54, 78, 102, 126, 150],                       // 34–35
        [6, 24, 50, 76, 102, 128, 154], [6, 28, 54, 80, 106, 132, 158],                  // 36–37
        [6, 32, 58, 84, 110, 136, 162], [6, 26, 54, 82, 110, 138, 166],                  // 38–39
        [6, 30, 58, 86, 114, 142, 170],                                                  // 40
    ]
}

// MARK: - Error correction block structure (Table 9)

enum ErrorCorrectionTable {
    /// Error-correction codewords per block, indexed by version − 1.
    static func ecCodewordsPerBlock(version: Int, correction: QRCode.Correction) -> Int {
        switch correction {
        case .low: ecPerBlockL[version - 1]
        case .medium: ecPerBlockM[version - 1]
        case .quartile: ecPerBlockQ[version - 1]
        case .high: ecPerBlockH[version - 1]
        }
    }

    /// Number of error-correction blocks (both groups together), indexed by version − 1.
    static func blockCount(version: Int, correction: QRCode.Correction) -> Int {
        switch correction {
        case .low: blocksL[version - 1]
        case .medium: blocksM[version - 1]
        case .quartile: blocksQ[version - 1]
        case .high: blocksH[version - 1]
        }
    }

    /// Data codewords in the whole symbol: all codewords minus error correction.
    static func dataCodewords(version: Int, correction: QRCode.Correction) -> Int {
        ModuleGrid.dataModuleCount(version: version) / 8
            - blockCount(version: version, correction: correction) * ecCodewordsPerBlock(version: version, correction: correction)
    }

    // Versions 1–10, 11–20, 21–30, 31–40 on each line.
    private static let ecPerBlockL = [
        7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28,
        28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
    ]
    private static let ecPerBlockM = [
        10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
        26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
    ]
    private static let ecPerBlockQ = [
        13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30,
        28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
    ]
    private static let ecPerBlockH = [
        17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28,
        30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
    ]
    private static let blocksL = [
        1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8,
        8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25,
    ]
    private static let blocksM = [
        1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16,
        17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49,
    ]
    private static let blocksQ = [
        1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20,
        23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68,
    ]
    private static let blocksH = [
        1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25,
        25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81,
    ]
}

// MARK: - Reed–Solomon over GF(2^8)

/// Arithmetic in GF(256) with the QR Code field polynomial
/// x^8 + x^4 + x^3 + x^2 + 1 (0x11D) and primitive element α = 2.
enum GF256 {
    /// exp[i] = α^i for i in 0..<255, repeated once so log sums need no modulo.
    static let exp: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 510)
        var value = 1
        for i in 0..<255 {
            table[i] = UInt8(value)
            table[i + 255] = UInt8(value)
            value <<= 1
            if value & 0x100 != 0 { value ^= 0x11D }
        }
        return table
    }()

    /// log[α^i] = i; log[0] is unused.
    static let log: [Int] = {
        var table = [Int](repeating: 0, count: 256)
        for i in 0..<255 { table[Int(exp[i])] = i }
        return table
    }()

    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        a == 0 || b == 0 ? 0 : exp[log[Int(a)] + log[Int(b)]]
    }
}

enum ReedSolomon {
    /// The generator polynomial ∏_{i=0}^{degree−1} (x − α^i) (Annex A), its
    /// coefficients from the highest power down; the leading one is included.
    static func generator(degree: Int) -> [UInt8] {
        var polynomial: [UInt8] = [1]
        for i in 0..<degree {
            // Multiply by (x + α^i); subtraction is addition (XOR) in GF(2^8).
            var next = [UInt8](repeating: 0, count: polynomial.count + 1)
            for (j, coefficient) in polynomial.enumerated() {
                next[j] ^= coefficient
                next[j + 1] ^= GF256.multiply(coefficient, GF256.exp[i])
            }
            polynomial = next
        }
        return polynomial
    }

    /// The error-correction codewords: the remainder of data(x)·x^n divided by
    /// the degree-n `generator`, highest power first.
    static func remainder(of data: some Collection<UInt8>, generator: [UInt8]) -> [UInt8] {
        let degree = generator.count - 1
        var remainder = [UInt8](repeating: 0, count: degree)
        for byte in data {
            let factor = byte ^ remainder[0]
            remainder.removeFirst()
            remainder.append(0)
            for k in 0..<degree {
                remainder[k] ^= GF256.multiply(generator[k + 1], factor)
            }
        }
        return remainder
    }
}

// MARK: - Helpers

/// Accumulates bits most-significant first into bytes.
struct BitWriter {
    private(set) var bytes: [UInt8] = []
    private(set) var count = 0

    /// Appends the low `count` bits of `value`, most significant first.
    mutating func append(_ value: Int, count bitCount: Int) {
        precondition(bitCount >= 0 && (bitCount == Int.bitWidth || value >> bitCount == 0))
        for shift in stride(from: bitCount - 1, through: 0, by: -1) {
            if count % 8 == 0 { bytes.append(0) }
            if (value >> shift) & 1 == 1 { bytes[count / 8] |= 0x80 >> UInt8(count % 8) }
            count += 1
        }
    }
}

extension QRCode {
    /// Escapes text for XML character data and attribute values. Characters
    /// that XML 1.0 forbids outright (most C0 controls) become U+FFFD.
    static func xmlEscaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF:
                result += "\u{FFFD}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
