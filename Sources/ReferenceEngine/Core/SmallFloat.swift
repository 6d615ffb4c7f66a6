import TensorCore

/// The 8- and 4-bit float formats ONNX defines (float8e4m3fn, float8e4m3fnuz, float8e5m2,
/// float8e5m2fnuz, float4e2m1, float8e8m0): the engine holds them as `Float`, so all it needs is
/// each bit pattern's value and, for stores, the pattern nearest a float.
///
/// Decoding is a table of every pattern (at most 256). Encoding rounds to nearest, ties to the
/// even pattern, by searching the table's non-negative finite values, which grow with the
/// pattern; the special values follow the tables of ONNX's Cast documentation.
struct SmallFloat: Sendable {
    /// How a format spells its special values.
    enum Specials: Sendable {
        /// Infinities at the all-ones exponent with a zero mantissa, NaN with any other (e5m2).
        case ieee
        /// No infinities; NaN only where exponent and mantissa are all ones (e4m3fn).
        case finiteNaNOnly
        /// No infinities and no negative zero; NaN is the pattern of negative zero (the fnuz types).
        case unsignedZero
        /// No infinities and no NaN (float4e2m1).
        case none
    }

    let bits: Int
    let mantissaBits: Int
    let bias: Int
    let specials: Specials
    /// The value of every pattern.
    let table: [Float]
    /// The largest finite pattern without the sign bit.
    let maxPattern: Int

    var signBit: Int { 1 << (bits - 1) }
    var maxFinite: Float { table[maxPattern] }

    init(bits: Int, mantissaBits: Int, bias: Int, specials: Specials) {
        self.bits = bits
        self.mantissaBits = mantissaBits
        self.bias = bias
        self.specials = specials
        let sign = 1 << (bits - 1)
        let exponentMask = (1 << (bits - 1 - mantissaBits)) - 1
        let mantissaMask = (1 << mantissaBits) - 1
        var table = [Float](repeating: 0, count: 1 << bits)
        for pattern in table.indices {
            let exponent = (pattern >> mantissaBits) & exponentMask
            let mantissa = pattern & mantissaMask
            let negative = pattern & sign != 0
            var value: Float =
                exponent == 0
                ? Float(mantissa) * Float(sign: .plus, exponent: 1 - bias - mantissaBits, significand: 1)
                : (1 + Float(mantissa) / Float(1 << mantissaBits)) * Float(sign: .plus, exponent: exponent - bias, significand: 1)
            switch specials {
            case .ieee where exponent == exponentMask: value = mantissa == 0 ? .infinity : .nan
            case .finiteNaNOnly where exponent == exponentMask && mantissa == mantissaMask: value = .nan
            case .unsignedZero where pattern == sign: value = .nan
            default: break
            }
            table[pattern] = negative ? -value : value
        }
        self.table = table
        var largest = sign - 1
        while !table[largest].isFinite { largest -= 1 }
        maxPattern = largest
    }

    /// The pattern of `value`, rounded to nearest even. Out of range (and infinite) values become
    /// the largest finite value when `saturate`, else infinity where the format has one, else NaN.
    func encode(_ value: Float, saturate: Bool) -> Int {
        if value.isNaN { return nanPattern(negative: value.sign == .minus) }
        let sign = value.sign == .minus ? signBit : 0
        let magnitude = abs(value)
        let pattern: Int
        if magnitude > maxFinite {
            let step = maxFinite - table[maxPattern - 1]
            let halfway = maxFinite + step / 2
            let fitsMax = magnitude.isFinite && (magnitude < halfway || (magnitude == halfway && maxPattern % 2 == 0))
            if fitsMax || saturate || specials == .none {
                pattern = maxPattern
            } else {
                return specials == .ieee ? sign | (maxPattern + 1) : nanPattern(negative: sign != 0)
            }
        } else {
            pattern = nearest(magnitude)
        }
        // The fnuz formats have no negative zero: a negative value that rounds to zero is +0.
        if pattern == 0, specials == .unsignedZero { return 0 }
        return sign | pattern
    }

    /// `value` rounded to this format, as a float (what storing and reloading it gives).
    func round(_ value: Float, saturate: Bool) -> Float { table[encode(value, saturate: saturate)] }

    private func nanPattern(negative: Bool) -> Int {
        switch specials {
        case .ieee: (negative ? signBit : 0) | (signBit - 2)
        case .finiteNaNOnly: (negative ? signBit : 0) | (signBit - 1)
        case .unsignedZero: signBit
        // float4e2m1 has no NaN; ONNX's data stores NaN as negative zero.
        case .none: signBit
        }
    }

    /// The non-negative pattern nearest `magnitude` (at most ``maxFinite``), ties to even.
    private func nearest(_ magnitude: Float) -> Int {
        var low = 0
        var high = maxPattern
        while high - low > 1 {
            let middle = (low + high) / 2
            if table[middle] <= magnitude { low = middle } else { high = middle }
        }
        let below = magnitude - table[low]
        let above = table[high] - magnitude
        if below < above { return low }
        if above < below { return high }
        return low % 2 == 0 ? low : high
    }

    static let float8e4m3fn = SmallFloat(bits: 8, mantissaBits: 3, bias: 7, specials: .finiteNaNOnly)
    static let float8e4m3fnuz = SmallFloat(bits: 8, mantissaBits: 3, bias: 8, specials: .unsignedZero)
    static let float8e5m2 = SmallFloat(bits: 8, mantissaBits: 2, bias: 15, specials: .ieee)
    static let float8e5m2fnuz = SmallFloat(bits: 8, mantissaBits: 2, bias: 16, specials: .unsignedZero)
    static let float4e2m1 = SmallFloat(bits: 4, mantissaBits: 1, bias: 1, specials: .none)

    /// The format of `type`, for the sign-exponent-mantissa types.
    static func format(of type: DataType) -> SmallFloat? {
        switch type {
        case .float8e4m3fn: .float8e4m3fn
        case .float8e4m3fnuz: .float8e4m3fnuz
        case .float8e5m2: .float8e5m2
        case .float8e5m2fnuz: .float8e5m2fnuz
        case .float4e2m1: .float4e2m1
        default: nil
        }
    }
}

/// float8e8m0: an unsigned power of two, 2^(pattern − 127); pattern 255 is NaN.
enum ExponentFloat {
    enum Rounding: String, Sendable, CaseIterable {
        case up, down, nearest
    }

    static func decode(_ pattern: Int) -> Float {
        pattern == 255 ? .nan : Float(sign: .plus, exponent: pattern - 127, significand: 1)
    }

    /// The pattern of `value` under `rounding`; out of range values clamp when `saturate`, else NaN.
    static func encode(_ value: Float, saturate: Bool, rounding: Rounding) -> Int {
        if value.isNaN { return 255 }
        if value.isInfinite { return saturate ? 254 : 255 }
        if value <= 0 { return saturate ? 0 : 255 }
        let exponent = Int(value.exponent)
        let power = Float(sign: .plus, exponent: exponent, significand: 1)
        var result = exponent
        if value != power {
            switch rounding {
            case .up: result += 1
            case .down: break
            case .nearest: if value >= power * 1.5 { result += 1 }
            }
        }
        let pattern = result + 127
        if pattern > 254 { return saturate ? 254 : 255 }
        if pattern < 0 { return saturate ? 0 : 255 }
        return pattern
    }
}
