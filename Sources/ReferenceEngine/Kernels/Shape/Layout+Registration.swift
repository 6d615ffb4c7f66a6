import Foundation
import TensorCore

extension OperatorRegistry {
    /// Operators that move elements: transposition, joining, splitting, slicing, padding.
    mutating func registerLayout() {
        register("Transpose") { node throws(ReferenceEngineError) in
            let perm = try node.ints("perm")
            return { inputs, _ in
                let x = try inputs.at(0)
                let permutation = perm ?? Array((0..<x.rank).reversed())
                guard permutation.sorted() == Array(0..<x.rank) else {
                    throw KernelError.invalid("perm \(permutation) is not a permutation of \(x.rank) axes")
                }
                return [x.transposed(permutation)]
            }
        }
        register("Concat") { node throws(ReferenceEngineError) in
            guard let axis = try node.int("axis") else { throw node.invalid("attribute 'axis' is required") }
            return { inputs, context in
                let parts = try (0..<inputs.count).map { i throws(KernelError) in try inputs.at(i) }
                return [try NDArray.concatenate(parts, axis: try ShapeMath.axis(axis, rank: parts.first?.rank ?? 0), pool: context.pool)]
            }
        }
        register("Split") { node throws(ReferenceEngineError) in
            let axis = try node.int("axis", default: 0)
            let attributeSplit = try node.ints("split")
            let outputs = try node.int("num_outputs") ?? node.node.outputs.count
            return { inputs, _ in
                let x = try inputs.at(0)
                let a = try ShapeMath.axis(axis, rank: x.rank)
                let dim = x.shape[a]
                var sizes = try inputs.optional(1)?.intValues().map { Int($0) } ?? attributeSplit
                if sizes == nil {
                    let chunk = (dim + outputs - 1) / max(1, outputs)
                    sizes = (0..<outputs).map { min(chunk, max(0, dim - $0 * chunk)) }
                }
                guard let sizes, sizes.reduce(0, +) == dim, sizes.allSatisfy({ $0 >= 0 }) else {
                    throw KernelError.invalid("split sizes do not add up to \(dim)")
                }
                var start = 0
                return sizes.map { size in
                    defer { start += size }
                    return LayoutKernels.slice(x, axis: a, start: start, count: size)
                }
            }
        }
        register("Slice", until: 9) { node throws(ReferenceEngineError) in
            guard let starts = try node.ints("starts"), let ends = try node.ints("ends") else {
                throw node.invalid("attributes 'starts' and 'ends' are required")
            }
            let axes = try node.ints("axes")
            return { inputs, _ in [try LayoutKernels.slice(try inputs.at(0), starts: starts, ends: ends, axes: axes, steps: nil)] }
        }
        register("Slice", since: 10) { _ in
            { inputs, _ in
                func list(_ i: Int) throws -> [Int]? { try inputs.optional(i)?.intValues().map { Int(clamping: $0) } }
                return [try LayoutKernels.slice(
                    try inputs.at(0), starts: try list(1) ?? [], ends: try list(2) ?? [], axes: try list(3), steps: try list(4))]
            }
        }
        register("Tile") { _ in
            { inputs, _ in
                let x = try inputs.at(0)
                let repeats = try inputs.at(1).intValues().map { Int($0) }
                guard repeats.count == x.rank, repeats.allSatisfy({ $0 >= 0 }) else {
                    throw KernelError.invalid("repeats \(repeats) do not fit rank \(x.rank)")
                }
                let maps = x.shape.indices.map { axis in (0..<(x.shape[axis] * repeats[axis])).map { $0 % x.shape[axis] } }
                return [x.gatheredAxes(maps, fill: nil)]
            }
        }
        register("Pad", until: 10) { node throws(ReferenceEngineError) in
            let named = try node.ints("pads")
            let legacy = try node.ints("paddings")
            let pads = named ?? legacy ?? []
            let mode = try node.choice("mode", default: "constant", in: ["constant", "reflect", "edge"])
            let value = try node.float("value", default: 0)
            return { inputs, _ in [try LayoutKernels.pad(try inputs.at(0), pads: pads, axes: nil, mode: mode, value: value)] }
        }
        register("Pad", since: 11) { node throws(ReferenceEngineError) in
            let mode = try node.choice("mode", default: "constant", in: ["constant", "reflect", "edge", "wrap"])
            return { inputs, _ in
                let pads = try inputs.at(1).intValues().map { Int($0) }
                let value = try inputs.optional(2)?.scalarFloat() ?? 0
                let axes = try inputs.optional(3)?.intValues().map { Int($0) }
                return [try LayoutKernels.pad(try inputs.at(0), pads: pads, axes: axes, mode: mode, value: value)]
            }
        }
        register("DepthToSpace") { node throws(ReferenceEngineError) in
            guard let block = try node.int("blocksize"), block > 0 else { throw node.invalid("attribute 'blocksize' must be positive") }
            let crd = try node.choice("mode", default: "DCR", in: ["DCR", "CRD"]) == "CRD"
            return { inputs, _ in
                let x = try inputs.at(0)
                guard x.rank == 4, x.shape[1] % (block * block) == 0 else {
                    throw KernelError.invalid("input \(x.shape) is not NCHW with channels divisible by \(block * block)")
                }
                let (n, c, h, w) = (x.shape[0], x.shape[1] / (block * block), x.shape[2], x.shape[3])
                let split = crd ? x.reshaped([n, c, block, block, h, w]) : x.reshaped([n, block, block, c, h, w])
                let moved = split.transposed(crd ? [0, 1, 4, 2, 5, 3] : [0, 3, 4, 1, 5, 2])
                return [moved.reshaped([n, c, h * block, w * block])]
            }
        }
        register("SpaceToDepth") { node throws(ReferenceEngineError) in
            guard let block = try node.int("blocksize"), block > 0 else { throw node.invalid("attribute 'blocksize' must be positive") }
            // DCR orders the output channels (row in block, column in block, channel); CRD
            // (opset 28) orders them (channel, row in block, column in block).
            let crd = try node.choice("mode", default: "DCR", in: ["DCR", "CRD"]) == "CRD"
            return { inputs, _ in
                let x = try inputs.at(0)
                guard x.rank == 4, x.shape[2] % block == 0, x.shape[3] % block == 0 else {
                    throw KernelError.invalid("input \(x.shape) is not NCHW with sides divisible by \(block)")
                }
                let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2] / block, x.shape[3] / block)
                let moved = x.reshaped([n, c, h, block, w, block]).transposed(crd ? [0, 1, 3, 5, 2, 4] : [0, 3, 5, 1, 2, 4])
                return [moved.reshaped([n, c * block * block, h, w])]
            }
        }
        register("Trilu") { node throws(ReferenceEngineError) in
            let upper = try node.int("upper", default: 1) != 0
            return { inputs, _ in
                let x = try inputs.at(0)
                let k = try inputs.optional(1)?.scalarInt() ?? 0
                guard x.rank >= 2 else { throw KernelError.invalid("Trilu needs rank 2 or more, got \(x.shape)") }
                let (rows, columns) = (x.shape[x.rank - 2], x.shape[x.rank - 1])
                let keep = (0..<x.count).map { index -> Bool in
                    let j = index % columns
                    let i = (index / columns) % max(rows, 1)
                    return upper ? j - i >= k : j - i <= k
                }
                switch x.storage {
                case .float(let v): return [NDArray(floats: zip(v, keep).map { $1 ? $0 : 0 }, shape: x.shape, type: x.dataType)]
                case .int(let v): return [NDArray(ints: zip(v, keep).map { $1 ? $0 : 0 }, shape: x.shape, type: x.dataType)]
                case .string: throw KernelError.unsupportedType(.string)
                }
            }
        }
    }
}

