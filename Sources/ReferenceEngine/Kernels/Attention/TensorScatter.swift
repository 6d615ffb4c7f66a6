import Foundation
import TensorCore

/// TensorScatter (opset 24): a key/value cache update. Each batch entry's `update` rows are
/// written into a copy of `past_cache` along the sequence axis from that entry's write index
/// (0 without `write_indices`), wrapping around the cache in `circular` mode.
struct TensorScatterKernel {
    let axis: Int
    let circular: Bool

    init(_ node: NodeContext) throws(ReferenceEngineError) {
        axis = try node.int("axis", default: -2)
        circular = try node.choice("mode", default: "linear", in: ["linear", "circular"]) == "circular"
    }

    func run(_ inputs: KernelInputs) throws(KernelError) -> NDArray {
        var cache = try inputs.at(0)
        let update = try inputs.at(1)
        let a = try ShapeMath.axis(axis, rank: cache.rank)
        guard a > 0, update.rank == cache.rank,
            (0..<cache.rank).allSatisfy({ $0 == a ? update.shape[$0] <= cache.shape[$0] : update.shape[$0] == cache.shape[$0] })
        else {
            throw .shapeMismatch("update \(update.shape) does not fit cache \(cache.shape) along axis \(a) (not the batch axis)")
        }
        let batch = cache.shape[0]
        let starts = try inputs.optional(2)?.intValues().map { Int($0) } ?? Array(repeating: 0, count: batch)
        guard starts.count == batch else { throw .shapeMismatch("\(starts.count) write indices for batch \(batch)") }
        let (capacity, length) = (cache.shape[a], update.shape[a])
        let inner = cache.shape[(a + 1)...].product
        let outerPerBatch = cache.shape[1..<a].product
        var targets: [Int] = []
        for n in 0..<batch {
            for o in 0..<outerPerBatch {
                for s in 0..<length {
                    var position = starts[n] + s
                    if circular { position = ((position % capacity) + capacity) % capacity }
                    guard position >= 0, position < capacity else {
                        throw .invalid("write index \(starts[n]) + \(length) rows exceeds the cache's \(capacity)")
                    }
                    let row = ((n * outerPerBatch + o) * capacity + position) * inner
                    targets += Array(row..<(row + inner))
                }
            }
        }
        // `targets` lists, in the update's order, where each of its elements goes.
        switch (cache.storage, update.storage) {
        case (.float(var values), .float(let new)):
            for (target, value) in zip(targets, new) { values[target] = value }
            cache.storage = .float(values)
        case (.int(var values), .int(let new)):
            for (target, value) in zip(targets, new) { values[target] = value }
            cache.storage = .int(values)
        default:
            throw .invalid("past_cache is \(cache.dataType) and update \(update.dataType); they must have one type")
        }
        return cache
    }
}

extension OperatorRegistry {
    mutating func registerTensorScatter() {
        register("TensorScatter", since: 24) { node throws(ReferenceEngineError) in
            let kernel = try TensorScatterKernel(node)
            return { inputs, _ in [try kernel.run(inputs)] }
        }
    }
}
