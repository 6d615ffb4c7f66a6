import Foundation
@testable import ReferenceEngine
import Testing
import TensorCore

/// The 8- and 4-bit float codecs against values from the formats' definitions (OCP 8-bit
/// floats, OCP microscaling), beyond the Cast cases' sample inputs.
@Suite("Small float formats decode and round as specified")
struct SmallFloatTests {
    static let formats: [(String, SmallFloat, Float)] = [
        ("float8e4m3fn", .float8e4m3fn, 448), ("float8e4m3fnuz", .float8e4m3fnuz, 240),
        ("float8e5m2", .float8e5m2, 57344), ("float8e5m2fnuz", .float8e5m2fnuz, 57344), ("float4e2m1", .float4e2m1, 6),
    ]

    @Test("Every finite pattern encodes back to itself; the largest finite value is the format's", arguments: 0..<5)
    func roundTrip(_ index: Int) {
        let (name, format, largest) = Self.formats[index]
        #expect(format.maxFinite == largest, "\(name)")
        for pattern in format.table.indices where format.table[pattern].isFinite {
            let value = format.table[pattern]
            // The fnuz formats and float4 share zero's pattern only for +0.
            if value == 0 && pattern != 0 && format.specials == .unsignedZero { continue }
            #expect(format.encode(value, saturate: true) == pattern, "\(name) pattern \(pattern) (\(value))")
        }
    }

    @Test("Ties round to the even pattern; out of range saturates or overflows by the format's rules")
    func rounding() {
        let e4m3 = SmallFloat.float8e4m3fn
        // 1.0625 lies halfway between 1 (mantissa 000) and 1.125 (001): the even one wins.
        #expect(e4m3.round(1.0625, saturate: true) == 1)
        #expect(e4m3.round(1.1875, saturate: true) == 1.25)
        #expect(e4m3.round(1000, saturate: true) == 448)
        #expect(e4m3.round(1000, saturate: false).isNaN)
        #expect(e4m3.round(-.infinity, saturate: true) == -448)
        #expect(SmallFloat.float8e5m2.round(1e6, saturate: false) == .infinity)
        #expect(SmallFloat.float8e5m2fnuz.encode(-0.0, saturate: true) == 0)
        #expect(SmallFloat.float4e2m1.round(-3.5, saturate: true) == -4)
    }

    @Test("float8e8m0 rounds up, down or to nearest power of two")
    func exponentOnly() {
        #expect(ExponentFloat.decode(ExponentFloat.encode(3, saturate: true, rounding: .up)) == 4)
        #expect(ExponentFloat.decode(ExponentFloat.encode(3, saturate: true, rounding: .down)) == 2)
        #expect(ExponentFloat.decode(ExponentFloat.encode(2.9, saturate: true, rounding: .nearest)) == 2)
        #expect(ExponentFloat.decode(ExponentFloat.encode(3, saturate: true, rounding: .nearest)) == 4)
        #expect(ExponentFloat.encode(0, saturate: false, rounding: .up) == 255)
    }
}
