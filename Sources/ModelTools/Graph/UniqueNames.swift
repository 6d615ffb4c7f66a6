import ONNXModel

/// Names for new values and nodes that collide with nothing taken so far: the importer, the
/// optimizer and the quantizer all add to graphs whose names they do not choose.
struct UniqueNames {
    private var taken: Set<String>

    init(taken: Set<String> = []) { self.taken = taken }

    /// Every name `graph` uses: inputs, outputs, initializers, and each node's name, inputs and outputs.
    init(graph: Graph) {
        var names = Set(graph.inputs.map(\.name) + graph.outputs.map(\.name) + graph.initializers.map(\.name))
        for node in graph.nodes {
            names.insert(node.name)
            names.formUnion(node.inputs)
            names.formUnion(node.outputs)
        }
        self.init(taken: names)
    }

    /// Marks a name chosen elsewhere as used.
    mutating func reserve(_ name: String) { taken.insert(name) }

    /// `base`, or `base_1`, `base_2`, … whichever is free first, now taken.
    mutating func fresh(_ base: String) -> String {
        var candidate = base
        var suffix = 1
        while !taken.insert(candidate).inserted {
            candidate = "\(base)_\(suffix)"
            suffix += 1
        }
        return candidate
    }
}
