import Foundation
import TensorCore

/// A tensor as the engine computes with it: every floating-point type is held as `Float`
/// (float32 compute), every integer type and bool as `Int64`, strings as bytes. ``dataType``
/// keeps the ONNX type the value stands for, so outputs convert back to it.
struct NDArray: Sendable {
    /// The payload, one array per compute family.
    enum Storage: Sendable {
        case float([Float])
        case int([Int64])
        case string([Data])
    }

    var dataType: DataType
    var shape: [Int]
    var storage: Storage

    init(dataType: DataType, shape: [Int], storage: Storage) {
        self.dataType = dataType
        self.shape = shape
        self.storage = storage
    }

    /// A float-family value (float32 unless `type` says float16, bfloat16 or double).
    init(floats: [Float], shape: [Int], type: DataType = .float32) {
        self.init(dataType: type, shape: shape, storage: .float(floats))
    }

    /// An integer-family value (int64 unless `type` names another integer type or bool).
    init(ints: [Int64], shape: [Int], type: DataType = .int64) {
        self.init(dataType: type, shape: shape, storage: .int(ints))
    }

    /// A bool value.
    init(bools: [Bool], shape: [Int]) {
        self.init(dataType: .bool, shape: shape, storage: .int(bools.map { $0 ? 1 : 0 }))
    }

    var count: Int { shape.reduce(1, *) }
    var rank: Int { shape.count }

    var isFloat: Bool { if case .float = storage { true } else { false } }
    var isInt: Bool { if case .int = storage { true } else { false } }

    /// The float payload.
    /// - Throws: ``KernelError/unsupportedType(_:)`` for integer and string values.
    func floats() throws(KernelError) -> [Float] {
        guard case .float(let values) = storage else { throw .unsupportedType(dataType) }
        return values
    }

    /// The integer payload (bool as 0/1).
    /// - Throws: ``KernelError/unsupportedType(_:)`` for float and string values.
    func ints() throws(KernelError) -> [Int64] {
        guard case .int(let values) = storage else { throw .unsupportedType(dataType) }
        return values
    }

    /// Every element as `Float`, whichever numeric family holds it.
    func floatValues() throws(KernelError) -> [Float] {
        switch storage {
        case .float(let values): values
        case .int(let values): values.map { Float($0) }
        case .string: throw .unsupportedType(dataType)
        }
    }

    /// Every element as `Int64`, floats truncated toward zero.
    func intValues() throws(KernelError) -> [Int64] {
        switch storage {
        case .int(let values): return values
        case .float(let values):
            return try values.map { value throws(KernelError) in
                guard value.isFinite, abs(value) < 9.2e18 else { throw .invalid("\(value) is not an integer") }
                return Int64(value)
            }
        case .string: throw .unsupportedType(dataType)
        }
    }

    /// The same payload under another shape with the same element count.
    func reshaped(_ newShape: [Int]) -> NDArray {
        NDArray(dataType: dataType, shape: newShape, storage: storage)
    }

    /// The value of a one-element tensor, as an integer.
    func scalarInt() throws(KernelError) -> Int {
        let values = try intValues()
        guard values.count == 1 else { throw .invalid("expected one element, got shape \(shape)") }
        return Int(values[0])
    }

    /// The value of a one-element tensor, as a float.
    func scalarFloat() throws(KernelError) -> Float {
        let values = try floatValues()
        guard values.count == 1 else { throw .invalid("expected one element, got shape \(shape)") }
        return values[0]
    }
}

extension DataType {
    /// Whether the engine holds this type as `Float`: the IEEE types and the 8- and 4-bit floats
    /// (``SmallFloat``, ``ExponentFloat``), whose values float32 holds exactly.
    var isEngineFloat: Bool {
        [.float32, .float16, .bfloat16, .float64, .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz,
         .float4e2m1, .float8e8m0].contains(self)
    }
    /// Whether the engine holds this type as `Int64`.
    var isEngineInt: Bool {
        [.int8, .uint8, .int16, .uint16, .int32, .uint32, .int64, .uint64, .bool, .int4, .uint4, .int2, .uint2].contains(self)
    }
    /// Whether the engine can hold this type at all.
    var isEngineSupported: Bool { isEngineFloat || isEngineInt || self == .string }

    /// The range of the 4- and 2-bit integer types.
    var subByteRange: ClosedRange<Int64>? {
        switch self {
        case .int4: -8...7
        case .uint4: 0...15
        case .int2: -2...1
        case .uint2: 0...3
        default: nil
        }
    }

    /// `value` wrapped into this integer type's range, as a store into it would.
    func wrap(_ value: Int64) -> Int64 {
        switch self {
        case .int8: return Int64(Int8(truncatingIfNeeded: value))
        case .uint8: return Int64(UInt8(truncatingIfNeeded: value))
        case .int16: return Int64(Int16(truncatingIfNeeded: value))
        case .uint16: return Int64(UInt16(truncatingIfNeeded: value))
        case .int32: return Int64(Int32(truncatingIfNeeded: value))
        case .uint32: return Int64(UInt32(truncatingIfNeeded: value))
        case .bool: return value != 0 ? 1 : 0
        case .int4, .int2:
            // Keep the low bits, then sign-extend (two's complement).
            let width = Int64(bitWidth)
            let low = value & ((1 << width) - 1)
            return low >= 1 << (width - 1) ? low - (1 << width) : low
        case .uint4, .uint2: return value & ((1 << Int64(bitWidth)) - 1)
        default: return value
        }
    }
}
