/// Element-wise loops with numpy broadcasting, split across the run's threads.
enum Broadcast {
    /// Builds an array of `count` elements by letting `fill` initialise every one of them.
    @inline(__always)
    static func makeArray<R>(_ count: Int, _ fill: (UnsafeMutablePointer<R>) -> Void) -> [R] {
        Array(unsafeUninitializedCapacity: count) { buffer, initialized in
            if let base = buffer.baseAddress, count > 0 { fill(base) }
            initialized = count
        }
    }

    /// `op` applied to every element of `a`, in parallel for large inputs.
    @inline(__always)
    static func map<F: UnaryFunction>(_ a: [F.Input], context: ExecutionContext, _ op: F) -> [F.Output] {
        a.withUnsafeBufferPointer { source in
            makeArray(a.count) { out in
                guard let input = source.baseAddress else { return }
                context.parallelFor(a.count, minimumChunk: 16384) { range in
                    for i in range { (out + i).initialize(to: op(input[i])) }
                }
            }
        }
    }

    /// The same with a closure, called per element.
    @inline(__always)
    static func map<A, R>(_ a: [A], context: ExecutionContext, _ op: (A) -> R) -> [R] {
        withoutActuallyEscaping(op) { map(a, context: context, UnaryClosure(body: $0)) }
    }

    /// `op(a, b)` over the broadcast shape of `aShape` and `bShape`.
    @inline(__always)
    static func binary<A, B, R>(
        _ a: [A], _ aShape: [Int], _ b: [B], _ bShape: [Int], context: ExecutionContext, _ op: (A, B) -> R
    ) throws(KernelError) -> (values: [R], shape: [Int]) {
        try withoutActuallyEscaping(op) { op throws(KernelError) in
            try binary(a, aShape, b, bShape, context: context, BinaryClosure(body: op))
        }
    }

    /// The same with a function type, whose loop is compiled for it.
    @inline(__always)
    static func binary<F: BinaryFunction>(
        _ a: [F.First], _ aShape: [Int], _ b: [F.Second], _ bShape: [Int], context: ExecutionContext, _ op: F
    ) throws(KernelError) -> (values: [F.Output], shape: [Int]) {
        let shape = try ShapeMath.broadcast([aShape, bShape])
        let count = shape.product
        let values: [F.Output] = a.withUnsafeBufferPointer { aBuffer in
            b.withUnsafeBufferPointer { bBuffer in
                makeArray(count) { out in
                    guard let pa = aBuffer.baseAddress, let pb = bBuffer.baseAddress else { return }
                    if aShape == bShape {
                        context.parallelFor(count, minimumChunk: 16384) { range in
                            for i in range { (out + i).initialize(to: op(pa[i], pb[i])) }
                        }
                    } else if b.count == 1 {
                        let scalar = pb[0]
                        context.parallelFor(count, minimumChunk: 16384) { range in
                            for i in range { (out + i).initialize(to: op(pa[i], scalar)) }
                        }
                    } else if a.count == 1 {
                        let scalar = pa[0]
                        context.parallelFor(count, minimumChunk: 16384) { range in
                            for i in range { (out + i).initialize(to: op(scalar, pb[i])) }
                        }
                    } else {
                        let rows = Rows(shape: shape, inputs: [aShape, bShape])
                        context.parallelFor(rows.offsets.count, minimumChunk: max(1, 16384 / rows.width)) { range in
                            for row in range {
                                let (o, offsets) = rows.offsets[row]
                                let sa = rows.innerStrides[0]
                                let sb = rows.innerStrides[1]
                                var ia = offsets[0]
                                var ib = offsets[1]
                                for j in 0..<rows.width {
                                    (out + o + j).initialize(to: op(pa[ia], pb[ib]))
                                    ia += sa
                                    ib += sb
                                }
                            }
                        }
                    }
                }
            }
        }
        return (values, shape)
    }

    /// The rows of a broadcast loop after merging axes that are contiguous in every operand:
    /// where each row starts in the output and in every input, and how each input steps along it.
    struct Rows {
        var width: Int
        var innerStrides: [Int]
        var offsets: [(Int, [Int])]

        init(shape: [Int], inputs: [[Int]]) {
            var dims = shape
            var strides = inputs.map { ShapeMath.broadcastStrides($0, to: shape) }
            // Merge axis i into i+1 wherever every operand (output included) is contiguous across them.
            var axis = dims.count - 2
            while axis >= 0 {
                let mergeable = strides.allSatisfy { $0[axis] == $0[axis + 1] * dims[axis + 1] }
                if mergeable {
                    dims[axis + 1] *= dims[axis]
                    dims.remove(at: axis)
                    for i in strides.indices { strides[i].remove(at: axis) }
                }
                axis -= 1
            }
            if dims.isEmpty {
                dims = [1]
                strides = strides.map { _ in [0] }
            }
            width = dims[dims.count - 1]
            innerStrides = strides.map { $0[$0.count - 1] }
            var offsets: [(Int, [Int])] = []
            offsets.reserveCapacity(dims.dropLast().product)
            ShapeMath.forEachRow(dims, inputStrides: strides) { output, inputs in offsets.append((output, inputs)) }
            self.offsets = offsets
        }
    }

    /// The offset of every output element in each input, for the broadcast of `inputs` to `shape`
    /// (used by operators with three or more operands).
    static func indexMaps(shape: [Int], inputs: [[Int]]) -> [[Int]] {
        let count = shape.product
        let rows = Rows(shape: shape, inputs: inputs)
        var maps = inputs.map { _ in [Int](repeating: 0, count: count) }
        for (output, starts) in rows.offsets {
            for k in inputs.indices {
                var index = starts[k]
                for j in 0..<rows.width {
                    maps[k][output + j] = index
                    index += rows.innerStrides[k]
                }
            }
        }
        return maps
    }
}
