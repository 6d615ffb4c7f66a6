import HeapModule

/// The order in which a graph's nodes can run, and the nodes that never can, with why.
public struct NodeSchedule: Sendable {
    /// A node that never became ready.
    public struct Stuck: Sendable, Hashable {
        public var index: Int
        /// Names it reads that nothing produces; empty when it waits on a cycle instead.
        public var missing: [String]
        /// Names it waits for that are never produced in time (a cycle, or something upstream of one).
        public var waitingFor: [String]

        /// One line for reports: which inputs, and why they never arrive.
        public var reason: String {
            if !missing.isEmpty { return "input \(Self.quoted(missing)) is not produced by any node, initializer or graph input" }
            return "input \(Self.quoted(waitingFor)) is never available (a cycle, or an input upstream that nothing produces)"
        }

        private static func quoted(_ names: [String]) -> String { names.map { "'\($0)'" }.joined(separator: ", ") }
    }

    /// Node indices, each after the producers of its inputs; file order among nodes ready together.
    public var order: [Int]
    public var stuck: [Stuck]
}

extension Graph {
    /// Orders the nodes by Kahn's algorithm over value names, never failing: nodes that cannot
    /// run are returned in ``NodeSchedule/stuck``.
    ///
    /// A node's requirements are its non-empty inputs and the outer-scope values its subgraphs read
    /// (``Node/implicitInputs``).
    /// - Parameters:
    ///   - available: values that exist before any node runs (graph inputs, initializers, outer scope).
    ///   - requireOuterValues: whether a subgraph's outer-scope read that nothing here provides is
    ///     an error (validation), or is assumed to come from a scope further out (inference of a
    ///     subgraph on its own).
    public func schedule(available: Set<String>, requireOuterValues: Bool = true) -> NodeSchedule {
        var producer: [String: Int] = [:]
        for (index, node) in nodes.enumerated() {
            for output in node.outputs where !output.isEmpty { producer[output] = producer[output] ?? index }
        }
        var pending = [Int](repeating: 0, count: nodes.count)
        var consumers: [[Int]] = Array(repeating: [], count: nodes.count)
        var missing: [Int: [String]] = [:]
        for (index, node) in nodes.enumerated() {
            let direct = Set(node.inputs)
            for name in (node.inputs + node.implicitInputs).uniqued() where !name.isEmpty && !available.contains(name) {
                if let source = producer[name] {
                    pending[index] += 1
                    consumers[source].append(index)
                } else if requireOuterValues || direct.contains(name) {
                    missing[index, default: []].append(name)
                }
            }
        }
        // A min-heap of ready indices keeps file order among nodes that are ready together.
        var ready = Heap(nodes.indices.filter { pending[$0] == 0 && missing[$0] == nil })
        var order: [Int] = []
        order.reserveCapacity(nodes.count)
        while let index = ready.popMin() {
            order.append(index)
            for consumer in consumers[index] {
                pending[consumer] -= 1
                if pending[consumer] == 0 && missing[consumer] == nil { ready.insert(consumer) }
            }
        }
        let scheduled = Set(order)
        let stuck = nodes.indices.filter { !scheduled.contains($0) }.map { index in
            let node = nodes[index]
            let waiting = (node.inputs + node.implicitInputs).uniqued().filter {
                !$0.isEmpty && !available.contains($0) && producer[$0].map { !scheduled.contains($0) } == true
            }
            return NodeSchedule.Stuck(index: index, missing: missing[index] ?? [], waitingFor: waiting)
        }
        return NodeSchedule(order: order, stuck: stuck)
    }

    /// Node indices ordered so that every node comes after the producers of its inputs, keeping
    /// file order among nodes that are ready together.
    /// - Throws: `.invalidGraph` naming a node whose input nothing produces, or the nodes on a cycle.
    public func topologicalOrder(outerScope: Set<String> = []) throws(ONNXModelError) -> [Int] {
        let result = schedule(available: outerScope.union(inputs.map(\.name)).union(initializers.map(\.name)))
        if let dangling = result.stuck.first(where: { !$0.missing.isEmpty }) {
            throw .invalidGraph("node \(nodes[dangling.index].label(index: dangling.index)): \(dangling.reason)")
        }
        guard result.stuck.isEmpty else {
            let labels = result.stuck.prefix(5).map { nodes[$0.index].label(index: $0.index) }
            throw .invalidGraph("the graph has a cycle through node\(labels.count > 1 ? "s" : "") \(labels.joined(separator: ", "))")
        }
        return result.order
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

extension Array where Element: Hashable {
    /// The elements in order, each once.
    fileprivate func uniqued() -> [Element] {
        var seen: Set<Element> = []
        return filter { seen.insert($0).inserted }
    }
}
