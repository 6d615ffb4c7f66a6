import Foundation
import TensorCore

/// The Reduce* family and ArgMax/ArgMin: the reduced axes are moved last, so each output
/// element reduces one contiguous row.
enum Reduce {
    /// The value with `axes` moved to the end, the kept shape, and the row length.
    static func rows(_ x: NDArray, axes: Set<Int>) -> (moved: NDArray, kept: [Int], width: Int) {
        let kept = (0..<x.rank).filter { !axes.contains($0) }
        let reduced = (0..<x.rank).filter { axes.contains($0) }
        let moved = kept.isEmpty || reduced.isEmpty || kept.last ?? 0 < reduced.first ?? 0 ? x : x.transposed(kept + reduced)
        return (moved, kept.map { x.shape[$0] }, reduced.map { x.shape[$0] }.product)
    }

    /// Output shape with reduced axes dropped or kept as 1.
    static func shape(_ x: NDArray, axes: Set<Int>, keepDims: Bool) -> [Int] {
        keepDims ? x.shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element } : x.shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
    }

    /// A Reduce* kernel: `float` folds a row of floats, `int` a row of integers (`nil`: floats only).
    /// - Parameter axesFromInput: axes come from input 1 (ReduceSum-13, all Reduce*-18) rather than the attribute.
    static func kernel(
        _ node: NodeContext, axesFromInput: Bool, float: @escaping @Sendable (ArraySlice<Float>) -> Float,
        int: (@Sendable (ArraySlice<Int64>) -> Int64)?
    ) throws(ReferenceEngineError) -> Kernel {
        let keepDims = try node.int("keepdims", default: 1) != 0
        let noopWhenEmpty = try node.int("noop_with_empty_axes", default: 0) != 0
        let attributeAxes = try node.ints("axes")
        return { inputs, _ in
            let x = try inputs.at(0)
            let given = axesFromInput ? try inputs.optional(1)?.intValues().map { Int($0) } : attributeAxes
            if given?.isEmpty ?? true, noopWhenEmpty { return [x] }
            let list = given.flatMap { $0.isEmpty ? nil : $0 } ?? Array(0..<x.rank)
            let axes = try Set(list.map { a throws(KernelError) in try ShapeMath.axis(a, rank: x.rank) })
            let (moved, kept, width) = rows(x, axes: axes)
            let count = kept.product
            let shape = shape(x, axes: axes, keepDims: keepDims)
            switch moved.storage {
            case .float(let values):
                let result = (0..<count).map { float(values[($0 * width)..<(($0 + 1) * width)]) }
                return [NDArray(floats: result, shape: shape, type: x.dataType)]
            case .int(let values):
                guard let int else { throw KernelError.unsupportedType(x.dataType) }
                // A bool result is true only above zero: the empty ReduceMax (Int64.min) is false.
                let type = x.dataType
                let result = (0..<count).map { row -> Int64 in
                    let value = int(values[(row * width)..<((row + 1) * width)])
                    return type == .bool ? (value > 0 ? 1 : 0) : type.wrap(value)
                }
                return [NDArray(ints: result, shape: shape, type: x.dataType)]
            case .string:
                throw KernelError.unsupportedType(.string)
            }
        }
    }

    /// ArgMax (`greater`) or ArgMin over one axis.
    static func argKernel(_ node: NodeContext, max: Bool) throws(ReferenceEngineError) -> Kernel {
        let axis = try node.int("axis", default: 0)
        let keepDims = try node.int("keepdims", default: 1) != 0
        let last = try node.int("select_last_index", default: 0) != 0
        return { inputs, _ in
            let x = try inputs.at(0)
            let a = try ShapeMath.axis(axis, rank: x.rank)
            let (moved, kept, width) = rows(x, axes: [a])
            let values = try moved.floatValues()
            let result = (0..<kept.product).map { row -> Int64 in
                var best = 0
                for j in 0..<width {
                    let v = values[row * width + j]
                    let b = values[row * width + best]
                    let better = max ? (v > b || (last && v == b)) : (v < b || (last && v == b))
                    if better { best = j }
                }
                return Int64(best)
            }
            return [NDArray(ints: result, shape: shape(x, axes: [a], keepDims: keepDims))]
        }
    }
}

extension OperatorRegistry {
    /// Reductions.
    mutating func registerReductions() {
        typealias F = @Sendable (ArraySlice<Float>) -> Float
        typealias I = @Sendable (ArraySlice<Int64>) -> Int64
        let family: [(String, F, I?, Int)] = [
            ("ReduceSum", { $0.reduce(0, +) }, { $0.reduce(0, &+) }, 13),
            ("ReduceMean", { $0.reduce(0, +) / Float(max(1, $0.count)) }, { $0.reduce(0, &+) / Int64(max(1, $0.count)) }, 18),
            ("ReduceMax", { $0.max() ?? -.infinity }, { $0.max() ?? .min }, 18),
            ("ReduceMin", { $0.min() ?? .infinity }, { $0.min() ?? .max }, 18),
            ("ReduceProd", { $0.reduce(1, *) }, { $0.reduce(1, &*) }, 18),
            ("ReduceL1", { $0.reduce(0) { $0 + abs($1) } }, { $0.reduce(0) { $0 &+ abs($1) } }, 18),
            ("ReduceL2", { $0.reduce(0) { $0 + $1 * $1 }.squareRoot() }, nil, 18),
            ("ReduceSumSquare", { $0.reduce(0) { $0 + $1 * $1 } }, { $0.reduce(0) { $0 &+ $1 &* $1 } }, 18),
            ("ReduceLogSum", { Foundation.log($0.reduce(0, +)) }, nil, 18),
            ("ReduceLogSumExp", { row in
                let peak = row.max() ?? 0
                guard peak.isFinite else { return Foundation.log(row.reduce(0) { $0 + Foundation.exp($1) }) }
                return peak + Foundation.log(row.reduce(0) { $0 + Foundation.exp($1 - peak) })
            }, nil, 18),
        ]
        for (name, float, int, inputSince) in family {
            register(name, until: inputSince - 1) { node throws(ReferenceEngineError) in
                try Reduce.kernel(node, axesFromInput: false, float: float, int: int)
            }
            register(name, since: inputSince) { node throws(ReferenceEngineError) in
                try Reduce.kernel(node, axesFromInput: true, float: float, int: int)
            }
        }
        register("ArgMax") { node throws(ReferenceEngineError) in try Reduce.argKernel(node, max: true) }
        register("ArgMin") { node throws(ReferenceEngineError) in try Reduce.argKernel(node, max: false) }
    }
}
