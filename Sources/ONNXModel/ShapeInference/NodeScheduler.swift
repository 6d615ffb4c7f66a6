/// Orders nodes so that each follows the producers of its inputs.
///
/// Files need not list nodes topologically. Kahn's algorithm over value names: a node is ready when
/// each of its non-empty inputs, and each outer value its subgraphs read, is available. Nodes that
/// never become ready sit on a cycle or read a value nothing produces; they are returned with a
/// reason instead of failing, since a separate validator reports those graphs.
enum NodeScheduler {
    struct Schedule {
        /// Indices into the node list, producers first.
        var order: [Int]
        /// Nodes that never became ready, with the reason.
        var stuck: [(index: Int, reason: String)]
    }

    static func schedule(_ nodes: [Node], available initial: Set<String>) -> Schedule {
        var produced: Set<String> = []
        for node in nodes { produced.formUnion(node.outputs.filter { !$0.isEmpty }) }

        var available = initial
        var pending = [Int](repeating: 0, count: nodes.count)
        var consumers: [String: [Int]] = [:]
        var dangling: [Int: [String]] = [:]
        var ready: [Int] = []
        for (index, node) in nodes.enumerated() {
            let needed = requiredNames(of: node)
            var waiting = 0
            for name in needed where !available.contains(name) {
                if produced.contains(name) {
                    consumers[name, default: []].append(index)
                    waiting += 1
                } else if !isOuterScopeName(name, of: node) {
                    dangling[index, default: []].append(name)
                }
            }
            pending[index] = waiting
            if waiting == 0 && dangling[index] == nil { ready.append(index) }
        }

        var order: [Int] = []
        var cursor = 0
        while cursor < ready.count {
            let index = ready[cursor]
            cursor += 1
            order.append(index)
            for name in nodes[index].outputs where !name.isEmpty && !available.contains(name) {
                available.insert(name)
                for consumer in consumers[name] ?? [] {
                    pending[consumer] -= 1
                    if pending[consumer] == 0 && dangling[consumer] == nil { ready.append(consumer) }
                }
            }
        }

        var stuck: [(index: Int, reason: String)] = []
        let scheduled = Set(order)
        for index in nodes.indices where !scheduled.contains(index) {
            if let missing = dangling[index] {
                stuck.append((index, "input \(quoted(missing)) is not produced by any node or graph input"))
            } else {
                let waiting = requiredNames(of: nodes[index]).filter { !available.contains($0) }
                stuck.append((index, "input \(quoted(waiting)) depends on a cycle"))
            }
        }
        return Schedule(order: order, stuck: stuck)
    }

    /// The value names a node reads: its inputs and the outer-scope names its subgraphs use.
    static func requiredNames(of node: Node) -> [String] {
        var names: [String] = []
        var seen: Set<String> = []
        for name in node.inputs where !name.isEmpty && seen.insert(name).inserted { names.append(name) }
        for attribute in node.attributes {
            for graph in attribute.subgraphs {
                for name in outerNames(of: graph).sorted() where seen.insert(name).inserted { names.append(name) }
            }
        }
        return names
    }

    /// Names a subgraph reads without defining them itself: values of enclosing scopes.
    static func outerNames(of graph: Graph) -> Set<String> {
        var defined = Set(graph.inputs.map(\.name)).union(graph.initializers.map(\.name))
        for node in graph.nodes { defined.formUnion(node.outputs) }
        var used: Set<String> = []
        for node in graph.nodes {
            used.formUnion(node.inputs.filter { !$0.isEmpty })
            for attribute in node.attributes {
                for nested in attribute.subgraphs { used.formUnion(outerNames(of: nested)) }
            }
        }
        return used.subtracting(defined)
    }

    /// Outer-scope names a subgraph reads may come from scopes above the graph being scheduled;
    /// only direct inputs must be resolvable here.
    private static func isOuterScopeName(_ name: String, of node: Node) -> Bool {
        !node.inputs.contains(name)
    }

    private static func quoted(_ names: [String]) -> String {
        names.map { "'\($0)'" }.joined(separator: ", ")
    }
}
