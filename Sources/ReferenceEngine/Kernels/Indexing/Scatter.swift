import TensorCore

/// ScatterElements (and the older Scatter) and ScatterND, with their reductions.
enum ScatterKernels {
    /// How an update combines with the value already there.
    static func combiner(_ node: NodeContext) throws(ReferenceEngineError) -> (@Sendable (Float, Float) -> Float, @Sendable (Int64, Int64) -> Int64) {
        switch try node.choice("reduction", default: "none", in: ["none", "add", "mul", "max", "min"]) {
        case "add": ({ $0 + $1 }, { $0 &+ $1 })
        case "mul": ({ $0 * $1 }, { $0 &* $1 })
        case "max": ({ max($0, $1) }, { max($0, $1) })
        case "min": ({ min($0, $1) }, { min($0, $1) })
        default: ({ $1 }, { $1 })
        }
    }

    /// Writes `updates` into a copy of `data` at `offsets`.
    static func apply(
        _ data: NDArray, offsets: [Int], updates: NDArray, float: (Float, Float) -> Float, int: (Int64, Int64) -> Int64
    ) throws(KernelError) -> NDArray {
        var result = data
        switch (data.storage, updates.storage) {
        case (.float(var target), .float(let source)):
            for (offset, value) in zip(offsets, source) { target[offset] = float(target[offset], value) }
            result.storage = .float(target)
        case (.int(var target), .int(let source)):
            for (offset, value) in zip(offsets, source) { target[offset] = int(target[offset], value) }
            result.storage = .int(target)
        case (.string(var target), .string(let source)):
            for (offset, value) in zip(offsets, source) { target[offset] = value }
            result.storage = .string(target)
        default:
            throw .invalid("updates are \(updates.dataType), data is \(data.dataType)")
        }
        return result
    }

    static func elements(_ node: NodeContext) throws(ReferenceEngineError) -> Kernel {
        let axis = try node.int("axis", default: 0)
        let (float, int) = try combiner(node)
        return { inputs, _ in
            let data = try inputs.at(0)
            let indices = try inputs.at(1)
            let updates = try inputs.at(2)
            let a = try ShapeMath.axis(axis, rank: data.rank)
            guard indices.shape == updates.shape, indices.rank == data.rank else {
                throw KernelError.shapeMismatch("indices \(indices.shape), updates \(updates.shape) and data \(data.shape) do not fit")
            }
            let offsets = try IndexingKernels.elementOffsets(indices: indices, along: a, into: data.shape)
            return [try apply(data, offsets: offsets, updates: updates, float: float, int: int)]
        }
    }

    static func nd(_ node: NodeContext) throws(ReferenceEngineError) -> Kernel {
        let (float, int) = try combiner(node)
        return { inputs, _ in
            let data = try inputs.at(0)
            let indices = try inputs.at(1)
            let updates = try inputs.at(2)
            guard let depth = indices.shape.last, depth <= data.rank else {
                throw KernelError.shapeMismatch("indices \(indices.shape) do not fit data \(data.shape)")
            }
            let strides = ShapeMath.strides(data.shape)
            let slice = data.shape[depth...].product
            let values = try indices.intValues()
            var offsets: [Int] = []
            for t in 0..<(indices.count / max(1, depth)) {
                var base = 0
                for k in 0..<depth { base += try IndexingKernels.normalize(values[t * depth + k], size: data.shape[k]) * strides[k] }
                for i in 0..<slice { offsets.append(base + i) }
            }
            guard offsets.count == updates.count else { throw KernelError.shapeMismatch("updates \(updates.shape) do not fit the indexed slices") }
            return [try apply(data, offsets: offsets, updates: updates, float: float, int: int)]
        }
    }
}
