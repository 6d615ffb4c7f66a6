public import TensorCore

/// What shape inference learned about a graph.
///
/// Produced by ``Model/inferTypes(inputShapes:)``. A value whose type nothing could establish is
/// simply absent from ``values``; ``issues`` says which nodes stopped inference and why.
public struct InferredTypes: Sendable {
    /// The type of every value inference could type: graph inputs, initializers, node outputs.
    public var values: [String: ValueType]
    /// Nodes whose outputs could not be (fully) inferred, each with the reason (operator not covered, input type unknown, …).
    public var issues: [ShapeInferenceIssue]

    /// Wraps inference results.
    public init(values: [String: ValueType], issues: [ShapeInferenceIssue]) {
        self.values = values
        self.issues = issues
    }
}

/// A node whose outputs shape inference could not type completely, and why.
public struct ShapeInferenceIssue: Sendable, Hashable, CustomStringConvertible {
    /// The node, as ``Node/label(index:)`` names it: `'conv_3' (Conv)` or `#12 (Conv)`.
    public var node: String
    /// Why its outputs are missing or incomplete.
    public var reason: String

    /// An issue about `node`.
    public init(node: String, reason: String) {
        self.node = node
        self.reason = reason
    }

    /// `node 'x' (Op): reason`.
    public var description: String { "node \(node): \(reason)" }
}

extension Model {
    /// Infers element types and (symbolic) shapes of every value, in topological order.
    ///
    /// Graph inputs start from their declared types, initializers from their tensors. Each node's
    /// outputs are then computed by its operator's rule at the model's opset. Small integer tensors
    /// (shapes, sizes, axes) are tracked by value, symbolically, so that exported shape
    /// computations (`Shape → Gather → Concat → Reshape`) still give exact shapes.
    ///
    /// Operators without a rule, nodes in other domains, and nodes whose inputs are untyped are
    /// reported in ``InferredTypes/issues``; their outputs stay untyped and inference goes on.
    ///
    /// ```swift
    /// let types = try model.inferTypes(inputShapes: ["input": [1, 3, .symbol("H"), .symbol("W")]])
    /// print(types.values["output"]!)   // float[1,3,4*H,4*W]
    /// ```
    /// - Parameter inputShapes: overrides for graph-input shapes (e.g. from `--input-shape input=1x3x256x256`); an override's rank must match the declared rank.
    /// - Throws: ONNXModelError.invalidNode for a node whose inputs contradict its operator, or whose
    ///   output's declared element type (`value_info`, graph outputs) contradicts the inferred one;
    ///   ONNXModelError.invalidGraph for an override that names no graph input or changes its rank.
    public func inferTypes(inputShapes: [String: [Dim]] = [:]) throws(ONNXModelError) -> InferredTypes {
        var engine = InferenceEngine(opset: opsetVersion(for: "") ?? 1)
        try engine.seed(graph: graph, inputShapes: inputShapes)
        try engine.run(graph: graph)
        try engine.checkDeclaredElementTypes(of: graph)
        return InferredTypes(values: engine.types, issues: engine.issues)
    }
}

/// The state of one inference pass over a graph: what is known about each value so far.
struct InferenceEngine {
    /// The default-domain opset the nodes are written against.
    let opset: Int
    var types: [String: ValueType] = [:]
    /// Values known exactly: initializers and `Constant` outputs.
    var constants: [String: Tensor] = [:]
    /// Small integer tensors known element by element, possibly symbolically.
    var symbolic: [String: SymbolicValue] = [:]
    var issues: [ShapeInferenceIssue] = []

    init(opset: Int) { self.opset = opset }

    /// Types the graph's initializers and inputs, applying shape overrides to inputs.
    mutating func seed(graph: Graph, inputShapes: [String: [Dim]]) throws(ONNXModelError) {
        for stored in graph.initializers {
            types[stored.name] = .tensor(stored.tensor.dataType, stored.tensor.shape.map(Dim.value))
            constants[stored.name] = stored.tensor
        }
        let inputNames = Set(graph.inputs.map(\.name))
        for name in inputShapes.keys.sorted() where !inputNames.contains(name) || constants[name] != nil {
            throw .invalidGraph("input shape given for '\(name)', which is not a runtime input of the graph")
        }
        // An input that repeats an initializer's name (IR < 4 defaults) keeps the initializer's type.
        for input in graph.inputs where constants[input.name] == nil {
            guard var type = input.type else { continue }
            if let override = inputShapes[input.name] {
                guard case .tensor(var tensor) = type.kind else {
                    throw .invalidGraph("input shape given for '\(input.name)', which is not a tensor")
                }
                if let declared = tensor.dims, declared.count != override.count {
                    throw .invalidGraph(
                        "input shape for '\(input.name)' has rank \(override.count), the model declares rank \(declared.count)")
                }
                if let bad = override.first(where: { ($0.value ?? 0) < 0 || ($0.value ?? 0) > Limits.maximumDimension }) {
                    throw .invalidGraph("input shape for '\(input.name)' has dimension \(bad), out of range")
                }
                tensor.dims = override
                type.kind = .tensor(tensor)
            }
            types[input.name] = type
        }
    }

