import ONNXModel
import TensorCore

/// `identity`: removes Identity nodes, routing their readers to the input.
struct IdentityElimination: OptimizationPass {
    let name = "identity"

    func run(on model: inout Model) throws(OptimizeError) -> PassChanges {
        removeForwarding(in: &model.graph, phrase: "Identity removed") { node in
            node.opType == "Identity" && node.domain.isEmpty && node.inputs.count == 1 ? node.inputs[0] : nil
        }
    }
}

/// `dropout`: removes inference-mode Dropout, whose output equals its input, when its mask
/// output is unused.
struct DropoutElimination: OptimizationPass {
    let name = "dropout"

    func run(on model: inout Model) throws(OptimizeError) -> PassChanges {
        let constants = model.graph.constants()
        let read = model.graph.consumers()
        return removeForwarding(in: &model.graph, phrase: "Dropout removed") { node in
            guard node.opType == "Dropout", node.domain.isEmpty, let input = node.inputs.first, !input.isEmpty else { return nil }
            if node.outputs.count > 1, !node.outputs[1].isEmpty, read[node.outputs[1]] != nil { return nil }
            // training_mode (opset 12+) must be absent or a constant false.
            if node.inputs.count > 2, !node.inputs[2].isEmpty {
                guard let mode = constants[node.inputs[2]], (try? mode.doubleValues()) == [0] else { return nil }
            }
            return input
        }
    }
}

/// `noop`: removes nodes that leave their input unchanged: Pad by zero, Transpose by the identity
/// permutation, Cast to the type the value already has, Concat of one input.
struct NoOpElimination: OptimizationPass {
    let name = "noop"

    func run(on model: inout Model) throws(OptimizeError) -> PassChanges {
        let constants = model.graph.constants()
        let types = (try? model.inferTypes().values) ?? [:]
        return removeForwarding(in: &model.graph, phrase: "no-op nodes removed") { node in
            guard node.domain.isEmpty, let input = node.inputs.first, !input.isEmpty else { return nil }
            switch node.opType {
            case "Pad":
                let pads: [Int64]? =
                    if let attribute = node.ints("pads") { attribute }
                    else if node.inputs.count > 1, let tensor = constants[node.inputs[1]] { try? tensor.scalars(as: Int64.self) }
                    else { nil }
                return pads.map { $0.allSatisfy { $0 == 0 } } == true ? input : nil
            case "Transpose":
                guard let perm = node.ints("perm") else { return nil }
                return perm == (0..<Int64(perm.count)).map { $0 } ? input : nil
            case "Cast":
                guard let to = try? DataType(onnxCode: Int32(node.int("to", default: 0))),
                    let from = types[input]?.tensorType?.elementType
                else { return nil }
                return from == to ? input : nil
            case "Concat":
                return node.inputs.count == 1 ? input : nil
            default:
                return nil
            }
        }
    }
}

/// Removes every node for which `forwarded` names the input its first output equals, routing
/// readers to that input. A node whose output is a graph output stays when the input cannot take
/// the output's name (see ``Graph/bypass(output:with:)``).
private func removeForwarding(
    in graph: inout Graph, phrase: String, _ forwarded: (Node) -> String?
) -> PassChanges {
    var changes = PassChanges()
    var index = 0
    while index < graph.nodes.count {
        let node = graph.nodes[index]
        let extraOutputsUsed = node.outputs.dropFirst().contains { !$0.isEmpty && graph.outputNames.contains($0) }
        if !node.hasSubgraphs, !extraOutputsUsed, let output = node.outputs.first, !output.isEmpty,
            let input = forwarded(node), graph.bypass(output: output, with: input)
        {
            graph.nodes.remove(at: index)
            changes.nodesRemoved += 1
            changes.count(phrase)
            continue
        }
        index += 1
    }
    return changes
}
