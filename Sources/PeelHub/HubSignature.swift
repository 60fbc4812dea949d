import Crypto
import Foundation
import PeelCore
import Synchronization

/// How Peel and a records system sign what they send each other (`docs/integration/README.md`):
/// HMAC-SHA256, with the force's shared secret, over the timestamp, a full stop and the body.
///
///     Peel-Timestamp: 1795430400
///     Peel-Signature: v1=5f1c…(64 hex digits)
///
/// A receiver refuses a message whose timestamp is more than ``window`` from its own clock, and
/// (with a ``ReplayGuard``) one whose signature it has already accepted.
package enum HubSignature {
    package static let timestampHeader = "Peel-Timestamp"
    package static let signatureHeader = "Peel-Signature"
    package static let idempotencyHeader = "Idempotency-Key"
    /// How far a timestamp may be from the receiver's clock: five minutes either way.
    package static let window: TimeInterval = 300

    package enum Failure: Error, Hashable, CustomStringConvertible {
        case missing
        case malformed
        case outsideWindow
        case mismatch
        case replayed

        /// The API error code.
        package var code: String {
            switch self {
            case .missing: "signature_missing"
            case .malformed: "signature_malformed"
            case .outsideWindow: "timestamp_outside_window"
            case .mismatch: "signature_mismatch"
            case .replayed: "signature_replayed"
            }
        }

        package var description: String {
            switch self {
            case .missing: "The Peel-Timestamp and Peel-Signature headers are required."
            case .malformed: "Peel-Timestamp must be whole seconds since 1970 and Peel-Signature v1= and 64 hex digits."
            case .outsideWindow: "Peel-Timestamp is more than five minutes from the receiver's clock."
            case .mismatch: "Peel-Signature does not match the body and timestamp for this secret."
            case .replayed: "This signed message was already received."
            }
        }
    }

    /// The `Peel-Signature` value for `body` sent at `timestamp`.
    package static func sign(_ body: some DataProtocol, timestamp: Int64, secret: [UInt8]) -> String {
        var message = Data("\(timestamp).".utf8)
        message.append(contentsOf: body)
        return "v1=" + mac(message, secret: secret)
    }

    /// Lower-case hex HMAC-SHA256 of `message` keyed with `secret`: what every Peel signature is.
    package static func mac(_ message: some DataProtocol, secret: [UInt8]) -> String {
        HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: secret)).lowercaseHex
    }

    /// Whether `text` is `count` hex digits.
    static func isHex(_ text: some StringProtocol, count: Int) -> Bool {
        text.utf8.count == count && text.allSatisfy(\.isHexDigit)
    }

    /// The headers to send `body` with, signed now.
    package static func headers(for body: some DataProtocol, secret: [UInt8], at date: Date) -> [(String, String)] {
        let timestamp = Int64(date.timeIntervalSince1970.rounded(.down))
        return [(timestampHeader, String(timestamp)), (signatureHeader, sign(body, timestamp: timestamp, secret: secret))]
    }

    /// Checks a received message's signature; returns the signature (for a replay guard) or why
    /// it is refused.
    package static func verify(
        _ body: some DataProtocol, timestamp: String?, signature: String?, secret: [UInt8], now: Date
    ) -> Result<String, Failure> {
        guard let timestamp, let signature else { return .failure(.missing) }
        guard let seconds = Int64(timestamp), signature.hasPrefix("v1="), isHex(signature.dropFirst(3), count: 64)
        else { return .failure(.malformed) }
        guard abs(now.timeIntervalSince1970 - Double(seconds)) <= window else { return .failure(.outsideWindow) }
        let expected = sign(body, timestamp: seconds, secret: secret)
        guard constantTimeEquals(expected, signature.lowercased()) else { return .failure(.mismatch) }
        return .success(expected)
    }

}

/// Remembers the signatures accepted within the signature window, so that a message captured
/// and sent again is refused. Entries older than twice the window are forgotten: by then the
/// timestamp check refuses the message anyway.
package final class ReplayGuard: Sendable {
    private struct State {
        var seen: [String: Date] = [:]
        var lastSweep = Date.distantPast
    }

    private let state = Mutex(State())

    package init() {}

    /// Records `signature`; `false` when it was already accepted.
    package func accept(_ signature: String, now: Date) -> Bool {
        state.withLock { state in
            if now.timeIntervalSince(state.lastSweep) > 60 {
                let cutoff = now - HubSignature.window * 2
                state.seen = state.seen.filter { $0.value >= cutoff }
                state.lastSweep = now
            }
            guard state.seen[signature] == nil else { return false }
            state.seen[signature] = now
            return true
        }
    }
}
