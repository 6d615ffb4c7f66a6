import Foundation
import TensorCore

extension OperatorRegistry {
    /// Operators that change shapes without moving elements, and constant generators.
    mutating func registerShape() {
        registerCast()
        registerLayout()
        register("Reshape", until: 4) { node throws(ReferenceEngineError) in
            let target = try node.ints("shape") ?? []
            return { inputs, _ in
                let x = try inputs.at(0)
                return [x.reshaped(try ShapeKernels.reshape(x.shape, to: target, allowZero: false))]
            }
        }
        register("Reshape", since: 5) { node throws(ReferenceEngineError) in
            let allowZero = try node.int("allowzero", default: 0) != 0
            return { inputs, _ in
                let x = try inputs.at(0)
                let target = try inputs.at(1).intValues().map { Int($0) }
                return [x.reshaped(try ShapeKernels.reshape(x.shape, to: target, allowZero: allowZero))]
            }
        }
        register("Flatten") { node throws(ReferenceEngineError) in
            let axis = try node.int("axis", default: 1)
            return { inputs, _ in
                let x = try inputs.at(0)
                let a = axis < 0 ? axis + x.rank : axis
                guard a >= 0, a <= x.rank else { throw KernelError.invalid("axis \(axis) is out of range for rank \(x.rank)") }
                return [x.reshaped([x.shape[..<a].product, x.shape[a...].product])]
            }
        }
        register("Squeeze", until: 12) { node throws(ReferenceEngineError) in
            let axes = try node.ints("axes")
            return { inputs, _ in [try ShapeKernels.squeeze(try inputs.at(0), axes: axes)] }
        }
        register("Squeeze", since: 13) { _ in
            { inputs, _ in
                [try ShapeKernels.squeeze(try inputs.at(0), axes: try inputs.optional(1)?.intValues().map { Int($0) })]
            }
        }
        register("Unsqueeze", until: 12) { node throws(ReferenceEngineError) in
            guard let axes = try node.ints("axes") else { throw node.invalid("attribute 'axes' is required") }
            return { inputs, _ in [try ShapeKernels.unsqueeze(try inputs.at(0), axes: axes)] }
        }
        register("Unsqueeze", since: 13) { _ in
            { inputs, _ in [try ShapeKernels.unsqueeze(try inputs.at(0), axes: try inputs.at(1).intValues().map { Int($0) })] }
        }
        register("Shape") { node throws(ReferenceEngineError) in
            let start = try node.int("start", default: 0)
            let end = try node.int("end")
            return { inputs, _ in
                let shape = try inputs.at(0).shape
                let rank = shape.count
                func clamp(_ v: Int) -> Int { min(max(v < 0 ? v + rank : v, 0), rank) }
                let lower = clamp(start)
                let upper = max(lower, clamp(end ?? rank))
                return [NDArray(ints: shape[lower..<upper].map { Int64($0) }, shape: [upper - lower])]
            }
        }
        register("Size") { _ in { inputs, _ in [NDArray(ints: [Int64(try inputs.at(0).count)], shape: [])] } }
        register("Expand") { _ in
            { inputs, _ in
                let x = try inputs.at(0)
                let target = try inputs.at(1).intValues().map { Int($0) }
                let shape = try ShapeMath.broadcast([x.shape, target])
                return [x.strided(shape: shape, strides: ShapeMath.broadcastStrides(x.shape, to: shape))]
            }
        }
        register("ConstantOfShape") { node throws(ReferenceEngineError) in
            let value = try node.tensor("value") ?? NDArray(floats: [0], shape: [1])
            return { inputs, _ in
                let shape = try inputs.at(0).intValues().map { Int($0) }
                guard shape.allSatisfy({ $0 >= 0 }) else { throw KernelError.invalid("negative dimension in \(shape)") }
                let count = shape.product
                switch value.storage {
                case .float(let v): return [NDArray(floats: Array(repeating: v.first ?? 0, count: count), shape: shape, type: value.dataType)]
                case .int(let v): return [NDArray(ints: Array(repeating: v.first ?? 0, count: count), shape: shape, type: value.dataType)]
                case .string: throw KernelError.unsupportedType(.string)
                }
            }
        }
        register("Constant") { node throws(ReferenceEngineError) in
            let value = try ShapeKernels.constant(node)
            return { _, _ in [value] }
        }
        register("Range") { _ in
            { inputs, _ in
                let start = try inputs.at(0)
                let limit = try inputs.at(1)
                let delta = try inputs.at(2)
                if start.isInt {
                    let (s, l, d) = (Int64(try start.scalarInt()), Int64(try limit.scalarInt()), Int64(try delta.scalarInt()))
                    guard d != 0 else { throw KernelError.invalid("delta is zero") }
                    let n = max(0, Int(((l - s) + d + (d > 0 ? -1 : 1)) / d))
                    return [NDArray(ints: (0..<n).map { s + Int64($0) * d }, shape: [n], type: start.dataType)]
                }
                let (s, l, d) = (try start.scalarFloat(), try limit.scalarFloat(), try delta.scalarFloat())
                guard d != 0 else { throw KernelError.invalid("delta is zero") }
                let n = max(0, Int(((l - s) / d).rounded(.up)))
                return [NDArray(floats: (0..<n).map { s + Float($0) * d }, shape: [n], type: start.dataType)]
            }
        }
        register("EyeLike") { node throws(ReferenceEngineError) in
            let k = try node.int("k", default: 0)
            let dtype = try node.int("dtype").map { Int32(truncatingIfNeeded: $0) }
            return { inputs, _ in
                let x = try inputs.at(0)
                guard x.rank == 2 else { throw KernelError.invalid("EyeLike needs a 2-D input, got \(x.shape)") }
                let type = try dtype.map { code throws(KernelError) in
                    do { return try DataType(onnxCode: code) } catch { throw .invalid("dtype \(code) is not an ONNX type") }
                } ?? x.dataType
                let (rows, columns) = (x.shape[0], x.shape[1])
                var eye = NDArray.empty(type, shape: [rows, columns])
                var ones = [Int]()
                for r in 0..<rows where r + k >= 0 && r + k < columns { ones.append(r * columns + r + k) }
                switch eye.storage {
                case .float(var v): for i in ones { v[i] = 1 }; eye.storage = .float(v)
                case .int(var v): for i in ones { v[i] = 1 }; eye.storage = .int(v)
                case .string: throw KernelError.unsupportedType(type)
                }
                return [eye]
            }
        }
    }
}

