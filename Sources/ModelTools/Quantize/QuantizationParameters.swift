/// A scale and zero point: `real = scale × (q − zeroPoint)`.
///
/// Chosen as ONNX Runtime's quantizer chooses them, so that models agree with its output: the
/// range is widened to include 0 (so 0 is exact, as padding needs); symmetric ranges use
/// `[-127, 127]` for int8 and put the zero point in the middle; reduced range uses 7 bits.
public struct QuantizationParameters: Sendable, Hashable {
    public var scale: Float
    public var zeroPoint: Int

    public init(scale: Float, zeroPoint: Int) {
        self.scale = scale
        self.zeroPoint = zeroPoint
    }

    /// The integer range used for `type`.
    public static func integerRange(
        _ type: QuantizationOptions.IntegerType, symmetric: Bool, reduceRange: Bool
    ) -> ClosedRange<Int> {
        switch (type, reduceRange, symmetric) {
        case (.s8, true, _): -64...64
        case (.u8, true, _): 0...127
        case (.s8, false, true): -127...127
        case (.s8, false, false): -128...127
        case (.u8, false, _): 0...255
        }
    }

    /// Parameters that map `[lower, upper]` onto `range`.
    public init(lower: Float, upper: Float, range: ClosedRange<Int>, symmetric: Bool) {
        var lower = Double(min(lower, 0))
        var upper = Double(max(upper, 0))
        if symmetric {
            let bound = max(-lower, upper)
            lower = -bound
            upper = bound
        }
        let steps = Double(range.upperBound - range.lowerBound)
        let scale = (upper - lower) / steps
        // A constant-zero tensor: any scale represents it; ONNX Runtime uses 1.
        guard scale >= Double(Float.leastNormalMagnitude) else {
            self.init(scale: 1, zeroPoint: symmetric ? Self.middle(of: range) : 0)
            return
        }
        let zero = symmetric ? Self.middle(of: range) : Int((Double(range.lowerBound) - lower / scale).rounded(.toNearestOrEven))
        self.init(scale: Float(scale), zeroPoint: min(max(zero, range.lowerBound), range.upperBound))
    }

    /// `round(x / scale) + zeroPoint`, rounded half to even and saturated to `range`, as
    /// QuantizeLinear computes it.
    public func quantize(_ x: Float, range: ClosedRange<Int>) -> Int {
        let q = (Double(x) / Double(scale)).rounded(.toNearestOrEven) + Double(zeroPoint)
        return Int(min(max(q, Double(range.lowerBound)), Double(range.upperBound)))
    }

    private static func middle(of range: ClosedRange<Int>) -> Int {
        Int((Double(range.lowerBound + range.upperBound) / 2).rounded(.toNearestOrEven))
    }
}
