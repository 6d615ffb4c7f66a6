import Foundation
import TensorCore

/// Unique: the distinct elements of X (flattened), or its distinct slices along `axis`, in
/// ascending order (`sorted`, lexicographic for slices) or in order of first appearance, with
/// each one's first index, every element's index into them, and their counts.
struct UniqueKernel {
    let axis: Int?
    let sorted: Bool

    init(_ node: NodeContext) throws(ReferenceEngineError) {
        axis = try node.int("axis")
        sorted = try node.int("sorted", default: 1) != 0
    }

    func run(_ inputs: KernelInputs) throws(KernelError) -> [NDArray] {
        var x = try inputs.at(0)
        var a = 0
        if let axis { a = try ShapeMath.axis(axis, rank: x.rank) } else { x = x.reshaped([x.count]) }
        switch x.storage {
        case .float(let values): return try unique(x, values, axis: a)
        case .int(let values): return try unique(x, values, axis: a)
        case .string(let values): return try unique(x, values.map { String(decoding: $0, as: UTF8.self) }, axis: a)
        }
    }

    private func unique<T: Comparable>(_ x: NDArray, _ values: [T], axis a: Int) throws(KernelError) -> [NDArray] {
        let size = x.shape[a]
        let inner = x.shape[(a + 1)...].product
        let outer = x.shape[..<a].product
        var slices: [[Int]] = []
        for k in 0..<size {
            var offsets: [Int] = []
            for o in 0..<outer {
                let start = (o * size + k) * inner
                offsets += Array(start..<(start + inner))
            }
            slices.append(offsets)
        }
        func key(_ k: Int) -> [T] { slices[k].map { values[$0] } }
        // First occurrences in order of appearance, then every slice's group.
        var firsts: [Int] = []
        var groupOf = [Int](repeating: 0, count: size)
        for k in 0..<size {
            let current = key(k)
            if let group = firsts.firstIndex(where: { key($0) == current }) {
                groupOf[k] = group
            } else {
                groupOf[k] = firsts.count
                firsts.append(k)
            }
        }
        var order = Array(firsts.indices)
        if sorted { order.sort { key(firsts[$0]).lexicographicallyPrecedes(key(firsts[$1])) } }
        var rank = [Int](repeating: 0, count: order.count)
        for (position, group) in order.enumerated() { rank[group] = position }
        var counts = [Int64](repeating: 0, count: order.count)
        for k in 0..<size { counts[rank[groupOf[k]]] += 1 }
        // The chosen slices, gathered back into X's layout along the axis.
        let chosen = order.map { firsts[$0] }
        var offsets: [Int] = []
        for o in 0..<outer { for k in chosen { for i in 0..<inner { offsets.append((o * size + k) * inner + i) } } }
        var shape = x.shape
        shape[a] = chosen.count
        return [
            x.gathered(offsets, shape: shape),
            NDArray(ints: chosen.map { Int64($0) }, shape: [chosen.count]),
            NDArray(ints: (0..<size).map { Int64(rank[groupOf[$0]]) }, shape: [size]),
            NDArray(ints: counts, shape: [counts.count]),
        ]
    }
}

extension OperatorRegistry {
    mutating func registerUnique() {
        register("Unique", since: 11) { node throws(ReferenceEngineError) in
            let kernel = try UniqueKernel(node)
            return { inputs, _ in try kernel.run(inputs) }
        }
    }
}