/// Shape arithmetic of the reshaping operators.
enum ShapeKernels {
    /// Reshape's target: 0 copies the input's dimension (unless `allowZero`), -1 is inferred.
    static func reshape(_ shape: [Int], to target: [Int], allowZero: Bool) throws(KernelError) -> [Int] {
        var result = target
        for (index, size) in target.enumerated() where size == 0 && !allowZero {
            guard index < shape.count else { throw .invalid("target \(target) copies axis \(index) that \(shape) lacks") }
            result[index] = shape[index]
        }
        let count = shape.product
        let unknown = result.indices.filter { result[$0] == -1 }
        guard unknown.count <= 1, result.allSatisfy({ $0 >= -1 }) else { throw .invalid("target shape \(target) is invalid") }
        if let axis = unknown.first {
            let known = result.enumerated().filter { $0.offset != axis }.map(\.element).product
            guard known > 0, count % known == 0 else { throw .shapeMismatch("cannot reshape \(shape) to \(target)") }
            result[axis] = count / known
        }
        guard result.product == count else { throw .shapeMismatch("cannot reshape \(shape) to \(target)") }
        return result
    }

    static func squeeze(_ x: NDArray, axes: [Int]?) throws(KernelError) -> NDArray {
        guard let axes else { return x.reshaped(x.shape.filter { $0 != 1 }) }
        let normalized = try Set(axes.map { a throws(KernelError) in try ShapeMath.axis(a, rank: x.rank) })
        for axis in normalized where x.shape[axis] != 1 {
            throw .invalid("axis \(axis) of \(x.shape) has size \(x.shape[axis]), not 1")
        }
        return x.reshaped(x.shape.enumerated().filter { !normalized.contains($0.offset) }.map(\.element))
    }

    static func unsqueeze(_ x: NDArray, axes: [Int]) throws(KernelError) -> NDArray {
        let rank = x.rank + axes.count
        let normalized = try Set(axes.map { a throws(KernelError) in try ShapeMath.axis(a, rank: rank) })
        guard normalized.count == axes.count else { throw .invalid("axes \(axes) repeat an axis") }
        var source = x.shape.makeIterator()
        return x.reshaped((0..<rank).map { normalized.contains($0) ? 1 : (source.next() ?? 1) })
    }

    /// The value of a Constant node, from whichever attribute it uses.
    static func constant(_ node: NodeContext) throws(ReferenceEngineError) -> NDArray {
        if let tensor = try node.tensor("value") { return tensor }
        if node.node.attribute("value_float") != nil { return NDArray(floats: [try node.float("value_float", default: 0)], shape: []) }
        if let values = try node.floats("value_floats") { return NDArray(floats: values, shape: [values.count]) }
        if let value = try node.int("value_int") { return NDArray(ints: [Int64(value)], shape: []) }
        if let values = try node.ints("value_ints") { return NDArray(ints: values.map { Int64($0) }, shape: [values.count]) }
        if let attribute = node.node.attribute("value_string"), case .string(let bytes) = attribute.value {
            return NDArray(dataType: .string, shape: [], storage: .string([bytes]))
        }
        if let attribute = node.node.attribute("value_strings"), case .strings(let list) = attribute.value {
            return NDArray(dataType: .string, shape: [list.count], storage: .string(list))
        }
        throw node.invalid("a Constant needs one of value, value_float(s), value_int(s), value_string(s)")
    }
}
