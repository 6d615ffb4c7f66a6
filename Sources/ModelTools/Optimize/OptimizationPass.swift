import ONNXModel

/// One graph rewrite of `tessera optimize`. A pass rewrites the top-level graph only; nodes
/// holding subgraphs (If, Loop, Scan) are kept as they are, but their outer-scope reads count.
protocol OptimizationPass: Sendable {
    /// The name `--passes` spells.
    var name: String { get }
    /// Rewrites `model` in place and says what changed.
    func run(on model: inout Model) throws(OptimizeError) -> PassChanges
}

/// What one run of a pass changed, and a tally of what it did (`Identity removed: 3`) for its
/// summary line.
struct PassChanges: Sendable {
    var nodesRemoved = 0
    var nodesAdded = 0
    var initializersChanged = 0
    /// Phrase → count, e.g. `"Conv+BatchNormalization fused"` → 53.
    var tally: [String: Int] = [:]

    /// Whether the graph changed; rewiring without adding or removing counts too.
    var changed: Bool { nodesRemoved + nodesAdded + initializersChanged > 0 || tally.values.contains { $0 > 0 } }

    mutating func count(_ phrase: String, _ times: Int = 1) { tally[phrase, default: 0] += times }

    /// Adds another run's changes (the manager runs passes until nothing changes).
    mutating func merge(_ other: PassChanges) {
        nodesRemoved += other.nodesRemoved
        nodesAdded += other.nodesAdded
        initializersChanged += other.initializersChanged
        tally.merge(other.tally, uniquingKeysWith: +)
    }

    /// `3 Identity removed, 1 Dropout removed`, or `no change`.
    var summary: String {
        let parts = tally.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
        return parts.isEmpty ? "no change" : parts.joined(separator: ", ")
    }
}
