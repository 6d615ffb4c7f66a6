import Foundation

/// Human-readable numbers for reports.
enum Formatting {
    /// `2.4 MB`, `512 B`, `1.2 GB` (decimal units, as file managers show them).
    static func bytes(_ count: Int) -> String {
        scaled(Double(count), units: ["B", "kB", "MB", "GB", "TB"], base: 1000, suffixSpace: true)
    }

    /// `620.0 k`, `16.7 M`, `5.12 G`.
    static func count(_ value: Int) -> String {
        value < 1000 ? String(value) : scaled(Double(value), units: ["", "k", "M", "G", "T", "P"], base: 1000, suffixSpace: true)
    }

    /// `1,234,567`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return value < 0 ? "-" + out : out
    }

    private static func scaled(_ value: Double, units: [String], base: Double, suffixSpace: Bool) -> String {
        var v = value
        var unit = 0
        while v >= base, unit < units.count - 1 {
            v /= base
            unit += 1
        }
        let digits = unit == 0 ? 0 : (v < 10 ? 2 : (v < 100 ? 1 : 0))
        return String(format: "%.\(digits)f", v) + (suffixSpace ? " " : "") + units[unit]
    }
}
