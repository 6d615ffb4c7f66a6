import TensorCore

extension ExecutionPlan {
    /// Runs the plan once on `inputs` (keyed by graph input name, already converted).
    /// - Throws: ``ReferenceEngineError`` naming the failing node.
    func run(_ inputs: [String: EngineValue], threads: Int) throws(ReferenceEngineError) -> [String: EngineValue] {
        var slots = [EngineValue?](repeating: nil, count: slotCount)
        for (slot, value) in constants { slots[slot] = .tensor(value) }
        for (name, slot) in inputSlots {
            guard let value = inputs[name] else { throw .invalidInput(name: name, reason: "is missing") }
            slots[slot] = value
        }
        let context = ExecutionContext(threads: threads)
        for step in steps {
            let results = try Self.execute(step, slots: slots, context: context)
            guard results.count >= step.outputs.compactMap({ $0 }).count || results.count >= step.outputs.count else {
                throw .runFailed(node: step.label, reason: "produced \(results.count) outputs, \(step.outputs.count) expected")
            }
            for (slot, value) in zip(step.outputs, results) { if let slot { slots[slot] = value } }
            for slot in step.releases {
                if case .tensor(let value) = slots[slot] { context.pool.recycle(value) }
                slots[slot] = nil
            }
        }
        var outputs: [String: EngineValue] = [:]
        for (name, slot) in outputSlots {
            guard let value = slots[slot] else { throw .runFailed(node: "(graph output)", reason: "'\(name)' was never produced") }
            outputs[name] = value
        }
        return outputs
    }

    /// Runs a subgraph's plan: `formal` feeds its own inputs in order, `outer` the outer-scope
    /// values by name; the outputs come back in the graph's order.
    func run(formal: [EngineValue], outer: [String: EngineValue], threads: Int) throws(ReferenceEngineError) -> [EngineValue] {
        guard formal.count == formalInputs.count else {
            throw .invalidInput(name: formalInputs.joined(separator: ", "), reason: "expects \(formalInputs.count) values, got \(formal.count)")
        }
        var feeds = outer
        for (name, value) in zip(formalInputs, formal) { feeds[name] = value }
        let results = try run(feeds, threads: threads)
        return outputSlots.map { results[$0.name]! }
    }

    /// Gathers a step's inputs and runs its kernel; a separate function so the gathered
    /// references are gone before the caller recycles buffers. A tensor kernel reads an absent
    /// optional as an omitted input.
    private static func execute(_ step: Step, slots: [EngineValue?], context: ExecutionContext)
        throws(ReferenceEngineError) -> [EngineValue]
    {
        switch step.kernel {
        case .tensors(let kernel):
            var inputs: [NDArray?] = []
            inputs.reserveCapacity(step.inputs.count)
            for (position, slot) in step.inputs.enumerated() {
                switch slot.flatMap({ slots[$0] }) {
                case .some(.tensor(let value)): inputs.append(value)
                case nil, .some(.absent): inputs.append(nil)
                case .some(let other):
                    throw .runFailed(node: step.label, reason: "input \(position) is \(other.summary); the operator takes tensors")
                }
            }
            return try evaluate(kernel, inputs, label: step.label, context: context).map(EngineValue.tensor)
        case .values(let kernel):
            return try evaluate(kernel, step.inputs.map { $0.flatMap { slots[$0] } }, label: step.label, context: context)
        }
    }
}
