import Foundation
import TensorCore

/// Linear quantization: QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, and the
/// integer convolutions and products, which run in float32 on dequantized operands (exact while
/// the integer sums stay below 2²⁴) and quantize the result again.
enum Quantization {
    /// The representable range of an integer type.
    static func range(_ type: DataType) throws(KernelError) -> ClosedRange<Float> {
        switch type {
        case .uint8: return 0...255
        case .int8: return -128...127
        case .uint16: return 0...65535
        case .int16: return -32768...32767
        case .int32: return -2_147_483_648...2_147_483_520
        default:
            guard let range = type.subByteRange else { throw .unsupportedType(type) }
            return Float(range.lowerBound)...Float(range.upperBound)
        }
    }

    /// Parameters broadcast over `shape`: the index of each element's scale. One scale for all,
    /// one per index of `axis`, or (`blockSize` > 0) one per block of `blockSize` indices along
    /// `axis`, the scale tensor then having `shape`'s rank.
    static func parameterIndex(shape: [Int], axis: Int, scale: NDArray, blockSize: Int = 0) throws(KernelError) -> (Int) -> Int {
        let count = scale.count
        if count == 1 && blockSize == 0 { return { _ in 0 } }
        let a = try ShapeMath.axis(axis, rank: shape.count)
        let inner = shape[(a + 1)...].product
        let size = shape[a]
        if blockSize > 0 {
            let blocks = (size + blockSize - 1) / blockSize
            var expected = shape
            expected[a] = blocks
            guard scale.shape == expected else {
                throw .shapeMismatch("scale shape \(scale.shape) for blocks of \(blockSize) along axis \(a) of \(shape)")
            }
            return { index in
                let outer = index / (size * inner)
                let position = (index / inner) % size
                return (outer * blocks + position / blockSize) * inner + index % inner
            }
        }
        guard size == count else { throw .shapeMismatch("\(count) scales for axis \(a) of \(shape)") }
        return { ($0 / inner) % count }
    }

    /// `(x - zeroPoint) × scale` as float32.
    static func dequantize(_ x: NDArray, scale: NDArray, zeroPoint: NDArray?, axis: Int, blockSize: Int = 0) throws -> NDArray {
        let scales = try scale.floatValues()
        let zeros = try zeroPoint?.floatValues() ?? [0]
        let values = try x.floatValues()
        let index = try parameterIndex(shape: x.shape, axis: axis, scale: scale, blockSize: blockSize)
        let result = values.indices.map { i in
            let k = index(i)
            return (values[i] - zeros[zeros.count == 1 ? 0 : k]) * scales[k]
        }
        return NDArray(floats: result, shape: x.shape, type: scale.dataType.isEngineFloat ? scale.dataType : .float32)
    }

    /// `saturate(round(x / scale) + zeroPoint)` in `type`, rounding half to even; for the float8
    /// types `x / scale + zeroPoint` rounded to the format, clamped only when `saturate`.
    static func quantize(
        _ x: NDArray, scale: NDArray, zeroPoint: NDArray?, axis: Int, type: DataType, blockSize: Int = 0, saturate: Bool = true
    ) throws -> NDArray {
        let scales = try scale.floatValues()
        let zeros = try zeroPoint?.floatValues() ?? [0]
        let values = try x.floatValues()
        let index = try parameterIndex(shape: x.shape, axis: axis, scale: scale, blockSize: blockSize)
        if type.isEngineFloat {
            let scaled = values.indices.map { i in
                let k = index(i)
                return values[i] / scales[k] + zeros[zeros.count == 1 ? 0 : k]
            }
            return NDArray(floats: CastKernels.round(scaled, to: type, rules: .init(saturate: saturate)), shape: x.shape, type: type)
        }
        let bounds = try range(type)
        let result = values.indices.map { i -> Int64 in
            let k = index(i)
            let q = (values[i] / scales[k]).rounded(.toNearestOrEven) + zeros[zeros.count == 1 ? 0 : k]
            return Int64(min(max(q, bounds.lowerBound), bounds.upperBound))
        }
        return NDArray(ints: result, shape: x.shape, type: type)
    }

    /// Float values rounded to integers of `type` (int32 for the *Integer operators).
    static func integers(_ x: NDArray, type: DataType) -> NDArray {
        NDArray(ints: ((try? x.floats()) ?? []).map { Int64($0.rounded(.toNearestOrEven)) }, shape: x.shape, type: type)
    }

