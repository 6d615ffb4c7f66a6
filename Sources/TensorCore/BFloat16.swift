/// A bfloat16 value: the upper 16 bits of an IEEE float32.
///
/// Swift has no native bfloat16, so this stores the bits and converts through `Float`.
public struct BFloat16: Hashable, Sendable, BitwiseCopyable {
    /// The raw 16 bits.
    public var bitPattern: UInt16

    /// Wraps raw bits.
    public init(bitPattern: UInt16) { self.bitPattern = bitPattern }

    /// Rounds a float to the nearest bfloat16, ties to even; NaN stays NaN.
    public init(_ value: Float) {
        let bits = value.bitPattern
        if value.isNaN {
            bitPattern = UInt16(truncatingIfNeeded: bits >> 16) | 0x0040
        } else {
            let roundingBias: UInt32 = 0x7FFF + ((bits >> 16) & 1)
            bitPattern = UInt16(truncatingIfNeeded: (bits &+ roundingBias) >> 16)
        }
    }

    /// The exact float32 value.
    public var floatValue: Float { Float(bitPattern: UInt32(bitPattern) << 16) }
}
