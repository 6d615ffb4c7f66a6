import Foundation
import InferenceRuntime
import ONNXModel
import TensorCore

/// A graph compiled for the interpreter: values numbered into slots, nodes in topological order
/// with their kernels built, constant subgraphs evaluated once, the nodes that follow a
/// convolution merged into it (``ConvFusion``), and after each step the slots
/// whose last reader it was, so their buffers go back to the pool.
struct ExecutionPlan: Sendable {
    /// One node to run.
    struct Step: Sendable {
        var label: String
        var kernel: StepKernel
        /// Slot of each input; `nil` for an omitted optional input.
        var inputs: [Int?]
        /// Slot of each output; `nil` for an output nobody asked for.
        var outputs: [Int?]
        /// Slots no later step or graph output reads.
        var releases: [Int]
        /// The node as its kernel was built from it, for the fusions that rebuild kernels.
        var node: NodeContext
    }

    var slotCount: Int
    /// Values known at load time (initializers and folded nodes), by slot.
    var constants: [Int: NDArray]
    var inputSlots: [String: Int]
    /// The graph's own inputs in order (a subgraph's formal parameters), outer-scope values excluded.
    var formalInputs: [String]
    var outputSlots: [(name: String, slot: Int)]
    var steps: [Step]

    /// Compiles `model`, failing on the first node the engine cannot run, naming it.
    /// - Parameter winogradTile: the ``WinogradConv`` output tile 3×3 convolutions may take, or
    ///   `nil` for the direct kernel.
    init(model: Model, registry: OperatorRegistry, schemas: OperatorSchemas, winogradTile: Int? = WinogradConv.defaultTile)
        throws(ReferenceEngineError)
    {
        try self.init(
            graph: model.graph, outerScope: [],
            compiler: SubgraphCompiler(model: model, registry: registry, schemas: schemas, winogradTile: winogradTile))
    }

    /// Compiles `graph`, a model's main graph or a subgraph (If's branches, Loop's and Scan's
    /// bodies), whose nodes may read the `outerScope` values: these become inputs of the plan.
    init(graph: Graph, outerScope: [String], compiler: SubgraphCompiler) throws(ReferenceEngineError) {
        let (model, registry, schemas) = (compiler.model, compiler.registry, compiler.schemas)
        var slots: [String: Int] = [:]
        func slot(for name: String) -> Int {
            if let existing = slots[name] { return existing }
            slots[name] = slots.count
            return slots.count - 1
        }
        var constants: [Int: NDArray] = [:]
        for initializer in graph.initializers {
            do { constants[slot(for: initializer.name)] = try NDArray(initializer.tensor) } catch {
                throw .unsupportedType(value: initializer.name, type: initializer.tensor.dataType)
            }
        }
        var inputSlots: [String: Int] = [:]
        for name in graph.runtimeInputs.map(\.name) + outerScope {
            let index = slot(for: name)
            constants[index] = nil
            inputSlots[name] = index
        }
        let order: [Int]
        do { order = try graph.topologicalOrder(outerScope: Set(outerScope)) } catch { throw .unreadableModel(reason: "\(error)") }

        let folding = ExecutionContext(threads: ProcessInfo.processInfo.activeProcessorCount)
        var steps: [Step] = []
        for index in order {
            let node = graph.nodes[index]
            let label = node.label(index: index)
            let (registration, since) = try Self.resolve(node, label: label, model: model, registry: registry, schemas: schemas)
            // Values a node's subgraphs read from this scope follow its own inputs.
            let implicit = node.implicitInputs
            let inputs = (node.inputs + implicit).map { $0.isEmpty ? nil : slots[$0] }
            var known: [Int: NDArray] = [:]
            for (position, input) in inputs.enumerated() { if let input, let value = constants[input] { known[position] = value } }
            let context = NodeContext(
                node: node, label: label, sinceVersion: since, constants: known, implicitInputs: implicit, compiler: compiler)
            let kernel = try registration.factory(context)
            let outputs = node.outputs.map { $0.isEmpty ? nil : slot(for: $0) }
            let allConstant = inputs.allSatisfy { $0 == nil || constants[$0!] != nil }
            if registration.foldable, allConstant,
                let values = try Self.fold(kernel, inputs.map { $0.flatMap { constants[$0] } }, label: label, context: folding)
            {
                for (output, value) in zip(outputs, values) { if let output { constants[output] = value } }
                continue
            }
            steps.append(Step(label: label, kernel: kernel, inputs: inputs, outputs: outputs, releases: [], node: context))
        }
        var outputSlots: [(name: String, slot: Int)] = []
        for output in graph.outputs {
            guard let index = slots[output.name] else {
                throw .unreadableModel(reason: "graph output '\(output.name)' is produced by no node, initializer or input")
            }
            outputSlots.append((output.name, index))
        }
        var slotCount = slots.count
        let graphOutputs = Set(outputSlots.map(\.slot))
        steps = try ConvFusion.apply(
            to: steps, constants: &constants, slotCount: &slotCount, keep: graphOutputs, winogradTile: compiler.winogradTile)
        // Weights that fusion replaced, and folded intermediates, are read by nothing now.
        let read = Set(steps.flatMap { $0.inputs.compactMap { $0 } }).union(graphOutputs)
        constants = constants.filter { read.contains($0.key) }
        self.slotCount = slotCount
        self.constants = constants
        self.inputSlots = inputSlots
        self.formalInputs = graph.runtimeInputs.map(\.name)
        self.outputSlots = outputSlots
        self.steps = Self.assignReleases(steps, keep: graphOutputs.union(constants.keys))
    }