    static func dynamicQuantize(_ inputs: KernelInputs, _: ExecutionContext) throws -> [NDArray] {
        let x = try inputs.at(0)
        let values = try x.floats()
        let low = min(0, values.min() ?? 0)
        let high = max(0, values.max() ?? 0)
        let scale = (high - low) / 255
        let zero = scale == 0 ? 0 : min(max((-low / scale).rounded(.toNearestOrEven), 0), 255)
        let scaleValue = NDArray(floats: [scale == 0 ? 1 : scale], shape: [])
        let quantized = try quantize(x, scale: scaleValue, zeroPoint: NDArray(floats: [zero], shape: []), axis: 0, type: .uint8)
        return [quantized, NDArray(floats: [scale], shape: []), NDArray(ints: [Int64(zero)], shape: [], type: .uint8)]
    }
}

extension OperatorRegistry {
    /// Quantization operators.
    mutating func registerQuantization() {
        typealias Q = Quantization
        register("QuantizeLinear") { node throws(ReferenceEngineError) in
            let axis = try node.int("axis", default: 1)
            let blockSize = try node.int("block_size", default: 0)
            let saturate = try node.int("saturate", default: 1) != 0
            let outputType = try node.int("output_dtype").flatMap { DataType(rawValue: Int32(truncatingIfNeeded: $0)) }
            try node.require(blockSize >= 0, "attribute 'block_size' is \(blockSize); it must not be negative")
            return { inputs, _ in
                let zero = inputs.optional(2)
                let type = zero?.dataType ?? outputType ?? .uint8
                return [try Q.quantize(
                    try inputs.at(0), scale: try inputs.at(1), zeroPoint: zero, axis: axis, type: type, blockSize: blockSize,
                    saturate: saturate)]
            }
        }
        register("DequantizeLinear") { node throws(ReferenceEngineError) in
            let axis = try node.int("axis", default: 1)
            let blockSize = try node.int("block_size", default: 0)
            try node.require(blockSize >= 0, "attribute 'block_size' is \(blockSize); it must not be negative")
            return { inputs, _ in
                [try Q.dequantize(try inputs.at(0), scale: try inputs.at(1), zeroPoint: inputs.optional(2), axis: axis, blockSize: blockSize)]
            }
        }
        register("DynamicQuantizeLinear") { _ in Q.dynamicQuantize }
        register("QLinearMatMul") { _ in
            { inputs, context in
                let a = try Q.dequantize(try inputs.at(0), scale: try inputs.at(1), zeroPoint: inputs.optional(2), axis: -1)
                let b = try Q.dequantize(try inputs.at(3), scale: try inputs.at(4), zeroPoint: inputs.optional(5), axis: -1)
                let product = try MatMulKernels.matmul(a, b, context: context)
                let zero = inputs.optional(7)
                return [try Q.quantize(product, scale: try inputs.at(6), zeroPoint: zero, axis: -1, type: zero?.dataType ?? .uint8)]
            }
        }
        register("MatMulInteger") { _ in
            { inputs, context in
                let one = NDArray(floats: [1], shape: [])
                let a = try Q.dequantize(try inputs.at(0), scale: one, zeroPoint: inputs.optional(2), axis: -2)
                let b = try Q.dequantize(try inputs.at(1), scale: one, zeroPoint: inputs.optional(3), axis: -1)
                return [Q.integers(try MatMulKernels.matmul(a, b, context: context), type: .int32)]
            }
        }
        register("ConvInteger") { node throws(ReferenceEngineError) in
            let conv = try ConvKernel(node)
            return { inputs, context in
                let one = NDArray(floats: [1], shape: [])
                let x = try Q.dequantize(try inputs.at(0), scale: one, zeroPoint: inputs.optional(2), axis: 1)
                let w = try Q.dequantize(try inputs.at(1), scale: one, zeroPoint: inputs.optional(3), axis: 0)
                let y = try conv.run(KernelInputs(values: [x, w]), context)
                return [Q.integers(y[0], type: .int32)]
            }
        }
        register("QLinearConv") { node throws(ReferenceEngineError) in
            let conv = try ConvKernel(node)
            return { inputs, context in
                let xScale = try inputs.at(1)
                let wScale = try inputs.at(4)
                let x = try Q.dequantize(try inputs.at(0), scale: xScale, zeroPoint: inputs.optional(2), axis: 1)
                let w = try Q.dequantize(try inputs.at(3), scale: wScale, zeroPoint: inputs.optional(5), axis: 0)
                var bias: NDArray?
                if let b = inputs.optional(8) {
                    let factors = try wScale.floatValues().map { $0 * (try xScale.scalarFloat()) }
                    let values = try b.floatValues()
                    bias = NDArray(floats: values.indices.map { values[$0] * factors[factors.count == 1 ? 0 : $0] }, shape: b.shape)
                }
                let y = try conv.run(KernelInputs(values: [x, w, bias]), context)
                let zero = inputs.optional(7)
                return [try Q.quantize(y[0], scale: try inputs.at(6), zeroPoint: zero, axis: 1, type: zero?.dataType ?? .uint8)]
            }
        }
    }
}
