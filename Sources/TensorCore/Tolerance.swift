import Foundation

/// How close two tensors must be: `|actual - expected| ≤ atol + rtol × |expected|`, elementwise,
/// with NaN equal to NaN and infinities equal only to themselves.
public struct Tolerance: Sendable, Hashable, Codable, CustomStringConvertible {
    public var relative: Double
    public var absolute: Double

    public init(relative: Double, absolute: Double) {
        self.relative = relative
        self.absolute = absolute
    }

    /// Bit-for-bit equality of values.
    public static let exact = Tolerance(relative: 0, absolute: 0)
    /// What ONNX's backend test suite is usually run with: rtol 1e-3, atol 1e-5.
    public static let onnxConformance = Tolerance(relative: 1e-3, absolute: 1e-5)
    /// Two float32 computations of the same network in a different order.
    public static let close = Tolerance(relative: 1e-5, absolute: 1e-6)

    public var description: String { "rtol \(relative), atol \(absolute)" }
}

/// The outcome of comparing an actual tensor with an expected one.
public struct TensorComparison: Sendable, Hashable {
    /// Why the tensors differ, or `nil` when they agree within the tolerance.
    public var failure: String?
    public var maxAbsoluteError: Double
    public var maxRelativeError: Double

    public var passed: Bool { failure == nil }
}

extension Tensor {
    /// Compares `self` (actual) with `expected` under `tolerance`; types and shapes must match.
    public func compare(to expected: Tensor, tolerance: Tolerance) -> TensorComparison {
        func fail(_ reason: String) -> TensorComparison {
            TensorComparison(failure: reason, maxAbsoluteError: .infinity, maxRelativeError: .infinity)
        }
        guard dataType == expected.dataType else { return fail("type \(dataType), expected \(expected.dataType)") }
        guard shape == expected.shape else { return fail("shape \(shape), expected \(expected.shape)") }
        let a: [Double]
        let b: [Double]
        if dataType == .string {
            if strings == expected.strings { return TensorComparison(failure: nil, maxAbsoluteError: 0, maxRelativeError: 0) }
            // Numbers written as text (Cast to string) compare as numbers: libraries print a
            // float with as many digits as they like ("0.6048455", "0.60484552").
            guard let x = Self.numbers(strings), let y = Self.numbers(expected.strings) else { return fail("strings differ") }
            (a, b) = (x, y)
        } else if let x = try? doubleValues(), let y = try? expected.doubleValues() {
            (a, b) = (x, y)
        } else {
            return rawBytes == expected.rawBytes
                ? TensorComparison(failure: nil, maxAbsoluteError: 0, maxRelativeError: 0)
                : fail("payload differs (\(dataType) compared bytewise)")
        }
        var maxAbsolute = 0.0
        var maxRelative = 0.0
        var firstBad: Int?
        for index in a.indices {
            let x = a[index]
            let y = b[index]
            if x.isNaN || y.isNaN {
                if x.isNaN != y.isNaN, firstBad == nil { firstBad = index }
                continue
            }
            if x.isInfinite || y.isInfinite {
                if x != y, firstBad == nil { firstBad = index }
                continue
            }
            let difference = abs(x - y)
            maxAbsolute = max(maxAbsolute, difference)
            if y != 0 { maxRelative = max(maxRelative, difference / abs(y)) }
            if difference > tolerance.absolute + tolerance.relative * abs(y), firstBad == nil { firstBad = index }
        }
        let failure = firstBad.map { "element \($0): \(a[$0]), expected \(b[$0]) (\(tolerance))" }
        return TensorComparison(failure: failure, maxAbsoluteError: maxAbsolute, maxRelativeError: maxRelative)
    }

    /// Every string as a number, or `nil` when one is not a number.
    private static func numbers(_ strings: [Data]?) -> [Double]? {
        guard let strings else { return nil }
        var values: [Double] = []
        values.reserveCapacity(strings.count)
        for text in strings {
            guard let value = Double(String(decoding: text, as: UTF8.self)) else { return nil }
            values.append(value)
        }
        return values
    }
}
