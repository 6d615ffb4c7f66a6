/// Float samples to integers: clamped to [0, 1] (model outputs overshoot it; NaN becomes 0),
/// scaled to the largest value and rounded to nearest, halves up.
enum SampleQuantization {
    static func to8(_ values: [Float]) -> [UInt8] {
        values.map { UInt8(clamped($0) * 255 + 0.5) }
    }

    static func to16(_ values: [Float]) -> [UInt16] {
        values.map { UInt16(clamped($0) * 65535 + 0.5) }
    }

    /// 16-bit samples to 8 bits, rounding v × 255 / 65535 to nearest.
    static func reduced(_ values: [UInt16]) -> [UInt8] {
        values.map { UInt8((UInt32($0) * 255 + 32767) / 65535) }
    }

    /// `value` limited to [0, 1]; NaN fails both comparisons and becomes 0.
    @inline(__always)
    private static func clamped(_ value: Float) -> Float {
        value >= 0 ? (value <= 1 ? value : 1) : 0
    }
}
