import Foundation
import ONNXModel
import TensorCore

/// `cse`: merges initializers with equal contents, then nodes that apply the same operator with
/// the same attributes to the same inputs; readers of the duplicate read the first one's outputs.
struct CommonSubexpressionElimination: OptimizationPass {
    let name = "cse"

    /// What makes two nodes compute the same thing.
    private struct NodeKey: Hashable {
        enum AttributeKey: Hashable {
            case plain(name: String, value: String)
            case tensor(name: String, Tensor)
        }
        var opType: String
        var domain: String
        var inputs: [String]
        var attributes: [AttributeKey]
    }

    /// Random generators differ on every call even with equal inputs.
    private static let nondeterministic: Set<String> = [
        "RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Multinomial", "Bernoulli", "Dropout",
    ]

    func run(on model: inout Model) throws(OptimizeError) -> PassChanges {
        var changes = mergeInitializers(&model.graph)
        let order: [Int]
        do { order = try model.graph.topologicalOrder() } catch { throw .unusableModel(reason: "\(error)") }
        let outputs = model.graph.outputNames
        var first: [NodeKey: Int] = [:]
        var duplicates: Set<Int> = []
        for index in order {
            let node = model.graph.nodes[index]
            guard !Self.nondeterministic.contains(node.opType), let key = Self.key(node) else { continue }
            guard let original = first[key] else {
                first[key] = index
                continue
            }
            let kept = model.graph.nodes[original].outputs
            // Every output the duplicate names needs a counterpart, and graph outputs keep their producer.
            guard kept.count == node.outputs.count, !node.outputs.contains(where: outputs.contains),
                zip(node.outputs, kept).allSatisfy({ $0.0.isEmpty || !$0.1.isEmpty })
            else { continue }
            for (duplicate, survivor) in zip(node.outputs, kept) where !duplicate.isEmpty {
                model.graph.replaceUses(of: duplicate, with: survivor)
            }
            duplicates.insert(index)
        }
        let removed = Set(duplicates.flatMap { model.graph.nodes[$0].outputs })
        model.graph.removeNodes(duplicates)
        model.graph.valueInfo.removeAll { removed.contains($0.name) }
        changes.nodesRemoved = duplicates.count
        changes.count("duplicate nodes merged", duplicates.count)
        return changes
    }

    /// Points readers of each initializer equal to an earlier one at the earlier one, and drops it.
    private func mergeInitializers(_ graph: inout Graph) -> PassChanges {
        var changes = PassChanges()
        let overridable = Set(graph.inputs.map(\.name)).union(graph.outputNames)
        var first: [Tensor: String] = [:]
        var dropped: Set<String> = []
        for initializer in graph.initializers where !overridable.contains(initializer.name) {
            if let survivor = first[initializer.tensor] {
                graph.replaceUses(of: initializer.name, with: survivor)
                dropped.insert(initializer.name)
            } else {
                first[initializer.tensor] = initializer.name
            }
        }
        graph.initializers.removeAll { dropped.contains($0.name) }
        changes.initializersChanged = dropped.count
        changes.count("duplicate initializers merged", dropped.count)
        return changes
    }

    /// The node's key, or `nil` when it holds a subgraph or an attribute kind not compared here.
    private static func key(_ node: Node) -> NodeKey? {
        var attributes: [NodeKey.AttributeKey] = []
        for attribute in node.attributes.sorted(by: { $0.name < $1.name }) {
            switch attribute.value {
            case .float(let v): attributes.append(.plain(name: attribute.name, value: "f\(v.bitPattern)"))
            case .int(let v): attributes.append(.plain(name: attribute.name, value: "i\(v)"))
            case .string(let v): attributes.append(.plain(name: attribute.name, value: "s\(v.base64EncodedString())"))
            case .floats(let v): attributes.append(.plain(name: attribute.name, value: "F\(v.map(\.bitPattern))"))
            case .ints(let v): attributes.append(.plain(name: attribute.name, value: "I\(v)"))
            case .strings(let v): attributes.append(.plain(name: attribute.name, value: "S\(v.map { $0.base64EncodedString() })"))
            case .tensor(let t): attributes.append(.tensor(name: attribute.name, t.tensor))
            default: return nil
            }
        }
        return NodeKey(opType: node.opType, domain: OpsetImport.canonicalDomain(node.domain), inputs: node.inputs, attributes: attributes)
    }
}
