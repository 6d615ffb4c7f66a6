import ONNXModel
import TensorCore

/// `merge-transpose-reshape`: a Transpose of a Transpose becomes one Transpose (or nothing, when
/// the permutations cancel), and a Reshape of a Reshape reshapes the original value directly.
///
/// The first node is left in place for its other readers; `dead-nodes` removes it when it has none.
struct TransposeReshapeMerging: OptimizationPass {
    let name = "merge-transpose-reshape"

    func run(on model: inout Model) throws(OptimizeError) -> PassChanges {
        var changes = PassChanges()
        var index = 0
        while index < model.graph.nodes.count {
            defer { index += 1 }
            let node = model.graph.nodes[index]
            guard node.opType == "Transpose" || node.opType == "Reshape", node.domain.isEmpty, let input = node.inputs.first, !input.isEmpty,
                let producerIndex = model.graph.producers()[input]
            else { continue }
            let producer = model.graph.nodes[producerIndex]
            guard producer.domain.isEmpty, producer.opType == node.opType, let source = producer.inputs.first, !source.isEmpty
            else { continue }
            switch node.opType {
            case "Transpose":
                guard let outer = node.ints("perm"), let inner = producer.ints("perm"), outer.count == inner.count,
                    outer.allSatisfy({ (0..<Int64(inner.count)).contains($0) })
                else { continue }
                // out[i] = mid[outer[i]] = in[inner[outer[i]]].
                let composed = outer.map { inner[Int($0)] }
                if composed == (0..<Int64(composed.count)).map({ $0 }), let output = node.outputs.first,
                    model.graph.bypass(output: output, with: source)
                {
                    model.graph.nodes.remove(at: index)
                    index -= 1
                    changes.nodesRemoved += 1
                    changes.count("Transpose pairs cancelled")
                } else {
                    model.graph.nodes[index].inputs[0] = source
                    model.graph.nodes[index].attributes = [Attribute(name: "perm", value: .ints(composed))]
                    changes.count("Transpose pairs merged")
                }
            case "Reshape":
                // A 0 in the outer shape copies a dimension of the inner Reshape's output, not of the source.
                guard node.inputs.count == 2, let shape = model.graph.constants()[node.inputs[1]],
                    let dims = try? shape.scalars(as: Int64.self), !dims.contains(0)
                else { continue }
                model.graph.nodes[index].inputs[0] = source
                changes.count("Reshape pairs merged")
            default:
                continue
            }
        }
        return changes
    }
}
