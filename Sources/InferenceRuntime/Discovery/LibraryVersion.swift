/// A dotted library version compared numerically: `1.31.1`, `1.9.0`, `2026.4.1-22982-…`.
///
/// Used to refuse libraries older than the API Tessera's declarations were written against, and
/// for manifests' minimum versions.
public struct LibraryVersion: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int

    public init(major: Int, minor: Int, patch: Int = 0) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    /// Parses the leading `major.minor[.patch]`; a component stops at its first non-digit, and
    /// `-` separates like `.` (`2024.0-1234` is 2024.0). `nil` without at least major and minor.
    public init?(_ text: String) {
        let parts = text.split(whereSeparator: { $0 == "." || $0 == "-" }).prefix(3).map { $0.prefix { $0.isNumber } }
        guard parts.count >= 2, let major = Int(parts[0]), let minor = Int(parts[1]) else { return nil }
        self.init(major: major, minor: minor, patch: parts.count > 2 ? Int(parts[2]) ?? 0 : 0)
    }

    public static func < (a: LibraryVersion, b: LibraryVersion) -> Bool {
        (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch)
    }

    public var description: String { "\(major).\(minor).\(patch)" }
}
