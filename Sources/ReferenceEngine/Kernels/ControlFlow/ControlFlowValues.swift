import Foundation
import TensorCore

/// What If, Loop, Scan and SequenceMap share: reading the outer-scope values their kernels receive after the
/// node's own inputs, and slicing and stacking along an axis.
enum ControlFlowValues {
    /// The outer-scope values by name: `names` are the node's implicit inputs, passed from
    /// position `first` on.
    static func outer(_ inputs: ValueInputs, names: [String], from first: Int) throws(KernelError) -> [String: EngineValue] {
        var values: [String: EngineValue] = [:]
        for (offset, name) in names.enumerated() { values[name] = try inputs.at(first + offset) }
        return values
    }

    /// Whether a condition value (bool or number, one element) holds.
    static func truth(_ value: NDArray) throws(KernelError) -> Bool {
        try value.floatValues().first.map { $0 != 0 } ?? false
    }

    /// Index `index` of `axis`, with that axis removed.
    static func slice(_ x: NDArray, axis: Int, index: Int) -> NDArray {
        let size = x.shape[axis]
        let inner = x.shape[(axis + 1)...].product
        var offsets: [Int] = []
        offsets.reserveCapacity(x.count / max(size, 1))
        for o in 0..<x.shape[..<axis].product { for i in 0..<inner { offsets.append((o * size + index) * inner + i) } }
        var shape = x.shape
        shape.remove(at: axis)
        return x.gathered(offsets, shape: shape)
    }

    /// `parts` (one shape) stacked along a new axis at position `axis`; no parts give shape [0].
    static func stack(_ parts: [NDArray], axis: Int, pool: BufferPool) throws(KernelError) -> NDArray {
        guard let first = parts.first else { return NDArray(floats: [], shape: [0]) }
        guard parts.allSatisfy({ $0.shape == first.shape && $0.dataType == first.dataType }) else {
            throw .shapeMismatch("iterations produced values of different shapes or types: \(parts.map(\.shape))")
        }
        let stacked = try NDArray.concatenate(parts.map { $0.reshaped([1] + $0.shape) }, axis: 0, pool: pool)
        guard axis > 0 else { return stacked }
        let permutation = Array(1...axis) + [0] + Array((axis + 1)..<(first.rank + 1))
        return stacked.transposed(permutation)
    }
}
