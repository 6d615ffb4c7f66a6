import Foundation
import TensorCore

/// Compress, NonZero, OneHot, CumSum, CumProd, TopK and ReverseSequence.
enum SelectionKernels {
    static func compress(_ node: NodeContext) throws(ReferenceEngineError) -> Kernel {
        let axis = try node.int("axis")
        return { inputs, _ in
            var data = try inputs.at(0)
            let keep = try inputs.at(1).intValues()
            var a = 0
            if let axis { a = try ShapeMath.axis(axis, rank: data.rank) } else { data = data.reshaped([data.count]) }
            let size = data.shape[a]
            let chosen = (0..<min(size, keep.count)).filter { keep[$0] != 0 }
            let outer = data.shape[..<a].product
            let inner = data.shape[(a + 1)...].product
            var offsets: [Int] = []
            for o in 0..<outer { for c in chosen { for i in 0..<inner { offsets.append((o * size + c) * inner + i) } } }
            var shape = data.shape
            shape[a] = chosen.count
            return [data.gathered(offsets, shape: shape)]
        }
    }

    static let nonZero: Kernel = { inputs, _ in
        let x = try inputs.at(0)
        let values = try x.floatValues()
        let strides = ShapeMath.strides(x.shape)
        let hits = values.indices.filter { values[$0] != 0 }
        var result = [Int64](repeating: 0, count: x.rank * hits.count)
        for (column, flat) in hits.enumerated() {
            var rest = flat
            for axis in 0..<x.rank {
                result[axis * hits.count + column] = Int64(rest / strides[axis])
                rest %= strides[axis]
            }
        }
        return [NDArray(ints: result, shape: [x.rank, hits.count])]
    }

    static func oneHot(_ node: NodeContext) throws(ReferenceEngineError) -> Kernel {
        let axis = try node.int("axis", default: -1)
        return { inputs, _ in
            let indices = try inputs.at(0).floatValues().map { Int64($0) }
            let indexShape = try inputs.at(0).shape
            let depth = try inputs.at(1).scalarInt()
            let values = try inputs.at(2)
            let rank = indexShape.count + 1
            let a = try ShapeMath.axis(axis, rank: rank)
            let outer = indexShape[..<a].product
            let inner = indexShape[a...].product
            var picks = [Int](repeating: 0, count: outer * depth * inner)
            for o in 0..<outer {
                for i in 0..<inner {
                    var index = Int(indices[o * inner + i])
                    if index < 0 { index += depth }
                    if index >= 0 && index < depth { picks[(o * depth + index) * inner + i] = 1 }
                }
            }
            var shape = indexShape
            shape.insert(depth, at: a)
            return [values.gathered(picks, shape: shape)]
        }
    }

    /// CumSum (`product` false) or CumProd along the axis given as the second input.
    static func cumulative(_ node: NodeContext, product: Bool) throws(ReferenceEngineError) -> Kernel {
        let exclusive = try node.int("exclusive", default: 0) != 0
        let reverse = try node.int("reverse", default: 0) != 0
        return { inputs, _ in
            let x = try inputs.at(0)
            let a = try ShapeMath.axis(try inputs.at(1).scalarInt(), rank: x.rank)
            let size = x.shape[a]
            let inner = x.shape[(a + 1)...].product
            let outer = x.shape[..<a].product
            func scan<T: Numeric>(_ v: [T], combine: (T, T) -> T) -> [T] {
                var out = v
                for o in 0..<outer {
                    for i in 0..<inner {
                        var running: T = product ? 1 : 0
                        for step in 0..<size {
                            let k = reverse ? size - 1 - step : step
                            let index = (o * size + k) * inner + i
                            if exclusive {
                                out[index] = running
                                running = combine(running, v[index])
                            } else {
                                running = combine(running, v[index])
                                out[index] = running
                            }
                        }
                    }
                }
                return out
            }
            switch x.storage {
            case .float(let v): return [NDArray(floats: scan(v, combine: product ? (*) : (+)), shape: x.shape, type: x.dataType)]
            case .int(let v):
                let type = x.dataType
                let values = scan(v, combine: product ? { type.wrap($0 &* $1) } : { type.wrap($0 &+ $1) })
                return [NDArray(ints: values, shape: x.shape, type: type)]
            case .string: throw KernelError.unsupportedType(.string)
            }
        }
    }

