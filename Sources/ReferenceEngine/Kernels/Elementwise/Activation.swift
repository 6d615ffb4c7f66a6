import Foundation
import TensorCore

/// Element-wise functions and kernels that do not fit the one-function builders.
enum Activation {
    static func sigmoid(_ x: Float) -> Float {
        x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
    }

    /// `log(1 + exp(x))` without overflow for large `x`.
    static func softplus(_ x: Float) -> Float {
        x > 0 ? x + Foundation.log1p(Foundation.exp(-x)) : Foundation.log1p(Foundation.exp(x))
    }

    /// Clip-11 and later: optional `min` and `max` inputs, floats or integers.
    static let clip: Kernel = { inputs, context in
        let x = try inputs.at(0)
        switch x.storage {
        case .float(let values):
            let low = try inputs.optional(1)?.scalarFloat() ?? -.infinity
            let high = try inputs.optional(2)?.scalarFloat() ?? .infinity
            return [NDArray(floats: Broadcast.map(values, context: context) { min(max($0, low), high) }, shape: x.shape, type: x.dataType)]
        case .int(let values):
            let low = try inputs.optional(1).map { Int64(try $0.scalarInt()) } ?? .min
            let high = try inputs.optional(2).map { Int64(try $0.scalarInt()) } ?? .max
            return [NDArray(ints: values.map { min(max($0, low), high) }, shape: x.shape, type: x.dataType)]
        case .string:
            throw KernelError.unsupportedType(x.dataType)
        }
    }

    /// Pow: the base's type decides the result's; the exponent may be of another type.
    static let pow: Kernel = { inputs, context in
        let base = try inputs.at(0)
        let exponent = try inputs.at(1)
        switch base.storage {
        case .float(let x):
            let y = try exponent.floatValues()
            let (values, shape) = try Broadcast.binary(x, base.shape, y, exponent.shape, context: context) { Foundation.pow($0, $1) }
            return [NDArray(floats: values, shape: shape, type: base.dataType)]
        case .int(let x):
            let y: [Double]
            switch exponent.storage {
            case .float(let values): y = values.map(Double.init)
            case .int(let values): y = values.map(Double.init)
            case .string: throw KernelError.unsupportedType(exponent.dataType)
            }
            let type = base.dataType
            let (values, shape) = try Broadcast.binary(x, base.shape, y, exponent.shape, context: context) {
                type.wrap(Int64(Foundation.pow(Double($0), $1)))
            }
            return [NDArray(ints: values, shape: shape, type: type)]
        case .string:
            throw KernelError.unsupportedType(base.dataType)
        }
    }

    /// Where(condition, x, y) with three-way broadcasting.
    static let whereKernel: Kernel = { inputs, _ in
        let condition = try inputs.at(0)
        let x = try inputs.at(1)
        let y = try inputs.at(2)
        let shape = try ShapeMath.broadcast([condition.shape, x.shape, y.shape])
        let maps = Broadcast.indexMaps(shape: shape, inputs: [condition.shape, x.shape, y.shape])
        let test = try condition.intValues()
        func pick<T>(_ a: [T], _ b: [T]) -> [T] {
            (0..<shape.product).map { test[maps[0][$0]] != 0 ? a[maps[1][$0]] : b[maps[2][$0]] }
        }
        switch (x.storage, y.storage) {
        case (.float(let a), .float(let b)): return [NDArray(floats: pick(a, b), shape: shape, type: x.dataType)]
        case (.int(let a), .int(let b)): return [NDArray(ints: pick(a, b), shape: shape, type: x.dataType)]
        case (.string(let a), .string(let b)): return [NDArray(dataType: .string, shape: shape, storage: .string(pick(a, b)))]
        default: throw KernelError.invalid("x is \(x.dataType) and y is \(y.dataType); they must have the same type")
        }
    }
}
