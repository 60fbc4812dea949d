import Foundation

/// Email addresses as Peel accepts them from staff and administrators.
package enum EmailAddress {
    /// One `@` with something before it and a dotted domain after, 254 characters at most, no
    /// spaces or angle brackets.
    package static func isWellFormed(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return text.count <= 254 && parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".")
            && !text.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" })
    }
}