    static func topK(_ node: NodeContext) throws(ReferenceEngineError) -> Kernel {
        let axis = try node.int("axis", default: -1)
        let largest = try node.int("largest", default: 1) != 0
        let sorted = try node.int("sorted", default: 1) != 0
        let attributeK = try node.int("k")
        return { inputs, _ in
            let x = try inputs.at(0)
            let k = try inputs.optional(1)?.scalarInt() ?? attributeK ?? 0
            let a = try ShapeMath.axis(axis, rank: x.rank)
            let size = x.shape[a]
            guard k >= 0, k <= size else { throw KernelError.invalid("k = \(k) is out of range for axis size \(size)") }
            let values = try x.floatValues()
            let inner = x.shape[(a + 1)...].product
            let outer = x.shape[..<a].product
            var offsets = [Int](repeating: 0, count: outer * k * inner)
            var chosen = [Int64](repeating: 0, count: outer * k * inner)
            for o in 0..<outer {
                for i in 0..<inner {
                    let order = (0..<size).sorted { p, q in
                        let (u, v) = (values[(o * size + p) * inner + i], values[(o * size + q) * inner + i])
                        return u != v ? (largest ? u > v : u < v) : p < q
                    }
                    let top = sorted ? Array(order.prefix(k)) : Array(order.prefix(k)).sorted()
                    for (rank, index) in top.enumerated() {
                        offsets[(o * k + rank) * inner + i] = (o * size + index) * inner + i
                        chosen[(o * k + rank) * inner + i] = Int64(index)
                    }
                }
            }
            var shape = x.shape
            shape[a] = k
            return [x.gathered(offsets, shape: shape), NDArray(ints: chosen, shape: shape)]
        }
    }

    static func reverseSequence(_ node: NodeContext) throws(ReferenceEngineError) -> Kernel {
        let batchAxis = try node.int("batch_axis", default: 1)
        let timeAxis = try node.int("time_axis", default: 0)
        return { inputs, _ in
            let x = try inputs.at(0)
            let lengths = try inputs.at(1).intValues()
            let strides = ShapeMath.strides(x.shape)
            let offsets = (0..<x.count).map { flat -> Int in
                var rest = flat
                var coordinate = [Int](repeating: 0, count: x.rank)
                for axis in 0..<x.rank {
                    coordinate[axis] = rest / strides[axis]
                    rest %= strides[axis]
                }
                let length = Int(lengths[coordinate[batchAxis]])
                if coordinate[timeAxis] < length { coordinate[timeAxis] = length - 1 - coordinate[timeAxis] }
                return zip(coordinate, strides).map(*).reduce(0, +)
            }
            return [x.gathered(offsets, shape: x.shape)]
        }
    }
}

extension OperatorRegistry {
    /// Gathering, scattering and selection.
    mutating func registerIndexing() {
        register("Gather") { node throws(ReferenceEngineError) in try IndexingKernels.gather(node) }
        register("GatherElements") { node throws(ReferenceEngineError) in try IndexingKernels.gatherElements(node) }
        register("GatherND") { node throws(ReferenceEngineError) in try IndexingKernels.gatherND(node) }
        register("ScatterElements") { node throws(ReferenceEngineError) in try ScatterKernels.elements(node) }
        register("Scatter") { node throws(ReferenceEngineError) in try ScatterKernels.elements(node) }
        register("ScatterND") { node throws(ReferenceEngineError) in try ScatterKernels.nd(node) }
        register("Compress") { node throws(ReferenceEngineError) in try SelectionKernels.compress(node) }
        register("NonZero") { _ in SelectionKernels.nonZero }
        register("OneHot") { node throws(ReferenceEngineError) in try SelectionKernels.oneHot(node) }
        register("CumSum") { node throws(ReferenceEngineError) in try SelectionKernels.cumulative(node, product: false) }
        register("CumProd", since: 26) { node throws(ReferenceEngineError) in try SelectionKernels.cumulative(node, product: true) }
        register("TopK") { node throws(ReferenceEngineError) in try SelectionKernels.topK(node) }
        register("ReverseSequence") { node throws(ReferenceEngineError) in try SelectionKernels.reverseSequence(node) }
    }
}
