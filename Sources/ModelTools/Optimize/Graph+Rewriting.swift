import ONNXModel
import TensorCore

/// The graph edits every optimization pass shares: who reads a value, which values are constant,
/// routing readers around a node, and fresh names.
extension Graph {
    /// For each value name, the indices of the nodes that read it (directly, or from a subgraph).
    func consumers() -> [String: [Int]] {
        var readers: [String: [Int]] = [:]
        for (index, node) in nodes.enumerated() {
            for name in Set(node.inputs + node.implicitInputs) where !name.isEmpty { readers[name, default: []].append(index) }
        }
        return readers
    }

    /// For each value name, the index of the node that writes it.
    func producers() -> [String: Int] {
        var result: [String: Int] = [:]
        for (index, node) in nodes.enumerated() {
            for output in node.outputs where !output.isEmpty { result[output] = result[output] ?? index }
        }
        return result
    }

    var outputNames: Set<String> { Set(outputs.map(\.name)) }

    /// Initializers a caller cannot override: those not also listed as graph inputs (IR < 4 defaults).
    func constants() -> [String: Tensor] {
        let fed = Set(inputs.map(\.name))
        var result: [String: Tensor] = [:]
        for initializer in initializers where !fed.contains(initializer.name) { result[initializer.name] = initializer.tensor }
        return result
    }

    /// Makes every reader of `old` (top-level nodes and nested subgraphs) read `new` instead.
    mutating func replaceUses(of old: String, with new: String) {
        for index in nodes.indices { nodes[index].replaceInput(old, with: new) }
    }

    /// Routes the readers of `output` (a value `node` writes) to `input`, so the node can go.
    ///
    /// When `output` is a graph output, the producer of `input` is renamed to write `output`
    /// instead; that is impossible when `input` is a graph input, an initializer or another graph
    /// output, and then nothing changes and the result is `false`.
    mutating func bypass(output: String, with input: String) -> Bool {
        guard outputNames.contains(output) else {
            replaceUses(of: output, with: input)
            return true
        }
        let external = Set(inputs.map(\.name)).union(initializers.map(\.name)).union(outputNames)
        guard !external.contains(input), let producer = producers()[input] else { return false }
        if let position = nodes[producer].outputs.firstIndex(of: input) { nodes[producer].outputs[position] = output }
        replaceUses(of: input, with: output)
        valueInfo.removeAll { $0.name == input || $0.name == output }
        return true
    }

    /// Removes the nodes at `indices`, keeping the order of the rest.
    mutating func removeNodes(_ indices: Set<Int>) {
        guard !indices.isEmpty else { return }
        nodes = nodes.enumerated().filter { !indices.contains($0.offset) }.map(\.element)
    }

    /// Replaces the initializer called `name`, or adds one; returns whether it existed.
    @discardableResult
    mutating func setInitializer(_ name: String, _ tensor: Tensor) -> Bool {
        if let index = initializers.firstIndex(where: { $0.name == name }) {
            initializers[index] = StoredTensor(name: name, tensor: tensor)
            return true
        }
        initializers.append(StoredTensor(name: name, tensor: tensor))
        return false
    }

    /// Every value name in use: inputs, initializers, node outputs.
    func valueNames() -> Set<String> {
        var names = Set(inputs.map(\.name)).union(initializers.map(\.name))
        for node in nodes { names.formUnion(node.outputs) }
        return names
    }
}

extension Node {
    /// Renames an input, also inside subgraphs that read it from the outer scope.
    mutating func replaceInput(_ old: String, with new: String) {
        for position in inputs.indices where inputs[position] == old { inputs[position] = new }
        for position in attributes.indices {
            switch attributes[position].value {
            case .graph(var graph):
                graph.replaceUses(of: old, with: new)
                graph.outputs = graph.outputs.map { $0.name == old ? ValueInfo(name: new, type: $0.type, docString: $0.docString) : $0 }
                attributes[position].value = .graph(graph)
            case .graphs(let graphs):
                attributes[position].value = .graphs(
                    graphs.map { graph in
                        var copy = graph
                        copy.replaceUses(of: old, with: new)
                        copy.outputs = copy.outputs.map { $0.name == old ? ValueInfo(name: new, type: $0.type, docString: $0.docString) : $0 }
                        return copy
                    })
            default: break
            }
        }
    }

    /// Whether any attribute holds a subgraph (If, Loop, Scan): such nodes are left alone.
    var hasSubgraphs: Bool { attributes.contains { !$0.subgraphs.isEmpty } }
}
