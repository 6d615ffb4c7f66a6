import Foundation
import TensorCore

/// Scan: the body runs once per index of the scan inputs' scan axes, taking the N state values
/// and one slice of each of the M scan inputs, and returning the next states and K slices, which
/// the node stacks along each scan output's axis. Directions of 1 walk an input backwards or
/// stack an output in reverse. Scan-8 has a leading batch axis on every input and output and
/// scans each batch entry separately, along axis 1.
struct ScanKernel {
    let body: ExecutionPlan
    let scanCount: Int
    let inputAxes: [Int]
    let inputDirections: [Int]
    let outputAxes: [Int]
    let outputDirections: [Int]
    let names: [String]
    let first: Int
    let batched: Bool

    init(_ node: NodeContext) throws(ReferenceEngineError) {
        body = try node.subgraph("body")
        guard let count = try node.int("num_scan_inputs"), count > 0 else {
            throw node.invalid("attribute 'num_scan_inputs' is required and must be positive")
        }
        scanCount = count
        batched = node.sinceVersion < 9
        first = node.node.inputs.count
        // Scan-8's first input is the optional sequence_lens.
        let states = first - scanCount - (batched ? 1 : 0)
        let outputs = body.outputSlots.count - states
        try node.require(states >= 0 && outputs >= 0 && body.formalInputs.count == states + scanCount,
                         "the body's \(body.formalInputs.count) inputs and \(body.outputSlots.count) outputs do not fit \(first) inputs with \(scanCount) scan inputs")
        inputAxes = batched ? Array(repeating: 0, count: count) : try node.ints("scan_input_axes") ?? Array(repeating: 0, count: count)
        inputDirections = try node.ints(batched ? "directions" : "scan_input_directions") ?? Array(repeating: 0, count: count)
        outputAxes = batched ? Array(repeating: 0, count: outputs) : try node.ints("scan_output_axes") ?? Array(repeating: 0, count: outputs)
        outputDirections = batched ? Array(repeating: 0, count: outputs) : try node.ints("scan_output_directions") ?? Array(repeating: 0, count: outputs)
        try node.require(inputAxes.count == count && inputDirections.count == count
                         && outputAxes.count == outputs && outputDirections.count == outputs,
                         "scan axes and directions must list one value per scan input and output")
        names = node.implicitInputs
    }

    /// The final states and the stacked scan outputs of one scan.
    private func scan(states: [NDArray], scanned: [NDArray], outer: [String: EngineValue], context: ExecutionContext) throws -> [NDArray] {
        var values = states
        let axes = try zip(scanned, inputAxes).map { x, axis throws(KernelError) in try ShapeMath.axis(axis, rank: x.rank) }
        let length = scanned[0].shape[axes[0]]
        guard zip(scanned, axes).allSatisfy({ $0.shape[$1] == length }) else {
            throw KernelError.shapeMismatch("scan inputs \(scanned.map(\.shape)) differ in length along their scan axes")
        }
        var collected = [[NDArray]](repeating: [], count: outputAxes.count)
        for step in 0..<length {
            let slices = (0..<scanCount).map { k in
                ControlFlowValues.slice(scanned[k], axis: axes[k], index: inputDirections[k] == 1 ? length - 1 - step : step)
            }
            let results = try body.run(formal: (values + slices).map(EngineValue.tensor), outer: outer, threads: context.threads)
                .map { value throws(KernelError) in try value.tensor() }
            values = Array(results[..<states.count])
            for k in collected.indices { collected[k].append(results[states.count + k]) }
        }
        var stacked: [NDArray] = []
        for k in collected.indices {
            let parts = outputDirections[k] == 1 ? collected[k].reversed() : collected[k]
            let rank = (parts.first?.rank ?? 0) + 1
            stacked.append(try ControlFlowValues.stack(parts, axis: try ShapeMath.axis(outputAxes[k], rank: rank), pool: context.pool))
        }
        return values + stacked
    }

    func run(_ inputs: ValueInputs, context: ExecutionContext) throws -> [NDArray] {
        let outer = try ControlFlowValues.outer(inputs, names: names, from: first)
        let offset = batched ? 1 : 0
        let stateCount = first - scanCount - offset
        let states = try (0..<stateCount).map { k throws(KernelError) in try inputs.tensor(offset + k) }
        let scanned = try (0..<scanCount).map { k throws(KernelError) in try inputs.tensor(offset + stateCount + k) }
        guard batched else { return try scan(states: states, scanned: scanned, outer: outer, context: context) }
        let batch = scanned[0].shape.first ?? 0
        if let lengths = try inputs.optional(0)?.tensor().intValues(), lengths.contains(where: { $0 != scanned[0].shape[1] }) {
            throw KernelError.invalid("sequence_lens \(lengths) shorter than the scan axis (\(scanned[0].shape[1])) are not supported")
        }
        var perBatch: [[NDArray]] = []
        for b in 0..<batch {
            perBatch.append(try scan(states: states.map { ControlFlowValues.slice($0, axis: 0, index: b) },
                                     scanned: scanned.map { ControlFlowValues.slice($0, axis: 0, index: b) },
                                     outer: outer, context: context))
        }
        let outputs = perBatch.first?.count ?? 0
        return try (0..<outputs).map { k in try ControlFlowValues.stack(perBatch.map { $0[k] }, axis: 0, pool: context.pool) }
    }
}

extension OperatorRegistry {
    mutating func registerScan() {
        registerValues("Scan", since: 8, foldable: false) { node throws(ReferenceEngineError) in
            let kernel = try ScanKernel(node)
            return { inputs, context in try kernel.run(inputs, context: context).map(EngineValue.tensor) }
        }
    }
}
