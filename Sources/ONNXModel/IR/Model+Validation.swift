extension Model {
    /// Checks the graph's structure and throws on the first problem, naming the node:
    /// two producers of one value, a domain the model does not import, an input nothing produces,
    /// a cycle, a graph output nothing produces. Subgraphs are checked with their outer scope.
    ///
    /// Operator semantics (attribute values, input counts) are checked later, by shape inference
    /// and by the engines that build kernels.
    public func validate() throws(ONNXModelError) {
        var domains = Set(opsetImports.map { OpsetImport.canonicalDomain($0.domain) })
        domains.formUnion(retained.functions.map { OpsetImport.canonicalDomain($0.domain) })
        try graph.validate(knownDomains: domains, outerScope: [])
    }
}

extension Graph {
    func validate(knownDomains: Set<String>, outerScope: Set<String>) throws(ONNXModelError) {
        var producedBy: [String: String] = [:]
        for name in inputs.map(\.name) + initializers.map(\.name) { producedBy[name] = "the graph" }
        for (index, node) in nodes.enumerated() {
            let label = node.label(index: index)
            guard knownDomains.contains(OpsetImport.canonicalDomain(node.domain)) else {
                throw .invalidGraph("node \(label): domain '\(node.domain)' is not among the model's opset imports")
            }
            for output in node.outputs where !output.isEmpty {
                if let other = producedBy[output] {
                    throw .invalidGraph("node \(label): output '\(output)' is also produced by \(other)")
                }
                producedBy[output] = "node \(label)"
            }
        }
        _ = try topologicalOrder(outerScope: outerScope)
        for output in outputs where producedBy[output.name] == nil && !outerScope.contains(output.name) {
            throw .invalidGraph("graph output '\(output.name)' is not produced by any node, initializer or input")
        }
        let scope = outerScope.union(producedBy.keys)
        for (index, node) in nodes.enumerated() {
            for attribute in node.attributes {
                for subgraph in attribute.subgraphs {
                    do {
                        try subgraph.validate(knownDomains: knownDomains, outerScope: scope)
                    } catch .invalidGraph(let message) {
                        throw .invalidGraph("node \(node.label(index: index)), attribute '\(attribute.name)': \(message)")
                    }
                }
            }
        }
    }
}
