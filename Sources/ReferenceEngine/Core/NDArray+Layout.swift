import Foundation
import TensorCore

extension NDArray {
    /// A copy read through a strided view of this value's payload: element `i` of the result
    /// (row-major in `shape`) is the element at `offset + Σ index[k] × strides[k]`.
    func strided(shape: [Int], strides: [Int], offset: Int = 0) -> NDArray {
        func copy<T>(_ source: [T]) -> [T] {
            let count = shape.product
            guard count > 0 else { return [] }
            return source.withUnsafeBufferPointer { buffer in
                Broadcast.makeArray(count) { out in
                    guard let input = buffer.baseAddress else { return }
                    let inner = strides.last ?? 0
                    let width = shape.last ?? 1
                    ShapeMath.forEachRow(shape, inputStrides: [strides]) { output, offsets in
                        var index = offset + offsets[0]
                        for j in 0..<width {
                            (out + output + j).initialize(to: input[index])
                            index += inner
                        }
                    }
                }
            }
        }
        let storage: Storage =
            switch self.storage {
            case .float(let values): .float(copy(values))
            case .int(let values): .int(copy(values))
            case .string(let values): .string(copy(values))
            }
        return NDArray(dataType: dataType, shape: shape, storage: storage)
    }

    /// The elements at `indices` (flat offsets into this value), shaped `shape`.
    func gathered(_ indices: [Int], shape: [Int]) -> NDArray {
        let storage: Storage =
            switch self.storage {
            case .float(let values): .float(indices.map { values[$0] })
            case .int(let values): .int(indices.map { values[$0] })
            case .string(let values): .string(indices.map { values[$0] })
            }
        return NDArray(dataType: dataType, shape: shape, storage: storage)
    }

    /// Axes permuted: axis `k` of the result is axis `permutation[k]` of this value.
    func transposed(_ permutation: [Int]) -> NDArray {
        let strides = ShapeMath.strides(shape)
        return strided(shape: permutation.map { shape[$0] }, strides: permutation.map { strides[$0] })
    }

    /// Values joined along `axis`; all must share the family and every other dimension. A float
    /// result fills a buffer from `pool`, as concatenations are as large as activations get.
    static func concatenate(_ parts: [NDArray], axis: Int, pool: BufferPool) throws(KernelError) -> NDArray {
        guard let first = parts.first else { throw .invalid("nothing to concatenate") }
        for part in parts {
            let fits = part.rank == first.rank && part.shape.indices.allSatisfy { $0 == axis || part.shape[$0] == first.shape[$0] }
            if !fits { throw .shapeMismatch("cannot concatenate \(part.shape) with \(first.shape) along axis \(axis)") }
        }
        var shape = first.shape
        shape[axis] = parts.map { $0.shape[axis] }.reduce(0, +)
        let outer = shape[..<axis].product
        let blocks = parts.map { $0.shape[axis...].product }
        func join<T>(_ arrays: [[T]]) -> [T] {
            var result: [T] = []
            result.reserveCapacity(shape.product)
            for o in 0..<outer {
                for (array, block) in zip(arrays, blocks) { result.append(contentsOf: array[(o * block)..<((o + 1) * block)]) }
            }
            return result
        }
        let storage: Storage
        switch first.storage {
        case .float:
            let arrays = try parts.map { v throws(KernelError) in try v.floats() }
            var result = pool.floats(shape.product)
            result.withUnsafeMutableBufferPointer { out in
                var offset = 0
                for o in 0..<outer {
                    for (array, block) in zip(arrays, blocks) {
                        array.withUnsafeBufferPointer { source in
                            guard block > 0, let base = source.baseAddress, let target = out.baseAddress else { return }
                            (target + offset).update(from: base + o * block, count: block)
                        }
                        offset += block
                    }
                }
            }
            storage = .float(result)
        case .int:
            storage = .int(join(try parts.map { v throws(KernelError) in try v.ints() }))
        case .string:
            storage = .string(join(parts.map { if case .string(let s) = $0.storage { s } else { [] } }))
        }
        return NDArray(dataType: first.dataType, shape: shape, storage: storage)
    }
}
