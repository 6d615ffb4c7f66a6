import Foundation
import TensorCore

/// BitShift, BitwiseAnd/Or/Xor/Not and BitCast: operations on the bits of integer values.
///
/// The engine holds every integer as `Int64`, sign-extended for signed types and zero-extended
/// for unsigned ones (uint64 as its bit pattern), so and/or/xor/not act on those bits and the
/// result is wrapped back into the type.
enum BitwiseKernels {
    /// Elementwise `op` over two integer values of one type, broadcast.
    static func binary(_ op: @escaping @Sendable (Int64, Int64) -> Int64) -> Kernel {
        { inputs, context in
            let a = try inputs.at(0)
            let b = try inputs.at(1)
            guard a.dataType == b.dataType else {
                throw KernelError.invalid("operands are \(a.dataType) and \(b.dataType); they must have the same type")
            }
            let type = a.dataType
            let (values, shape) = try Broadcast.binary(try a.ints(), a.shape, try b.ints(), b.shape, context: context) {
                type.wrap(op($0, $1))
            }
            return [NDArray(ints: values, shape: shape, type: type)]
        }
    }

    /// `x` shifted by `amount` bits in `type`: right shifts of signed types copy the sign bit;
    /// amounts that are negative or not below the type's width leave only the sign fill (−1 for
    /// a right shift of a negative value, else 0), as opset 28 defines.
    static func shift(_ x: Int64, by amount: Int64, left: Bool, type: DataType) -> Int64 {
        let width = Int64(type.bitWidth)
        let signed = [.int8, .int16, .int32, .int64].contains(type)
        guard amount >= 0, amount < width else { return !left && signed && x < 0 ? -1 : 0 }
        if left { return type.wrap(Int64(bitPattern: UInt64(bitPattern: x) << UInt64(amount))) }
        if signed { return x >> amount }
        return Int64(bitPattern: UInt64(bitPattern: x) >> UInt64(amount))
    }

    /// The same bits read as another type of the same width.
    static func bitCast(_ x: NDArray, to type: DataType) throws -> NDArray {
        guard x.dataType.bitWidth == type.bitWidth else {
            throw KernelError.invalid("\(x.dataType) is \(x.dataType.bitWidth) bits wide, \(type) \(type.bitWidth); BitCast needs equal widths")
        }
        guard let bytes = try x.tensor().rawBytes else { throw KernelError.unsupportedType(x.dataType) }
        return try NDArray(try Tensor(dataType: type, shape: x.shape, bytes: bytes))
    }
}

extension OperatorRegistry {
    mutating func registerBitwise() {
        typealias K = BitwiseKernels
        register("BitShift") { node throws(ReferenceEngineError) in
            let left = try node.choice("direction", default: "", in: ["LEFT", "RIGHT"]) == "LEFT"
            return { inputs, context in
                let x = try inputs.at(0)
                let y = try inputs.at(1)
                let type = x.dataType
                let (values, shape) = try Broadcast.binary(try x.ints(), x.shape, try y.ints(), y.shape, context: context) {
                    K.shift($0, by: $1, left: left, type: type)
                }
                return [NDArray(ints: values, shape: shape, type: type)]
            }
        }
        register("BitwiseAnd") { _ in K.binary { $0 & $1 } }
        register("BitwiseOr") { _ in K.binary { $0 | $1 } }
        register("BitwiseXor") { _ in K.binary { $0 ^ $1 } }
        register("BitwiseNot") { _ in
            { inputs, _ in
                let x = try inputs.at(0)
                return [NDArray(ints: try x.ints().map { x.dataType.wrap(~$0) }, shape: x.shape, type: x.dataType)]
            }
        }
        register("BitCast") { node throws(ReferenceEngineError) in
            guard let code = try node.int("to"), let type = DataType(rawValue: Int32(truncatingIfNeeded: code)),
                type.isEngineSupported, type != .string
            else { throw node.invalid("attribute 'to' must name a non-string type the engine holds") }
            return { inputs, _ in [try K.bitCast(try inputs.at(0), to: type)] }
        }
    }
}
