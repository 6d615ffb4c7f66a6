/// Index arithmetic shared by the kernels: strides, axis normalisation, broadcasting.
enum ShapeMath {
    /// Row-major strides of `shape`.
    static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    /// `axis` counted from the end when negative, checked against `rank`.
    static func axis(_ axis: Int, rank: Int) throws(KernelError) -> Int {
        let normalized = axis < 0 ? axis + rank : axis
        guard normalized >= 0, normalized < max(rank, 1) else {
            throw .invalid("axis \(axis) is out of range for rank \(rank)")
        }
        return normalized
    }

    /// The numpy broadcast of several shapes.
    static func broadcast(_ shapes: [[Int]]) throws(KernelError) -> [Int] {
        let rank = shapes.map(\.count).max() ?? 0
        var result = [Int](repeating: 1, count: rank)
        for shape in shapes {
            let offset = rank - shape.count
            for (index, size) in shape.enumerated() {
                let current = result[offset + index]
                if current == size || size == 1 { continue }
                guard current == 1 else {
                    throw .shapeMismatch("\(shapes.map { "\($0)" }.joined(separator: " and ")) do not broadcast")
                }
                result[offset + index] = size
            }
        }
        return result
    }

    /// Strides that read `shape` as if broadcast to `target` (0 along broadcast axes).
    static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
        let own = strides(shape)
        let offset = target.count - shape.count
        return (0..<target.count).map { axis in
            let local = axis - offset
            guard local >= 0, shape[local] != 1 else { return 0 }
            return own[local]
        }
    }

    /// Calls `body(outputOffset, inputOffsets)` for every row of `shape`'s last axis, where the
    /// inputs are read with `inputStrides`; the caller loops over the row of length
    /// `shape.last` itself, stepping each input by its last stride.
    static func forEachRow(
        _ shape: [Int], inputStrides: [[Int]], _ body: (_ output: Int, _ inputs: [Int]) -> Void
    ) {
        let rank = shape.count
        if rank == 0 {
            body(0, inputStrides.map { _ in 0 })
            return
        }
        let rows = shape.dropLast().reduce(1, *)
        let width = shape[rank - 1]
        if rows == 0 || width == 0 { return }
        var index = [Int](repeating: 0, count: rank - 1)
        var offsets = [Int](repeating: 0, count: inputStrides.count)
        for row in 0..<rows {
            body(row * width, offsets)
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                for i in offsets.indices { offsets[i] += inputStrides[i][axis] }
                if index[axis] < shape[axis] { break }
                for i in offsets.indices { offsets[i] -= inputStrides[i][axis] * shape[axis] }
                index[axis] = 0
                axis -= 1
            }
        }
    }
}

extension Collection where Element == Int {
    /// The product of the elements (1 for an empty array).
    var product: Int { reduce(1, *) }
}
