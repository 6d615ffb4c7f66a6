import Foundation

/// The session's secret: 32 random bytes as hex, printed once in the URL and required on every
/// API request.
struct AccessToken: Sendable {
    let value: String

    /// A fresh token from the system's cryptographic generator.
    init() {
        var generator = SystemRandomNumberGenerator()
        value = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }
            .joined()
    }

    /// Compares in time independent of where the strings differ, so the token cannot be
    /// guessed a character at a time.
    func matches(_ candidate: String?) -> Bool {
        guard let candidate else { return false }
        let a = Array(value.utf8)
        let b = Array(candidate.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