/// Slicing and padding arithmetic.
enum LayoutKernels {
    /// `count` entries of `axis` from `start`.
    static func slice(_ x: NDArray, axis: Int, start: Int, count: Int) -> NDArray {
        var shape = x.shape
        shape[axis] = count
        let strides = ShapeMath.strides(x.shape)
        return x.strided(shape: shape, strides: strides, offset: start * strides[axis])
    }

    /// ONNX Slice with numpy clamping of starts and ends, negative steps included.
    static func slice(_ x: NDArray, starts: [Int], ends: [Int], axes: [Int]?, steps: [Int]?) throws(KernelError) -> NDArray {
        let axes = axes ?? Array(0..<starts.count)
        let steps = steps ?? Array(repeating: 1, count: starts.count)
        guard starts.count == ends.count, axes.count == starts.count, steps.count == starts.count else {
            throw .invalid("starts, ends, axes and steps differ in length")
        }
        let strides = ShapeMath.strides(x.shape)
        var shape = x.shape
        var viewStrides = strides
        var offset = 0
        var seen: Set<Int> = []
        for k in axes.indices {
            let axis = try ShapeMath.axis(axes[k], rank: x.rank)
            guard seen.insert(axis).inserted else { throw .invalid("axis \(axes[k]) is sliced twice") }
            let dim = x.shape[axis]
            let step = steps[k]
            guard step != 0 else { throw .invalid("a slice step is 0") }
            var start = starts[k] < 0 ? starts[k] + dim : starts[k]
            var end = ends[k] < 0 ? ends[k] + dim : ends[k]
            if step > 0 {
                start = min(max(start, 0), dim)
                end = min(max(end, 0), dim)
            } else {
                start = min(max(start, 0), dim - 1)
                end = min(max(end, -1), dim - 1)
            }
            let length = step > 0 ? max(0, (end - start + step - 1) / step) : max(0, (start - end - step - 1) / -step)
            shape[axis] = length
            viewStrides[axis] = strides[axis] * step
            if length > 0 { offset += start * strides[axis] }
        }
        return x.strided(shape: shape, strides: viewStrides, offset: offset)
    }

