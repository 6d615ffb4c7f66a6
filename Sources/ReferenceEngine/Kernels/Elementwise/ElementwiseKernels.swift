import Foundation
import TensorCore

/// Kernel builders shared by the element-wise operators.
enum ElementwiseKernels {
    /// A unary operator: `float` on float values, `int` on integer values (an error where `nil`).
    static func unary(_ float: @escaping @Sendable (Float) -> Float, int: (@Sendable (Int64) -> Int64)? = nil) -> Kernel {
        { inputs, context in [try apply(try inputs.at(0), context: context, float: UnaryClosure(body: float), int: int)] }
    }

    /// The same with a function type, whose float loop is compiled for it.
    static func unary<F: UnaryFunction & Sendable>(_ float: F, int: (@Sendable (Int64) -> Int64)? = nil) -> Kernel
    where F.Input == Float, F.Output == Float {
        { inputs, context in [try apply(try inputs.at(0), context: context, float: float, int: int)] }
    }

    @inline(__always)
    private static func apply<F: UnaryFunction>(
        _ x: NDArray, context: ExecutionContext, float: F, int: ((Int64) -> Int64)?
    ) throws -> NDArray where F.Input == Float, F.Output == Float {
        switch x.storage {
        case .float(let values):
            return NDArray(floats: Broadcast.map(values, context: context, float), shape: x.shape, type: x.dataType)
        case .int(let values):
            guard let int else { throw KernelError.unsupportedType(x.dataType) }
            let type = x.dataType
            return NDArray(ints: Broadcast.map(values, context: context) { type.wrap(int($0)) }, shape: x.shape, type: type)
        case .string:
            throw KernelError.unsupportedType(x.dataType)
        }
    }

    /// A unary test giving bool: `float` on floats, `int` on integers.
    static func predicate(_ float: @escaping @Sendable (Float) -> Bool, int: (@Sendable (Int64) -> Bool)? = nil) -> Kernel {
        { inputs, context in
            let x = try inputs.at(0)
            switch x.storage {
            case .float(let values):
                return [NDArray(ints: Broadcast.map(values, context: context) { float($0) ? 1 : 0 }, shape: x.shape, type: .bool)]
            case .int(let values):
                guard let int else { throw KernelError.unsupportedType(x.dataType) }
                return [NDArray(ints: Broadcast.map(values, context: context) { int($0) ? 1 : 0 }, shape: x.shape, type: .bool)]
            case .string:
                throw KernelError.unsupportedType(x.dataType)
            }
        }
    }

    /// A binary operator with broadcasting; the result keeps the first input's type.
    static func binary(
        _ float: @escaping @Sendable (Float, Float) -> Float, int: (@Sendable (Int64, Int64) throws -> Int64)? = nil
    ) -> Kernel {
        { inputs, context in
            try [combine(try inputs.at(0), try inputs.at(1), context: context, float: BinaryClosure(body: float), int: int)]
        }
    }

    /// The same with a function type, whose float loop is compiled for it.
    static func binary<F: BinaryFunction & Sendable>(
        _ float: F, int: (@Sendable (Int64, Int64) throws -> Int64)? = nil
    ) -> Kernel where F.First == Float, F.Second == Float, F.Output == Float {
        { inputs, context in
            try [combine(try inputs.at(0), try inputs.at(1), context: context, float: float, int: int)]
        }
    }

    /// `float` or `int` over two values of the same family, broadcast.
    @inline(__always)
    static func combine<F: BinaryFunction>(
        _ a: NDArray, _ b: NDArray, context: ExecutionContext, float: F, int: ((Int64, Int64) throws -> Int64)?
    ) throws -> NDArray where F.First == Float, F.Second == Float, F.Output == Float {
        switch (a.storage, b.storage) {
        case (.float(let x), .float(let y)):
            let (values, shape) = try Broadcast.binary(x, a.shape, y, b.shape, context: context, float)
            return NDArray(floats: values, shape: shape, type: a.dataType)
        case (.int(let x), .int(let y)):
            guard let int else { throw KernelError.unsupportedType(a.dataType) }
            var failure: (any Error)?
            let type = a.dataType
            let (values, shape) = try Broadcast.binary(x, a.shape, y, b.shape, context: context) { p, q -> Int64 in
                do { return type.wrap(try int(p, q)) } catch {
                    failure = error
                    return 0
                }
            }
            if let failure { throw failure }
            return NDArray(ints: values, shape: shape, type: type)
        default:
            throw KernelError.invalid("operands are \(a.dataType) and \(b.dataType); they must have the same type")
        }
    }

    /// A comparison giving bool, broadcast; floats, integers, and (for equality) strings.
    static func comparison(
        _ float: @escaping @Sendable (Float, Float) -> Bool, int: @escaping @Sendable (Int64, Int64) -> Bool
    ) -> Kernel {
        { inputs, context in
            let a = try inputs.at(0)
            let b = try inputs.at(1)
            switch (a.storage, b.storage) {
            case (.float(let x), .float(let y)):
                let (values, shape) = try Broadcast.binary(x, a.shape, y, b.shape, context: context) { float($0, $1) ? Int64(1) : 0 }
                return [NDArray(ints: values, shape: shape, type: .bool)]
            case (.int(let x), .int(let y)):
                let (values, shape) = try Broadcast.binary(x, a.shape, y, b.shape, context: context) { int($0, $1) ? Int64(1) : 0 }
                return [NDArray(ints: values, shape: shape, type: .bool)]
            case (.string(let x), .string(let y)):
                // Only equality is defined on strings.
                let (values, shape) = try Broadcast.binary(x, a.shape, y, b.shape, context: context) { $0 == $1 ? Int64(1) : 0 }
                return [NDArray(ints: values, shape: shape, type: .bool)]
            default:
                throw KernelError.invalid("operands are \(a.dataType) and \(b.dataType); they must have the same type")
            }
        }
    }

    /// A variadic operator folding its inputs pairwise with broadcasting (Sum, Max, Min, Mean).
    static func variadic(
        _ float: @escaping @Sendable (Float, Float) -> Float, int: @escaping @Sendable (Int64, Int64) -> Int64,
        finish: (@Sendable (Float, Int) -> Float)? = nil
    ) -> Kernel {
        { inputs, context in
            var result = try inputs.at(0)
            for index in 1..<max(1, inputs.count) {
                result = try combine(result, try inputs.at(index), context: context, float: BinaryClosure(body: float), int: int)
            }
            if let finish, case .float(let values) = result.storage {
                let n = inputs.count
                result.storage = .float(values.map { finish($0, n) })
            }
            return [result]
        }
    }
}
