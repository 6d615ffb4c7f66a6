import Foundation
import TensorCore

/// Cast and CastLike: conversions between the engine's families, with the rounding and
/// wrapping a store into the target type would do.
enum CastKernels {
    /// How conversions to the 8- and 4-bit floats treat values out of their range (`saturate`)
    /// and, for float8e8m0, values between two powers of two.
    struct SmallFloatRules: Sendable {
        var saturate = true
        var rounding = ExponentFloat.Rounding.up
    }

    static func cast(_ value: NDArray, to type: DataType, rules: SmallFloatRules = SmallFloatRules()) throws(KernelError) -> NDArray {
        guard type.isEngineSupported else { throw .unsupportedType(type) }
        switch value.storage {
        case .float(let values):
            if type.isEngineFloat { return NDArray(floats: round(values, to: type, rules: rules), shape: value.shape, type: type) }
            if let range = type.subByteRange {
                // ONNX leaves out-of-range float to integer casts undefined; its data for the 4-
                // and 2-bit types (and ONNX Runtime) give 0 there, not the wrapped low bits.
                let ints = values.map { v -> Int64 in
                    let whole = v.rounded(.towardZero)
                    return whole.isFinite && whole >= Float(range.lowerBound) && whole <= Float(range.upperBound) ? Int64(whole) : 0
                }
                return NDArray(ints: ints, shape: value.shape, type: type)
            }
            if type == .string { return NDArray(dataType: .string, shape: value.shape, storage: .string(values.map { Data(text($0).utf8) })) }
            if type == .bool { return NDArray(ints: values.map { $0 != 0 ? 1 : 0 }, shape: value.shape, type: type) }
            // Out-of-range and NaN floats have no defined integer; saturate rather than trap.
            let ints = values.map { v -> Int64 in
                v.isNaN ? 0 : (v >= 9.2e18 ? .max : (v <= -9.2e18 ? .min : Int64(v)))
            }
            return NDArray(ints: ints.map(type.wrap), shape: value.shape, type: type)
        case .int(let values):
            if type.isEngineFloat {
                let floats = value.dataType == .uint64 ? values.map { Float(UInt64(bitPattern: $0)) } : values.map { Float($0) }
                return NDArray(floats: round(floats, to: type, rules: rules), shape: value.shape, type: type)
            }
            if type == .string { return NDArray(dataType: .string, shape: value.shape, storage: .string(values.map { Data(String($0).utf8) })) }
            return NDArray(ints: values.map(type.wrap), shape: value.shape, type: type)
        case .string(let strings):
            let texts = strings.map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespaces) }
            if type == .string { return value }
            if type.isEngineFloat {
                let floats = try texts.map { text throws(KernelError) -> Float in
                    guard let number = Float(text) ?? Float(text.lowercased().replacingOccurrences(of: "infinity", with: "inf")) else {
                        throw .invalid("'\(text)' is not a number")
                    }
                    return number
                }
                return NDArray(floats: round(floats, to: type, rules: rules), shape: value.shape, type: type)
            }
            let ints = try texts.map { text throws(KernelError) -> Int64 in
                guard let number = Int64(text) else { throw .invalid("'\(text)' is not an integer") }
                return type.wrap(number)
            }
            return NDArray(ints: ints, shape: value.shape, type: type)
        }
    }

    /// The shortest text that reads back as the same float (numpy's spelling of infinities).
    static func text(_ value: Float) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "INF" : "-INF" }
        return "\(value)"
    }

    /// Floats rounded to the precision of `type`, as storing them in it would.
    static func round(_ values: [Float], to type: DataType, rules: SmallFloatRules = SmallFloatRules()) -> [Float] {
        if let format = SmallFloat.format(of: type) { return values.map { format.round($0, saturate: rules.saturate) } }
        switch type {
        case .float16: return values.map { Float(Float16($0)) }
        case .bfloat16: return values.map { BFloat16($0).floatValue }
        case .float8e8m0:
            return values.map { ExponentFloat.decode(ExponentFloat.encode($0, saturate: rules.saturate, rounding: rules.rounding)) }
        default: return values
        }
    }
}

extension CastKernels {
    /// The `saturate` and `round_mode` attributes.
    static func smallFloatRules(_ node: NodeContext) throws(ReferenceEngineError) -> SmallFloatRules {
        let mode = try node.choice("round_mode", default: "up", in: ExponentFloat.Rounding.allCases.map(\.rawValue))
        return SmallFloatRules(saturate: try node.int("saturate", default: 1) != 0, rounding: ExponentFloat.Rounding(rawValue: mode)!)
    }
}

extension OperatorRegistry {
    mutating func registerCast() {
        register("Cast") { node throws(ReferenceEngineError) in
            guard let code = try node.int("to") else { throw node.invalid("attribute 'to' is required") }
            let type: DataType
            do { type = try DataType(onnxCode: Int32(truncatingIfNeeded: code)) } catch {
                throw node.invalid("attribute 'to' is \(code), not an ONNX type")
            }
            let rules = try CastKernels.smallFloatRules(node)
            return { inputs, _ in [try CastKernels.cast(try inputs.at(0), to: type, rules: rules)] }
        }
        register("CastLike") { node throws(ReferenceEngineError) in
            let rules = try CastKernels.smallFloatRules(node)
            return { inputs, _ in [try CastKernels.cast(try inputs.at(0), to: try inputs.at(1).dataType, rules: rules)] }
        }
    }
}
