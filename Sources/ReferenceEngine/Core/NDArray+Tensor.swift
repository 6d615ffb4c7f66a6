import Foundation
import TensorCore

extension NDArray {
    /// Converts a tensor into the engine's compute family for its type.
    /// - Throws: ``KernelError/unsupportedType(_:)`` for complex and 6-bit float types.
    init(_ tensor: Tensor) throws(KernelError) {
        let shape = tensor.shape
        let type = tensor.dataType
        if type == .string {
            self.init(dataType: .string, shape: shape, storage: .string(tensor.strings ?? []))
            return
        }
        guard type.isEngineSupported, let bytes = tensor.rawBytes else { throw .unsupportedType(type) }
        let count = tensor.elementCount
        func load<T: BitwiseCopyable>(_: T.Type) -> [T] {
            bytes.withUnsafeBytes { raw in
                (0..<count).map { raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self) }
            }
        }
        switch type {
        case .float32:
            let values: [Float] = bytes.withUnsafeBytes { raw in
                Array(unsafeUninitializedCapacity: count) { buffer, initialized in
                    _ = raw.copyBytes(to: buffer)
                    initialized = count
                }
            }
            self.init(floats: values, shape: shape)
        case .float16: self.init(floats: load(UInt16.self).map { Float(Float16(bitPattern: $0)) }, shape: shape, type: type)
        case .bfloat16: self.init(floats: load(UInt16.self).map { BFloat16(bitPattern: $0).floatValue }, shape: shape, type: type)
        case .float64: self.init(floats: load(Double.self).map { Float($0) }, shape: shape, type: type)
        case .int8: self.init(ints: load(Int8.self).map { Int64($0) }, shape: shape, type: type)
        case .uint8, .bool: self.init(ints: load(UInt8.self).map { Int64($0) }, shape: shape, type: type)
        case .int16: self.init(ints: load(Int16.self).map { Int64($0) }, shape: shape, type: type)
        case .uint16: self.init(ints: load(UInt16.self).map { Int64($0) }, shape: shape, type: type)
        case .int32: self.init(ints: load(Int32.self).map { Int64($0) }, shape: shape, type: type)
        case .uint32: self.init(ints: load(UInt32.self).map { Int64($0) }, shape: shape, type: type)
        case .int64: self.init(ints: load(Int64.self), shape: shape, type: type)
        case .uint64: self.init(ints: load(UInt64.self).map { Int64(bitPattern: $0) }, shape: shape, type: type)
        case .float8e8m0: self.init(floats: load(UInt8.self).map { ExponentFloat.decode(Int($0)) }, shape: shape, type: type)
        default:
            let patterns = Self.unpack(bytes, count: count, bits: type.bitWidth)
            if let format = SmallFloat.format(of: type) {
                self.init(floats: patterns.map { format.table[$0] }, shape: shape, type: type)
            } else if type.subByteRange != nil {
                self.init(ints: patterns.map { type.wrap(Int64($0)) }, shape: shape, type: type)
            } else {
                throw .unsupportedType(type)
            }
        }
    }

    /// The `bits`-wide patterns packed into `bytes`, lowest bits first (ONNX's layout for the
    /// 4- and 2-bit types; 8-bit types take one byte each).
    private static func unpack(_ bytes: Data, count: Int, bits: Int) -> [Int] {
        let mask = (1 << bits) - 1
        return bytes.withUnsafeBytes { raw in
            (0..<count).map { index in
                let bit = index * bits
                return (Int(raw[bit / 8]) >> (bit % 8)) & mask
            }
        }
    }

    /// Packs `bits`-wide patterns, lowest bits first.
    private static func pack(_ patterns: [Int], bits: Int) -> Data {
        var bytes = Data(count: (patterns.count * bits + 7) / 8)
        for (index, pattern) in patterns.enumerated() {
            let bit = index * bits
            bytes[bit / 8] |= UInt8(truncatingIfNeeded: (pattern & ((1 << bits) - 1)) << (bit % 8))
        }
        return bytes
    }

    /// Converts back to a tensor of ``dataType``, rounding floats and wrapping integers into it.
    func tensor() throws -> Tensor {
        switch storage {
        case .string(let strings):
            return try Tensor(shape: shape, strings: strings)
        case .float(let values):
            switch dataType {
            case .float32: return try Tensor(shape: shape, scalars: values)
            case .float16: return try Tensor(shape: shape, scalars: values.map { Float16($0) })
            case .bfloat16: return try Tensor(shape: shape, scalars: values.map { BFloat16($0) })
            case .float64: return try Tensor(shape: shape, scalars: values.map { Double($0) })
            case .float8e8m0:
                let patterns = values.map { ExponentFloat.encode($0, saturate: true, rounding: .nearest) }
                return try Tensor(dataType: dataType, shape: shape, bytes: Self.pack(patterns, bits: 8))
            default:
                guard let format = SmallFloat.format(of: dataType) else { throw KernelError.unsupportedType(dataType) }
                // Kernels that must saturate or not (Cast, QuantizeLinear) have rounded already; an
                // infinity left here is one the format holds (e5m2) or clamps.
                let patterns = values.map { format.encode($0, saturate: !$0.isInfinite || format.specials != .ieee) }
                return try Tensor(dataType: dataType, shape: shape, bytes: Self.pack(patterns, bits: format.bits))
            }
        case .int(let values):
            switch dataType {
            case .int8: return try Tensor(shape: shape, scalars: values.map { Int8(truncatingIfNeeded: $0) })
            case .uint8: return try Tensor(shape: shape, scalars: values.map { UInt8(truncatingIfNeeded: $0) })
            case .int16: return try Tensor(shape: shape, scalars: values.map { Int16(truncatingIfNeeded: $0) })
            case .uint16: return try Tensor(shape: shape, scalars: values.map { UInt16(truncatingIfNeeded: $0) })
            case .int32: return try Tensor(shape: shape, scalars: values.map { Int32(truncatingIfNeeded: $0) })
            case .uint32: return try Tensor(shape: shape, scalars: values.map { UInt32(truncatingIfNeeded: $0) })
            case .int64: return try Tensor(shape: shape, scalars: values)
            case .uint64: return try Tensor(shape: shape, scalars: values.map { UInt64(bitPattern: $0) })
            case .bool: return try Tensor(shape: shape, scalars: values.map { $0 != 0 })
            case .int4, .uint4, .int2, .uint2:
                return try Tensor(dataType: dataType, shape: shape, bytes: Self.pack(values.map { Int($0) }, bits: dataType.bitWidth))
            default: throw KernelError.unsupportedType(dataType)
            }
        }
    }

    /// An empty value of `type`'s compute family.
    static func empty(_ type: DataType, shape: [Int]) -> NDArray {
        let count = shape.reduce(1, *)
        if type.isEngineFloat { return NDArray(floats: [Float](repeating: 0, count: count), shape: shape, type: type) }
        if type == .string { return NDArray(dataType: .string, shape: shape, storage: .string(Array(repeating: Data(), count: count))) }
        return NDArray(ints: [Int64](repeating: 0, count: count), shape: shape, type: type)
    }
}
