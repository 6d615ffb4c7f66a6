import Foundation
import ONNXModel
import TensorCore

/// `fuse-conv-bn`: folds an inference BatchNormalization that follows a Conv into the Conv's
/// weights and bias: W′ = W·s, B′ = (B − mean)·s + β with s = γ / √(var + ε), per output channel.
struct ConvBatchNormFusion: OptimizationPass {
    let name = "fuse-conv-bn"

    func run(on model: inout Model) throws(OptimizeError) -> PassChanges {
        try fuseFollowers(of: &model.graph, pass: name, phrase: "BatchNormalization fused into Conv") {
            (follower: Node, convOutput: String, constants: [String: Tensor]) -> (scale: [Double], shift: [Double])? in
            guard follower.opType == "BatchNormalization", follower.inputs.count == 5, follower.inputs[0] == convOutput,
                follower.int("training_mode", default: 0) == 0,
                let gamma = floats(constants[follower.inputs[1]]), let beta = floats(constants[follower.inputs[2]]),
                let mean = floats(constants[follower.inputs[3]]), let variance = floats(constants[follower.inputs[4]])
            else { return nil }
            let epsilon = Double(follower.float("epsilon", default: 1e-5))
            let scale = zip(gamma, variance).map { Double($0) / (Double($1) + epsilon).squareRoot() }
            let shift = zip(zip(mean, beta), scale).map { Double($0.1) - Double($0.0) * $1 }
            guard follower.outputs.dropFirst().allSatisfy(\.isEmpty) else { return nil }
            return (scale, shift)
        } transform: { found, _, _ in found }
    }
}

/// `fuse-conv-mul-add`: folds a Mul or Add by a per-channel (or scalar) constant that follows a
/// Conv into the Conv's weights and bias.
struct ConvScaleFusion: OptimizationPass {
    let name = "fuse-conv-mul-add"

    func run(on model: inout Model) throws(OptimizeError) -> PassChanges {
        try fuseFollowers(of: &model.graph, pass: name, phrase: "Mul/Add folded into Conv") {
            (follower: Node, convOutput: String, constants: [String: Tensor]) -> (op: String, operand: Tensor)? in
            guard follower.opType == "Mul" || follower.opType == "Add", follower.inputs.count == 2,
                let position = follower.inputs.firstIndex(of: convOutput), follower.inputs[1 - position] != convOutput,
                let operand = constants[follower.inputs[1 - position]]
            else { return nil }
            return (follower.opType, operand)
        } transform: { found, channels, rank in
            let (op, operand) = (found.op, found.operand)
            guard let values = perChannel(operand, channels: channels, rank: rank) else { return nil }
            return op == "Mul" ? (values, [Double](repeating: 0, count: channels)) : ([Double](repeating: 1, count: channels), values)
        }
    }

    /// The operand as one value per output channel, when it broadcasts over an N×C×… output
    /// along the channel axis only (shapes like [C,1,1], [1,C,1,1], [1] or []).
    private func perChannel(_ tensor: Tensor, channels: Int, rank: Int) -> [Double]? {
        guard tensor.dataType == .float32, tensor.shape.count <= rank, let values = try? tensor.doubleValues() else { return nil }
        let padded = [Int](repeating: 1, count: rank - tensor.shape.count) + tensor.shape
        guard padded[0] == 1, padded.dropFirst(2).allSatisfy({ $0 == 1 }) else { return nil }
        if padded[1] == channels { return values }
        return padded[1] == 1 ? [Double](repeating: values[0], count: channels) : nil
    }
}

/// The float32 elements of a constant, or `nil` when it is absent or of another type.
private func floats(_ tensor: Tensor?) -> [Float]? {
    guard let tensor, tensor.dataType == .float32 else { return nil }
    return try? tensor.scalars(as: Float.self)
}

/// Finds each Conv (constant float32 weights, optional constant bias) whose output only `match`
/// reads, turns the match into per-channel `(scale, shift)` and rewrites the Conv to
/// W′ = W·scale, B′ = B·scale + shift, then removes the follower.
private func fuseFollowers<Found>(
    of graph: inout Graph, pass: String, phrase: String,
    match: (Node, String, [String: Tensor]) -> Found?,
    transform: (Found, Int, Int) -> (scale: [Double], shift: [Double])?
) throws(OptimizeError) -> PassChanges {
    var changes = PassChanges()
    var index = 0
    while index < graph.nodes.count {
        defer { index += 1 }
        let conv = graph.nodes[index]
        guard conv.opType == "Conv", conv.domain.isEmpty, conv.inputs.count >= 2, let output = conv.outputs.first,
            !output.isEmpty, !graph.outputNames.contains(output)
        else { continue }
        let constants = graph.constants()
        let readers = graph.consumers()
        guard let users = readers[output], users.count == 1, let weights = constants[conv.inputs[1]],
            weights.dataType == .float32, weights.shape.count >= 3, var w = try? weights.scalars(as: Float.self)
        else { continue }
        let biasInput = conv.inputs.count > 2 ? conv.inputs[2] : ""
        let bias = biasInput.isEmpty ? nil : floats(constants[biasInput])
        if !biasInput.isEmpty, bias == nil { continue }
        let follower = graph.nodes[users[0]]
        let channels = weights.shape[0]
        guard follower.domain.isEmpty, let found = match(follower, output, constants),
            let (scale, shift) = transform(found, channels, weights.shape.count),
            scale.count == channels, shift.count == channels, let followerOutput = follower.outputs.first,
            graph.bypass(output: followerOutput, with: output)
        else { continue }
        // The follower is gone; the Conv now writes what it wrote.
        graph.nodes.remove(at: users[0])
        if users[0] < index { index -= 1 }

        let perChannel = w.count / max(channels, 1)
        for channel in 0..<channels {
            for offset in channel * perChannel..<(channel + 1) * perChannel { w[offset] = Float(Double(w[offset]) * scale[channel]) }
        }
        let b = (0..<channels).map { Float(Double(bias?[$0] ?? 0) * scale[$0] + shift[$0]) }
        var names = UniqueNames(graph: graph)
        do {
            let weightName = graph.storeParameter(conv.inputs[1], try Tensor(shape: weights.shape, scalars: w), readers: readers, names: &names)
            let biasTensor = try Tensor(shape: [channels], scalars: b)
            let biasName =
                biasInput.isEmpty
                ? graph.storeParameter(names.fresh(output + "_bias"), biasTensor, readers: [:], names: &names)
                : graph.storeParameter(biasInput, biasTensor, readers: readers, names: &names)
            graph.nodes[index].inputs = [conv.inputs[0], weightName, biasName]
        } catch {
            throw .passFailed(pass: pass, node: conv.label(index: index), reason: "\(error)")
        }
        changes.nodesRemoved += 1
        changes.initializersChanged += 2
        changes.count(phrase)
        index -= 1  // the Conv again: another follower may fold into it too
    }
    return changes
}

extension Graph {
    /// Stores `tensor` under `name` when only one node reads `name` (or nothing does yet), else
    /// under a fresh name so other readers keep the original; returns the name used.
    mutating func storeParameter(_ name: String, _ tensor: Tensor, readers: [String: [Int]], names: inout UniqueNames) -> String {
        let target = (readers[name]?.count ?? 0) <= 1 ? name : names.fresh(name + "_fused")
        setInitializer(target, tensor)
        return target
    }
}
