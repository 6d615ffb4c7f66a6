import ONNXModel

/// `dead-nodes`: removes nodes no graph output depends on, then initializers nothing reads and
/// `value_info` entries for values that no longer exist.
struct DeadNodeElimination: OptimizationPass {
    let name = "dead-nodes"

    func run(on model: inout Model) throws(OptimizeError) -> PassChanges {
        var graph = model.graph
        let producers = graph.producers()
        var needed = graph.outputNames
        var live: Set<Int> = []
        var pending = Array(needed)
        while let value = pending.popLast() {
            guard let index = producers[value], live.insert(index).inserted else { continue }
            for name in graph.nodes[index].inputs + graph.nodes[index].implicitInputs where !name.isEmpty {
                if needed.insert(name).inserted { pending.append(name) }
            }
        }
        var changes = PassChanges()
        let dead = Set(graph.nodes.indices).subtracting(live)
        graph.removeNodes(dead)
        changes.nodesRemoved = dead.count
        changes.count("unused nodes removed", dead.count)

        let before = graph.initializers.count
        graph.initializers.removeAll { !needed.contains($0.name) }
        // An initializer listed as a graph input (IR < 4 default) goes with its input entry.
        let removedDefaults = Set(model.graph.initializers.map(\.name)).subtracting(graph.initializers.map(\.name))
        graph.inputs.removeAll { removedDefaults.contains($0.name) }
        changes.initializersChanged = before - graph.initializers.count
        changes.count("unused initializers removed", changes.initializersChanged)

        let existing = graph.valueNames()
        graph.valueInfo.removeAll { !existing.contains($0.name) }
        model.graph = graph
        return changes
    }
}
