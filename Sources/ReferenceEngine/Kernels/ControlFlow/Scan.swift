import Foundation
import TensorCore

extension OperatorRegistry {
    /// Scan (opset 9 on): the body runs once per index of the scan inputs' scan axes, taking the
    /// N state values and one slice of each of the M scan inputs, and returning the next states
    /// and K slices, which the node stacks along each scan output's axis. Directions of 1 walk
    /// an input backwards or stack an output in reverse.
    mutating func registerScan() {
        register("Scan", since: 9, foldable: false) { node throws(ReferenceEngineError) in
            let body = try node.subgraph("body")
            guard let scanCount = try node.int("num_scan_inputs"), scanCount > 0 else {
                throw node.invalid("attribute 'num_scan_inputs' is required and must be positive")
            }
            let first = node.node.inputs.count
            let states = first - scanCount
            try node.require(states >= 0, "\(first) inputs given for \(scanCount) scan inputs")
            let outputs = body.outputSlots.count - states
            try node.require(outputs >= 0 && body.formalInputs.count == first,
                             "the body's \(body.formalInputs.count) inputs and \(body.outputSlots.count) outputs do not fit \(states) states and \(scanCount) scan inputs")
            let inputAxes = try node.ints("scan_input_axes") ?? Array(repeating: 0, count: scanCount)
            let inputDirections = try node.ints("scan_input_directions") ?? Array(repeating: 0, count: scanCount)
            let outputAxes = try node.ints("scan_output_axes") ?? Array(repeating: 0, count: outputs)
            let outputDirections = try node.ints("scan_output_directions") ?? Array(repeating: 0, count: outputs)
            try node.require(inputAxes.count == scanCount && inputDirections.count == scanCount
                             && outputAxes.count == outputs && outputDirections.count == outputs,
                             "scan axes and directions must list one value per scan input and output")
            let names = node.implicitInputs
            return { inputs, context in
                let outer = try ControlFlowValues.outer(inputs, names: names, from: first)
                var values = try (0..<states).map { k throws(KernelError) in try inputs.at(k) }
                let scanned = try (0..<scanCount).map { k throws(KernelError) in try inputs.at(states + k) }
                let axes = try zip(scanned, inputAxes).map { x, axis throws(KernelError) in try ShapeMath.axis(axis, rank: x.rank) }
                let length = scanned[0].shape[axes[0]]
                guard zip(scanned, axes).allSatisfy({ $0.shape[$1] == length }) else {
                    throw KernelError.shapeMismatch("scan inputs \(scanned.map(\.shape)) differ in length along their scan axes")
                }
                var collected = [[NDArray]](repeating: [], count: outputs)
                for step in 0..<length {
                    let slices = (0..<scanCount).map { k in
                        ControlFlowValues.slice(scanned[k], axis: axes[k], index: inputDirections[k] == 1 ? length - 1 - step : step)
                    }
                    let results = try body.run(formal: values + slices, outer: outer, threads: context.threads)
                    values = Array(results[..<states])
                    for k in 0..<outputs { collected[k].append(results[states + k]) }
                }
                var stacked: [NDArray] = []
                for k in 0..<outputs {
                    let parts = outputDirections[k] == 1 ? collected[k].reversed() : collected[k]
                    let rank = (parts.first?.rank ?? 0) + 1
                    stacked.append(try ControlFlowValues.stack(parts, axis: try ShapeMath.axis(outputAxes[k], rank: rank), pool: context.pool))
                }
                return values + stacked
            }
        }
    }
}
