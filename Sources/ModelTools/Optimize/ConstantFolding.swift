import ONNXModel
import ReferenceEngine
import TensorCore

/// `fold`: evaluates, with the reference engine, every node whose inputs are all constant and
/// stores its results as initializers. Shape and Size of statically shaped values fold too.
///
/// Kept apart from the graph rewrites (`--no-fold` turns it off) because it trades graph size for
/// file size: a result larger than ``largestFoldedBytes`` and larger than its inputs together is
/// left to be computed at load (ConstantOfShape building a 400 MB weight, for instance).
struct ConstantFolding: OptimizationPass {
    let name = "fold"
    /// Results above this size are folded only when no larger than the node's inputs.
    static let largestFoldedBytes = 64 << 20
    /// Operators that never fold: their result is not a function of their inputs alone.
    private static let nondeterministic: Set<String> = [
        "RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Multinomial", "Bernoulli",
    ]

    func run(on model: inout Model) throws(OptimizeError) -> PassChanges {
        let evaluator: ConstantEvaluator
        do { evaluator = try ConstantEvaluator() } catch { throw .unusableModel(reason: "operator schemas: \(error)") }
        let graph = model.graph
        let order: [Int]
        do { order = try graph.topologicalOrder() } catch { throw .unusableModel(reason: "\(error)") }
        let types = (try? model.inferTypes().values) ?? [:]
        let readers = graph.consumers()

        var known = graph.constants()
        var folded: Set<Int> = []
        for index in order {
            let node = graph.nodes[index]
            guard !node.hasSubgraphs, !Self.nondeterministic.contains(node.opType) else { continue }
            let results: [Tensor?]?
            if let shape = Self.staticShapeResult(node, types: types) {
                results = [shape]
            } else {
                results = evaluate(node, known: known, model: model, evaluator: evaluator)
            }
            guard let results else { continue }
            for (output, value) in zip(node.outputs, results) where !output.isEmpty { if let value { known[output] = value } }
            folded.insert(index)
        }
        guard !folded.isEmpty else { return PassChanges() }

        var changes = PassChanges()
        var result = graph
        let outputs = graph.outputNames
        for index in folded {
            for output in graph.nodes[index].outputs where !output.isEmpty {
                // Only values something unfolded still reads become initializers.
                let stillRead = outputs.contains(output) || (readers[output] ?? []).contains { !folded.contains($0) }
                guard stillRead, let value = known[output] else { continue }
                result.setInitializer(output, value)
                changes.initializersChanged += 1
            }
        }
        let foldedValues = Set(folded.flatMap { graph.nodes[$0].outputs })
        result.valueInfo.removeAll { foldedValues.contains($0.name) }
        result.removeNodes(folded)
        changes.nodesRemoved = folded.count
        changes.count("nodes folded", folded.count)
        model.graph = result
        return changes
    }

    /// The node's outputs evaluated by the engine, or `nil` when it cannot or should not fold.
    private func evaluate(_ node: Node, known: [String: Tensor], model: Model, evaluator: ConstantEvaluator) -> [Tensor?]? {
        let opset = model.opsetVersion(for: node.domain) ?? 0
        let inputs = node.inputs.filter { !$0.isEmpty }
        guard inputs.allSatisfy({ known[$0] != nil }), evaluator.canFold(node, opset: opset) else { return nil }
        // The engine computes float64 in float32: folding would lose precision.
        guard !inputs.contains(where: { known[$0]?.dataType == .float64 }) else { return nil }
        let initializers = Set(inputs).compactMap { name in known[name].map { StoredTensor(name: name, tensor: $0) } }
        let outputs = node.outputs.filter { !$0.isEmpty }.map { ValueInfo(name: $0, type: nil) }
        let graph = Graph(name: "fold", nodes: [node], initializers: initializers, inputs: [], outputs: outputs)
        let probe = Model(graph: graph, opsetImports: model.opsetImports, irVersion: model.irVersion)
        guard let values = try? evaluator.evaluate(probe) else { return nil }
        let results = node.outputs.map { $0.isEmpty ? nil : values[$0] }
        let produced = zip(node.outputs, results).filter { !$0.0.isEmpty }.map(\.1)
        guard produced.allSatisfy({ $0 != nil && $0?.dataType != .float64 }) else { return nil }
        let inputBytes = inputs.reduce(0) { $0 + (known[$1]?.byteCount ?? 0) }
        let outputBytes = results.reduce(0) { $0 + ($1?.byteCount ?? 0) }
        guard outputBytes <= Self.largestFoldedBytes || outputBytes <= inputBytes else { return nil }
        return results
    }

    /// Shape or Size of a value whose dimensions are all known.
    private static func staticShapeResult(_ node: Node, types: [String: ValueType]) -> Tensor? {
        guard node.domain.isEmpty, node.opType == "Shape" || node.opType == "Size", let input = node.inputs.first,
            let dims = types[input]?.tensorType?.dims
        else { return nil }
        let sizes = dims.compactMap(\.value)
        guard sizes.count == dims.count else { return nil }
        if node.opType == "Size" { return try? Tensor(shape: [], scalars: [Int64(sizes.reduce(1, *))]) }
        let rank = Int64(sizes.count)
        func clamp(_ axis: Int64) -> Int { Int(min(max(axis < 0 ? axis + rank : axis, 0), rank)) }
        let start = clamp(node.int("start", default: 0))
        let end = clamp(node.int("end", default: rank))
        let slice = start < end ? sizes[start..<end].map(Int64.init) : []
        return try? Tensor(shape: [slice.count], scalars: slice)
    }
}