    /// Refuses a `value_info` entry or graph output whose element type contradicts what its node
    /// produces, as ONNX Runtime does ("Type Error" at load). Stale shapes are only warnings there
    /// and are ignored here: inference never reads declared shapes of intermediate values.
    func checkDeclaredElementTypes(of graph: Graph) throws(ONNXModelError) {
        var producer: [String: Int] = [:]
        for (index, node) in graph.nodes.enumerated() {
            for output in node.outputs where !output.isEmpty { producer[output] = index }
        }
        let declarations = graph.valueInfo.map { ($0, "value_info declares") } + graph.outputs.map { ($0, "the graph output declares") }
        for (entry, source) in declarations {
            guard let index = producer[entry.name], let declared = entry.type?.tensorType?.elementType,
                let inferred = types[entry.name]?.tensorType?.elementType, declared != inferred
            else { continue }
            throw .invalidNode(
                node: graph.nodes[index].label(index: index), reason: "output '\(entry.name)' is \(inferred), but \(source) it \(declared)")
        }
    }

    /// Infers every node of `graph` in dependency order.
    mutating func run(graph: Graph) throws(ONNXModelError) {
        let available = Set(types.keys).union(constants.keys)
        // Values a subgraph reads from scopes further out may be absent here; they are not errors.
        let schedule = graph.schedule(available: available, requireOuterValues: false)
        for index in schedule.order {
            try infer(graph.nodes[index], index: index)
        }
        for stuck in schedule.stuck {
            issues.append(ShapeInferenceIssue(node: graph.nodes[stuck.index].label(index: stuck.index), reason: stuck.reason))
        }
    }

    /// Runs the rule for one node and records its outputs, or an issue.
    mutating func infer(_ node: Node, index: Int) throws(ONNXModelError) {
        let label = node.label(index: index)
        guard let rule = InferenceRegistry.rule(for: node.opType, domain: node.domain) else {
            let name = OpsetImport.canonicalDomain(node.domain).isEmpty ? node.opType : "\(node.domain).\(node.opType)"
            issues.append(ShapeInferenceIssue(node: label, reason: "operator \(name) is not covered"))
            return
        }
        var context = InferenceContext(
            node: node, label: label, opset: opset,
            inputTypes: node.inputs.map { $0.isEmpty ? nil : types[$0] },
            inputConstants: node.inputs.map { $0.isEmpty ? nil : constants[$0] },
            inputSymbolic: node.inputs.map { $0.isEmpty ? nil : symbolic[$0] },
            scope: self)
        let outputs: [ValueType?]
        var propagated: SymbolicValue?
        do {
            outputs = try rule.infer(&context)
            if let propagate = rule.propagate { propagated = try propagate(context) }
        } catch let error as ONNXModelError {
            throw error
        } catch let error as Dim.OverflowError {
            throw .invalidNode(node: label, reason: error.description)
        } catch {
            throw .invalidNode(node: label, reason: String(describing: error))
        }
        try record(outputs, of: node, context: context, propagated: propagated)
    }

    private mutating func record(
        _ outputs: [ValueType?], of node: Node, context: InferenceContext, propagated: SymbolicValue?
    ) throws(ONNXModelError) {
        var incomplete: [String] = []
        for (position, name) in node.outputs.enumerated() where !name.isEmpty {
            // Whatever was known under this name (an outer-scope value a body shadows) is replaced.
            types[name] = nil
            constants[name] = nil
            symbolic[name] = nil
            guard position < outputs.count, let type = outputs[position] else {
                incomplete.append(name)
                continue
            }
            if let tensor = type.tensorType {
                for dim in tensor.dims ?? [] {
                    if let size = dim.value, size < 0 || size > Int(Limits.maximumDimension) {
                        throw .invalidNode(
                            node: context.label, reason: "output '\(name)' would have dimension \(size)")
                    }
                }
                if tensor.elementType == nil || tensor.dims == nil { incomplete.append(name) }
                // A tensor of unknown element type and rank is no knowledge at all.
                if tensor.elementType == nil && tensor.dims == nil { continue }
            }
            types[name] = type
            if let constant = context.outputConstants[position] { constants[name] = constant }
        }
        if let propagated, let name = node.outputs.first, !name.isEmpty,
            let element = types[name]?.tensorType?.elementType, element == .int64 || element == .int32
        {
            symbolic[name] = propagated
        }
        if !context.notes.isEmpty {
            issues.append(ShapeInferenceIssue(node: context.label, reason: context.notes.joined(separator: "; ")))
        } else if !incomplete.isEmpty {
            let untyped = node.inputs.filter { !$0.isEmpty && types[$0] == nil }
            let reason =
                untyped.isEmpty
                ? "could not infer output \(incomplete.map { "'\($0)'" }.joined(separator: ", "))"
                : "input \(untyped.map { "'\($0)'" }.joined(separator: ", ")) has no known type"
            issues.append(ShapeInferenceIssue(node: context.label, reason: reason))
        }
    }
}