    /// The registration for `node` at the model's opset and the since-version it resolved to,
    /// after checking the node's input and output counts.
    private static func resolve(
        _ node: Node, label: String, model: Model, registry: OperatorRegistry, schemas: OperatorSchemas
    ) throws(ReferenceEngineError) -> (OperatorRegistry.Registration, Int) {
        let domain = OpsetImport.canonicalDomain(node.domain)
        let opset = model.opsetVersion(for: domain) ?? 0
        guard let schema = schemas.version(of: node.opType, domain: domain, opset: opset) else {
            throw .unsupportedOperator(node: label, operator: "\(node.opType) (unknown at \(domain.isEmpty ? "ai.onnx" : domain) opset \(opset))")
        }
        let key = OperatorKey(domain: domain, type: node.opType, sinceVersion: schema.since)
        guard let registration = registry.registration(for: key) else {
            throw .unsupportedOperator(node: label, operator: "\(key)")
        }
        let given = (node.inputs.lastIndex { !$0.isEmpty } ?? -1) + 1
        if let minimum = schema.inputs.first ?? nil, given < minimum {
            throw .invalidNode(node: label, reason: "\(given) input\(given == 1 ? "" : "s") given, \(key) needs at least \(minimum)")
        }
        if schema.inputs.count > 1, let maximum = schema.inputs[1], node.inputs.count > maximum {
            throw .invalidNode(node: label, reason: "\(node.inputs.count) inputs given, \(key) takes at most \(maximum)")
        }
        if schema.outputs.count > 1, let maximum = schema.outputs[1], node.outputs.count > maximum {
            throw .invalidNode(node: label, reason: "\(node.outputs.count) outputs given, \(key) has at most \(maximum)")
        }
        if node.outputs.allSatisfy(\.isEmpty) {
            throw .invalidNode(node: label, reason: "the node names no output")
        }
        return (registration, schema.since)
    }

    /// Runs one kernel, attributing any failure to the node.
    static func evaluate(_ kernel: Kernel, _ inputs: [NDArray?], label: String, context: ExecutionContext)
        throws(ReferenceEngineError) -> [NDArray]
    {
        try attributed(to: label) { try kernel(KernelInputs(values: inputs), context) }
    }

    /// Runs one value kernel, attributing any failure to the node.
    static func evaluate(_ kernel: ValueKernel, _ inputs: [EngineValue?], label: String, context: ExecutionContext)
        throws(ReferenceEngineError) -> [EngineValue]
    {
        try attributed(to: label) { try kernel(ValueInputs(values: inputs), context) }
    }

    private static func attributed<R>(to label: String, _ body: () throws -> R) throws(ReferenceEngineError) -> R {
        do { return try body() } catch let error as ReferenceEngineError {
            throw error
        } catch {
            throw .runFailed(node: label, reason: "\(error)")
        }
    }

    /// The outputs of a node whose inputs are all known at load, or `nil` when they are not all
    /// tensors (a constant sequence stays a step: the plan's constants are tensors).
    private static func fold(_ kernel: StepKernel, _ inputs: [NDArray?], label: String, context: ExecutionContext)
        throws(ReferenceEngineError) -> [NDArray]?
    {
        switch kernel {
        case .tensors(let kernel): return try evaluate(kernel, inputs, label: label, context: context)
        case .values(let kernel):
            let values = try evaluate(kernel, inputs.map { $0.map(EngineValue.tensor) }, label: label, context: context)
            var tensors: [NDArray] = []
            for value in values {
                guard case .tensor(let tensor) = value else { return nil }
                tensors.append(tensor)
            }
            return tensors
        }
    }

    /// Marks, for every step, the slots whose last reader it is (or that it writes and nothing reads).
    private static func assignReleases(_ steps: [Step], keep: Set<Int>) -> [Step] {
        var lastUse: [Int: Int] = [:]
        for (position, step) in steps.enumerated() {
            for slot in step.outputs.compactMap({ $0 }) { lastUse[slot] = position }
            for slot in step.inputs.compactMap({ $0 }) { lastUse[slot] = position }
        }
        var result = steps
        for (slot, position) in lastUse where !keep.contains(slot) { result[position].releases.append(slot) }
        return result
    }
}
