import TensorCore

/// Gather, GatherElements, GatherND and the index checks they share.
enum IndexingKernels {
    /// `index` made non-negative against `size`, or an error.
    static func normalize(_ index: Int64, size: Int) throws(KernelError) -> Int {
        let i = Int(index) < 0 ? Int(index) + size : Int(index)
        guard i >= 0, i < size else { throw .invalid("index \(index) is out of range for a dimension of \(size)") }
        return i
    }

    /// For GatherElements and ScatterElements: the flat offset into data of `shape` that each
    /// element of `indices` addresses (its own coordinates, with the index itself along `axis`).
    static func elementOffsets(indices: NDArray, along axis: Int, into shape: [Int]) throws(KernelError) -> [Int] {
        let strides = ShapeMath.strides(shape)
        let indexStrides = ShapeMath.strides(indices.shape)
        let values = try indices.intValues()
        return try values.indices.map { position throws(KernelError) -> Int in
            var offset = 0
            var rest = position
            for k in 0..<indices.rank {
                let coordinate = rest / indexStrides[k]
                rest %= indexStrides[k]
                offset += (k == axis ? try normalize(values[position], size: shape[axis]) : coordinate) * strides[k]
            }
            return offset
        }
    }

    static func gather(_ node: NodeContext) throws(ReferenceEngineError) -> Kernel {
        let axis = try node.int("axis", default: 0)
        return { inputs, _ in
            let data = try inputs.at(0)
            let indices = try inputs.at(1)
            let a = try ShapeMath.axis(axis, rank: data.rank)
            let outer = data.shape[..<a].product
            let size = data.shape[a]
            let inner = data.shape[(a + 1)...].product
            let picks = try indices.intValues().map { i throws(KernelError) in try normalize(i, size: size) }
            var offsets: [Int] = []
            offsets.reserveCapacity(outer * picks.count * inner)
            for o in 0..<outer {
                for p in picks {
                    let base = (o * size + p) * inner
                    for i in 0..<inner { offsets.append(base + i) }
                }
            }
            let shape = Array(data.shape[..<a]) + indices.shape + Array(data.shape[(a + 1)...])
            return [data.gathered(offsets, shape: shape)]
        }
    }

    static func gatherElements(_ node: NodeContext) throws(ReferenceEngineError) -> Kernel {
        let axis = try node.int("axis", default: 0)
        return { inputs, _ in
            let data = try inputs.at(0)
            let indices = try inputs.at(1)
            let a = try ShapeMath.axis(axis, rank: data.rank)
            guard indices.rank == data.rank else { throw KernelError.shapeMismatch("indices \(indices.shape) and data \(data.shape) differ in rank") }
            let offsets = try IndexingKernels.elementOffsets(indices: indices, along: a, into: data.shape)
            return [data.gathered(offsets, shape: indices.shape)]
        }
    }

    static func gatherND(_ node: NodeContext) throws(ReferenceEngineError) -> Kernel {
        let batchDims = try node.int("batch_dims", default: 0)
        return { inputs, _ in
            let data = try inputs.at(0)
            let indices = try inputs.at(1)
            guard let depth = indices.shape.last, indices.rank >= 1, batchDims + depth <= data.rank else {
                throw KernelError.shapeMismatch("indices \(indices.shape) do not fit data \(data.shape)")
            }
            let strides = ShapeMath.strides(data.shape)
            let batches = data.shape[..<batchDims].product
            let sliceShape = Array(data.shape[(batchDims + depth)...])
            let slice = sliceShape.product
            let tuples = indices.count / max(1, depth) / max(1, batches)
            let values = try indices.intValues()
            var offsets: [Int] = []
            for b in 0..<batches {
                for t in 0..<tuples {
                    var base = b * (batchDims > 0 ? strides[batchDims - 1] : 0)
                    for k in 0..<depth {
                        let v = values[(b * tuples + t) * depth + k]
                        base += try normalize(v, size: data.shape[batchDims + k]) * strides[batchDims + k]
                    }
                    for i in 0..<slice { offsets.append(base + i) }
                }
            }
            return [data.gathered(offsets, shape: Array(indices.shape.dropLast()) + sliceShape)]
        }
    }
}
