import Foundation
import TensorCore

/// A small integer tensor (0-D or 1-D) known element by element, each element a ``Dim`` so that a
/// shape read with `Shape` keeps its symbols: `[N, 3, H, W]`.
struct SymbolicValue: Sendable, Hashable {
    /// Beyond this many elements a tensor is not tracked: shapes and axes are short.
    static let maximumCount = 1024

    var elements: [Dim]
    /// True for a 0-D tensor, false for a 1-D one.
    var isScalar: Bool

    init(elements: [Dim], isScalar: Bool = false) {
        self.elements = elements
        self.isScalar = isScalar && elements.count == 1
    }

    /// The elements when all are constants.
    var constants: [Int]? {
        var values: [Int] = []
        values.reserveCapacity(elements.count)
        for element in elements {
            guard let value = element.value else { return nil }
            values.append(value)
        }
        return values
    }
}

extension InferenceContext {
    /// The exact value of input `index`, when it is an initializer or a constant.
    func constant(_ index: Int) -> Tensor? { index < inputConstants.count ? inputConstants[index] : nil }

    /// The value of an integer input of rank 0 or 1, from data propagation or a constant tensor.
    func symbolic(_ index: Int) -> SymbolicValue? {
        if index < inputSymbolic.count, let value = inputSymbolic[index] { return value }
        guard let tensor = constant(index), tensor.shape.count <= 1,
            tensor.elementCount <= SymbolicValue.maximumCount, let values = integers(of: tensor)
        else { return nil }
        return SymbolicValue(elements: values.map(Dim.value), isScalar: tensor.shape.isEmpty)
    }

    /// The elements of an integer input as dims, possibly symbolic.
    func dimValues(_ index: Int) -> [Dim]? { symbolic(index)?.elements }

    /// The elements of an integer input when every one is known: axes, pads, repeats, sizes.
    func intValues(_ index: Int) -> [Int]? {
        if let value = symbolic(index) { return value.constants }
        guard let tensor = constant(index), tensor.shape.count <= 1 else { return nil }
        return integers(of: tensor)
    }

    /// A single integer input (0-D or one-element 1-D), e.g. TopK's `K`.
    func scalarInt(_ index: Int) -> Int? {
        guard let values = intValues(index), values.count == 1 else { return nil }
        return values[0]
    }

    /// The elements of a floating-point (or integer) constant input, e.g. Resize's `scales`.
    func floatValues(_ index: Int) -> [Double]? {
        guard let tensor = constant(index) else { return nil }
        switch tensor.dataType {
        case .float32: return (try? tensor.scalars(as: Float.self))?.map(Double.init)
        case .float64: return try? tensor.scalars(as: Double.self)
        case .float16:
            return tensor.rawBytes.map { bytes in
                stride(from: 0, to: bytes.count - 1, by: 2).map { offset in
                    let start = bytes.startIndex + offset
                    return Self.halfToDouble(UInt16(bytes[start]) | UInt16(bytes[start + 1]) << 8)
                }
            }
        default: return integers(of: tensor)?.map(Double.init)
        }
    }

    /// Integer elements of any integer tensor type; nil for other types or unrepresentable values.
    func integers(of tensor: Tensor) -> [Int]? {
        switch tensor.dataType {
        case .int64: return (try? tensor.scalars(as: Int64.self))?.map(Int.init)
        case .int32: return (try? tensor.scalars(as: Int32.self))?.map(Int.init)
        case .int16: return (try? tensor.scalars(as: Int16.self))?.map(Int.init)
        case .int8: return (try? tensor.scalars(as: Int8.self))?.map(Int.init)
        case .uint8: return (try? tensor.scalars(as: UInt8.self))?.map(Int.init)
        case .uint16: return (try? tensor.scalars(as: UInt16.self))?.map(Int.init)
        case .uint32: return (try? tensor.scalars(as: UInt32.self))?.map(Int.init)
        case .uint64:
            guard let values = try? tensor.scalars(as: UInt64.self) else { return nil }
            var result: [Int] = []
            for value in values {
                guard let converted = Int(exactly: value) else { return nil }
                result.append(converted)
            }
            return result
        // Read as bytes: a stored byte other than 0 or 1 is not a valid Swift Bool.
        case .bool: return tensor.rawBytes.map { $0.map { $0 != 0 ? 1 : 0 } }
        default: return nil
        }
    }

    /// Decodes an IEEE half, portably (Float16 is not available on every platform).
    private static func halfToDouble(_ bits: UInt16) -> Double {
        let sign: Double = bits & 0x8000 != 0 ? -1 : 1
        let exponent = Int((bits >> 10) & 0x1F)
        let fraction = Double(bits & 0x3FF)
        switch exponent {
        case 0: return sign * fraction * 0x1p-24
        case 31: return fraction == 0 ? sign * .infinity : .nan
        default: return sign * (1 + fraction / 1024) * Double(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }
}