    static func pad(_ x: NDArray, pads: [Int], axes: [Int]?, mode: String, value: Float) throws(KernelError) -> NDArray {
        let axes = try (axes ?? Array(0..<x.rank)).map { a throws(KernelError) in try ShapeMath.axis(a, rank: x.rank) }
        guard pads.count == 2 * axes.count else { throw .invalid("pads \(pads) do not fit \(axes.count) axes") }
        var before = [Int](repeating: 0, count: x.rank)
        var after = before
        for (k, axis) in axes.enumerated() {
            before[axis] = pads[k]
            after[axis] = pads[k + axes.count]
        }
        var maps: [[Int]] = []
        for axis in 0..<x.rank {
            let dim = x.shape[axis]
            let size = dim + before[axis] + after[axis]
            guard size >= 0 else { throw .invalid("pads \(pads) remove more than axis \(axis) holds") }
            if mode != "constant", dim == 0, size > 0 { throw .invalid("cannot \(mode)-pad an empty axis") }
            maps.append((0..<size).map { o in
                let i = o - before[axis]
                if i >= 0 && i < dim { return i }
                switch mode {
                case "edge": return min(max(i, 0), dim - 1)
                case "wrap": return ((i % dim) + dim) % dim
                case "reflect":
                    guard dim > 1 else { return 0 }
                    let period = 2 * (dim - 1)
                    var r = ((i % period) + period) % period
                    if r >= dim { r = period - r }
                    return r
                default: return -1
                }
            })
        }
        return x.gatheredAxes(maps, fill: value)
    }
}

extension NDArray {
    /// The result of reading, along every axis, the input index `maps[axis][o]` for output index
    /// `o`; a negative index reads `fill` instead.
    func gatheredAxes(_ maps: [[Int]], fill: Float?) -> NDArray {
        let shape = maps.map(\.count)
        let strides = ShapeMath.strides(self.shape)
        var indices = [Int](repeating: 0, count: shape.product)
        if !indices.isEmpty {
            var coordinate = [Int](repeating: 0, count: shape.count)
            for position in indices.indices {
                var offset = 0
                for axis in 0..<shape.count {
                    let source = maps[axis][coordinate[axis]]
                    if source < 0 { offset = -1; break }
                    offset += source * strides[axis]
                }
                indices[position] = offset
                var axis = shape.count - 1
                while axis >= 0 {
                    coordinate[axis] += 1
                    if coordinate[axis] < shape[axis] { break }
                    coordinate[axis] = 0
                    axis -= 1
                }
            }
        }
        let storage: Storage =
            switch self.storage {
            case .float(let v): .float(indices.map { $0 < 0 ? (fill ?? 0) : v[$0] })
            case .int(let v): .int(indices.map { $0 < 0 ? Int64(fill ?? 0) : v[$0] })
            case .string(let v): .string(indices.map { $0 < 0 ? Data() : v[$0] })
            }
        return NDArray(dataType: dataType, shape: shape, storage: storage)
    }
}
