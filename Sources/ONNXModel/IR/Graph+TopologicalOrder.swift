import HeapModule

extension Graph {
    /// Node indices ordered so that every node comes after the producers of its inputs, keeping
    /// file order among nodes that are ready together.
    ///
    /// Values that come from outside the graph (graph inputs, initializers, `outerScope`) need no
    /// producer; a node's subgraphs count their outer-scope references as the node's inputs.
    /// - Throws: `.invalidGraph` naming the nodes on a cycle, or a node whose input nothing produces.
    public func topologicalOrder(outerScope: Set<String> = []) throws(ONNXModelError) -> [Int] {
        var producer: [String: Int] = [:]
        for (index, node) in nodes.enumerated() {
            for output in node.outputs where !output.isEmpty { producer[output] = producer[output] ?? index }
        }
        let available = outerScope.union(inputs.map(\.name)).union(initializers.map(\.name))
        var pending = [Int](repeating: 0, count: nodes.count)
        var consumers: [[Int]] = Array(repeating: [], count: nodes.count)
        for (index, node) in nodes.enumerated() {
            for name in Set(node.inputs + node.implicitInputs) where !name.isEmpty {
                if let source = producer[name], !available.contains(name) {
                    pending[index] += 1
                    consumers[source].append(index)
                } else if !available.contains(name) {
                    throw .invalidGraph(
                        "node \(node.label(index: index)): input '\(name)' is not produced by any node, initializer or graph input")
                }
            }
        }
        // Kahn's algorithm over a min-heap of indices, so ready nodes keep their file order.
        var ready = Heap(pending.indices.filter { pending[$0] == 0 })
        var order: [Int] = []
        order.reserveCapacity(nodes.count)
        while let index = ready.popMin() {
            order.append(index)
            for consumer in consumers[index] {
                pending[consumer] -= 1
                if pending[consumer] == 0 { ready.insert(consumer) }
            }
        }
        guard order.count == nodes.count else {
            let stuck = pending.indices.filter { pending[$0] > 0 }.prefix(5).map { nodes[$0].label(index: $0) }
            throw .invalidGraph("the graph has a cycle through node\(stuck.count > 1 ? "s" : "") \(stuck.joined(separator: ", "))")
        }
        return order
    }
}

extension Node {
    /// Outer-scope values this node's subgraphs read: names they use that they do not define.
    public var implicitInputs: [String] {
        var names: Set<String> = []
        for attribute in attributes {
            for graph in attribute.subgraphs { names.formUnion(graph.freeVariables) }
        }
        return names.sorted()
    }
}

extension Graph {
    /// Names this graph (and its nested subgraphs) read but neither define nor receive as inputs.
    var freeVariables: Set<String> {
        var defined = Set(inputs.map(\.name)).union(initializers.map(\.name))
        for node in nodes { defined.formUnion(node.outputs) }
        var used: Set<String> = []
        for node in nodes {
            used.formUnion(node.inputs.filter { !$0.isEmpty })
            used.formUnion(node.implicitInputs)
        }
        used.formUnion(outputs.map(\.name))
        return used.subtracting(defined)
    }
}
