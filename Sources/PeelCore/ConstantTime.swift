/// Whether two strings are equal, taking the same time whichever byte differs, so that comparing
/// a secret (a token, a code, a signature) tells an attacker nothing about how much of it was right.
package func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8)
    let y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var difference: UInt8 = 0
    for index in x.indices { difference |= x[index] ^ y[index] }
    return difference == 0
}
