import Foundation
import TensorCore

extension OperatorRegistry {
    /// Loop: runs the body while the trip count (M) and the condition allow. The body takes the
    /// iteration number, the condition and the N loop-carried values and returns the next
    /// condition, the next N values and K scan outputs; the node returns the final N values and
    /// each scan output stacked over the iterations. Carried values may be sequences or
    /// optionals; scan outputs are tensors.
    mutating func registerLoop() {
        registerValues("Loop", foldable: false) { node throws(ReferenceEngineError) in
            let body = try node.subgraph("body")
            let names = node.implicitInputs
            let first = node.node.inputs.count
            let carried = max(0, first - 2)
            try node.require(body.formalInputs.count == carried + 2,
                             "the body takes \(body.formalInputs.count) inputs; \(carried + 2) expected (iteration, condition, \(carried) carried)")
            return { inputs, context in
                let outer = try ControlFlowValues.outer(inputs, names: names, from: first)
                let tripCount = try inputs.optional(0).map { v throws(KernelError) in try v.tensor().scalarInt() }
                var condition = try inputs.optional(1).map { v throws(KernelError) in try ControlFlowValues.truth(v.tensor()) } ?? true
                var values = try (0..<carried).map { k throws(KernelError) in try inputs.at(2 + k) }
                var scans: [[NDArray]] = []
                var iteration = 0
                while condition, tripCount.map({ iteration < $0 }) ?? true {
                    let formal = [.tensor(NDArray(ints: [Int64(iteration)], shape: [])), .tensor(NDArray(bools: [condition], shape: []))] + values
                    let results = try body.run(formal: formal, outer: outer, threads: context.threads)
                    guard results.count >= 1 + carried else {
                        throw KernelError.invalid("the body returned \(results.count) values; at least \(1 + carried) expected")
                    }
                    condition = try ControlFlowValues.truth(results[0].tensor())
                    values = Array(results[1..<(1 + carried)])
                    let scanned = results[(1 + carried)...]
                    if scans.isEmpty { scans = scanned.map { _ in [] } }
                    for (k, value) in scanned.enumerated() { scans[k].append(try value.tensor()) }
                    iteration += 1
                }
                let stacked = try scans.map { parts throws(KernelError) in try ControlFlowValues.stack(parts, axis: 0, pool: context.pool) }
                let missing = max(0, body.outputSlots.count - 1 - carried - stacked.count)
                // With no iteration the scan outputs have no element to take a shape from.
                return values + (stacked + Array(repeating: NDArray(floats: [], shape: [0]), count: missing)).map(EngineValue.tensor)
            }
        }
    }
}
