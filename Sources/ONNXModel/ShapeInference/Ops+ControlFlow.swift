import TensorCore

/// Operators that run subgraphs: If, Loop, Scan, SequenceMap. Each body is inferred as a nested
/// scope that sees every value known in the enclosing graph.
enum ControlFlowOps {
    /// `If(cond)`: each output covers the matching outputs of both branches.
    static func `if`(_ context: inout InferenceContext) throws -> [ValueType?] {
        let thenOutputs = try body("then_branch", inputs: [], context: &context)
        let elseOutputs = try body("else_branch", inputs: [], context: &context)
        guard thenOutputs.count == elseOutputs.count else {
            throw context.invalid("branches have \(thenOutputs.count) and \(elseOutputs.count) outputs")
        }
        return zip(thenOutputs, elseOutputs).map { SequenceOps.covering($0, $1) }
    }

    /// `Loop(M, cond, v_initial…)`: body `(iteration, cond, v…) → (cond, v…, scan…)`; the loop
    /// returns the final `v…` and each scan output stacked along a new leading axis of unknown length.
    static func loop(_ context: inout InferenceContext) throws -> [ValueType?] {
        let carried = max(context.inputCount - 2, 0)
        let inputs = [.tensor(.int64, []), .tensor(.bool, [])] + (0..<carried).map { context.type($0 + 2) }
        let outputs = try body("body", inputs: inputs, context: &context)
        guard outputs.count >= 1 + carried else {
            throw context.invalid("body has \(outputs.count) outputs for \(carried) loop-carried values")
        }
        let finals = (0..<carried).map { outputs[1 + $0] ?? context.type($0 + 2) }
        let scans = outputs.dropFirst(1 + carried).map { stacked($0, at: 0, length: .unknown) }
        return finals + scans
    }

    /// `Scan`: body `(state…, slice…) → (state…, out…)`. From opset 9 scan inputs are sliced along
    /// `scan_input_axes` (default 0) and outputs stacked along `scan_output_axes`; opset 8 has a
    /// leading batch axis, an optional `sequence_lens` first input, and scans axis 1.
    static func scan(_ context: inout InferenceContext) throws -> [ValueType?] {
        guard let scanCount = try context.int("num_scan_inputs"), scanCount >= 1 else {
            throw context.invalid("attribute 'num_scan_inputs' is missing or not positive")
        }
        let batched = context.opset < 9
        let first = batched ? 1 : 0
        let stateCount = context.inputCount - first - scanCount
        guard stateCount >= 0 else { throw context.invalid("\(context.inputCount) inputs for \(scanCount) scan inputs") }
        var inputAxes = Array(repeating: batched ? 1 : 0, count: scanCount)
        if !batched, let listed = try context.ints("scan_input_axes") { inputAxes = listed }
        guard inputAxes.count == scanCount else { throw context.invalid("attribute 'scan_input_axes' has \(inputAxes.count) values") }

        var bodyInputs: [ValueType?] = []
        var batch: Dim = .unknown
        for index in 0..<stateCount {
            var type = context.tensor(first + index)
            if batched, let dims = type?.dims, !dims.isEmpty {
                batch = batch.unified(with: dims[0]) ?? .unknown
                type?.dims = Array(dims.dropFirst())
            }
            bodyInputs.append(type.map { ValueType(.tensor($0)) })
        }
        var length: Dim = .unknown
        for (offset, axisValue) in inputAxes.enumerated() {
            let index = first + stateCount + offset
            guard var tensor = context.tensor(index) else {
                bodyInputs.append(nil)
                continue
            }
            if let dims = tensor.dims {
                let axis = try context.axis(axisValue, rank: dims.count)
                length = length.unified(with: dims[axis]) ?? .unknown
                var sliced = dims
                sliced.remove(at: axis)
                if batched, !sliced.isEmpty { batch = batch.unified(with: sliced.removeFirst()) ?? .unknown }
                tensor.dims = sliced
            }
            bodyInputs.append(ValueType(.tensor(tensor)))
        }
        let outputs = try body("body", inputs: bodyInputs, context: &context)
        guard outputs.count >= stateCount else { throw context.invalid("body has too few outputs") }
        let outputAxes = batched ? nil : try context.ints("scan_output_axes")
        var results: [ValueType?] = []
        for (position, output) in outputs.enumerated() {
            var type = output
            if position >= stateCount {
                let axisValue = outputAxes.flatMap { position - stateCount < $0.count ? $0[position - stateCount] : nil } ?? 0
                let rank = (output?.tensorType?.dims?.count ?? 0) + 1
                type = stacked(output, at: try context.axis(axisValue, rank: rank), length: length)
            }
            if batched { type = stacked(type, at: 0, length: batch) }
            results.append(type)
        }
        return results
    }

    /// `SequenceMap(sequence, extra…)`: the body runs per element; each output is a sequence.
    static func sequenceMap(_ context: inout InferenceContext) throws -> [ValueType?] {
        let inputs = (0..<context.inputCount).map { index -> ValueType? in
            SequenceOps.element(of: context.type(index)) ?? context.type(index)
        }
        return try body("body", inputs: inputs, context: &context).map { ValueType(.sequence($0)) }
    }

    /// `type` with a dim of `length` inserted at `axis`.
    private static func stacked(_ type: ValueType?, at axis: Int, length: Dim) -> ValueType? {
        guard let tensor = type?.tensorType else { return nil }
        guard var dims = tensor.dims, axis <= dims.count else { return .tensor(tensor.elementType, nil) }
        dims.insert(length, at: axis)
        return .tensor(tensor.elementType, dims)
    }

    /// Infers the subgraph in attribute `name`, its inputs typed by `inputs` (nil: as declared).
    private static func body(_ name: String, inputs: [ValueType?], context: inout InferenceContext) throws -> [ValueType?] {
        guard let attribute = context.attribute(name), case .graph(let graph) = attribute.value else {
            throw context.invalid("attribute '\(name)' is missing or not a graph")
        }
        var engine = context.scope
        engine.issues = []
        for stored in graph.initializers {
            engine.types[stored.name] = .tensor(stored.tensor.dataType, stored.tensor.shape.map(Dim.value))
            engine.constants[stored.name] = stored.tensor
            engine.symbolic[stored.name] = nil
        }
        for (index, input) in graph.inputs.enumerated() {
            // A body input shadows any outer value of the same name.
            engine.constants[input.name] = nil
            engine.symbolic[input.name] = nil
            engine.types[input.name] = refined(index < inputs.count ? inputs[index] : nil, declared: input.type)
        }
        try engine.run(graph: graph)
        if let issue = engine.issues.first {
            context.note("\(name): \(issue)" + (engine.issues.count > 1 ? " (and \(engine.issues.count - 1) more)" : ""))
        }
        return graph.outputs.map { refined(engine.types[$0.name], declared: $0.type) }
    }

    /// `type` completed with what the body declares: a dim unknown or symbolic in `type` takes the
    /// declared constant (a body's declared types are part of its signature), never the reverse.
    private static func refined(_ type: ValueType?, declared: ValueType?) -> ValueType? {
        guard let type else { return declared }
        guard var tensor = type.tensorType, let other = declared?.tensorType else { return type }
        tensor.elementType = tensor.elementType ?? other.elementType
        if let dims = tensor.dims, let declaredDims = other.dims, dims.count == declaredDims.count {
            tensor.dims = zip(dims, declaredDims).map { $0.isStatic || !$1.isStatic ? $0 : $1 }
        } else if tensor.dims == nil {
            tensor.dims = other.dims
        }
        return ValueType(.tensor(tensor), denotation: type.denotation)
    }
}

/// Sequence and optional operators: the element type travels through the container.
enum SequenceOps {
    static func sequenceEmpty(_ context: inout InferenceContext) throws -> [ValueType?] {
        [ValueType(.sequence(.tensor(try context.dataType("dtype") ?? .float32, nil)))]
    }

    /// `SequenceConstruct(inputs…)`: a sequence whose element type covers every input.
    static func sequenceConstruct(_ context: inout InferenceContext) throws -> [ValueType?] {
        let types = (0..<context.inputCount).map { context.type($0) }
        return [ValueType(.sequence(types.dropFirst().reduce(types.first ?? nil) { covering($0, $1) }))]
    }

    /// `SequenceInsert(sequence, tensor, position)`.
    static func sequenceInsert(_ context: inout InferenceContext) throws -> [ValueType?] {
        [ValueType(.sequence(covering(element(of: context.type(0)), context.type(1))))]
    }

    /// `SequenceAt(sequence, position)`: the element type.
    static func sequenceAt(_ context: inout InferenceContext) throws -> [ValueType?] {
        [element(of: context.type(0))]
    }

    static func sequenceLength(_ context: inout InferenceContext) throws -> [ValueType?] {
        [.tensor(.int64, [])]
    }

    /// `SplitToSequence(input, split)`: pieces along `axis`; without `split`, single slices whose
    /// axis stays as 1 (`keepdims`, default) or is removed.
    static func splitToSequence(_ context: inout InferenceContext) throws -> [ValueType?] {
        let elementType = context.element(0)
        guard let x = context.dims(0) else { return [ValueType(.sequence(.tensor(elementType, nil)))] }
        guard !x.isEmpty else { throw context.invalid("cannot split a scalar") }
        let axis = try context.axis(try context.int("axis", default: 0), rank: x.count)
        var dims = x
        if context.has(1) {
            let sizes = context.intValues(1)
            dims[axis] = sizes.flatMap { Set($0).count == 1 && context.rank(1) == 1 ? Dim.value($0[0]) : nil } ?? .unknown
        } else if try context.int("keepdims", default: 1) != 0 {
            dims[axis] = .value(1)
        } else {
            dims.remove(at: axis)
        }
        return [ValueType(.sequence(.tensor(elementType, dims)))]
    }

    /// `ConcatFromSequence(sequence)`: the elements joined along `axis` (a new axis with `new_axis`).
    static func concatFromSequence(_ context: inout InferenceContext) throws -> [ValueType?] {
        guard let item = element(of: context.type(0))?.tensorType else { return [nil] }
        guard let x = item.dims else { return [.tensor(item.elementType, nil)] }
        let newAxis = try context.int("new_axis", default: 0) != 0
        let rank = x.count + (newAxis ? 1 : 0)
        let axis = try context.axis(try context.int("axis", default: 0), rank: rank)
        var dims = x
        if newAxis { dims.insert(.unknown, at: axis) } else { dims[axis] = .unknown }
        return [.tensor(item.elementType, dims)]
    }

    /// `Optional(input)`: wraps the input's type, or the `type` attribute when there is no input.
    static func optional(_ context: inout InferenceContext) throws -> [ValueType?] {
        if context.has(0) { return [ValueType(.optional(context.type(0)))] }
        guard let attribute = context.attribute("type"), case .typeProto(let type) = attribute.value else {
            throw context.invalid("attribute 'type' is required without an input")
        }
        return [ValueType(.optional(type))]
    }

    static func optionalHasElement(_ context: inout InferenceContext) throws -> [ValueType?] {
        [.tensor(.bool, [])]
    }

    /// `OptionalGetElement`: the wrapped type; a plain tensor or sequence passes through (opset 18+).
    static func optionalGetElement(_ context: inout InferenceContext) throws -> [ValueType?] {
        guard let type = context.type(0) else { return [nil] }
        if case .optional(let wrapped) = type.kind { return [wrapped] }
        return [type]
    }

    /// The element type of a sequence type.
    static func element(of type: ValueType?) -> ValueType? {
        guard let type, case .sequence(let element) = type.kind else { return nil }
        return element
    }

    /// A tensor type that covers both `a` and `b`: the shared element type, and dims where they agree.
    static func covering(_ a: ValueType?, _ b: ValueType?) -> ValueType? {
        guard let a else { return b }
        guard let b else { return a }
        guard let ta = a.tensorType, let tb = b.tensorType else { return a == b ? a : nil }
        let element = ta.elementType == tb.elementType ? ta.elementType : nil
        guard let da = ta.dims, let db = tb.dims, da.count == db.count else { return .tensor(element, nil) }
        return .tensor(element, zip(da, db).map { $0 == $1 ? $0 : .unknown })
    }
}

/// The `ai.onnx.preview.training` optimizers.
enum TrainingOps {
    /// `Adagrad(R, T, X…, G…, H…)`, `Momentum(R, T, X…, G…, V…)`, `Adam(R, T, X…, G…, V…, H…)`:
    /// the updated tensors come in blocks of n — new X, then new state for each state block —
    /// each typed like its input block; the gradients G have no output.
    static func optimizer(_ context: inout InferenceContext) throws -> [ValueType?] {
        let blocks = context.node.opType == "Adam" ? 4 : 3
        let tensors = context.inputCount - 2
        guard tensors > 0, tensors % blocks == 0 else {
            throw context.invalid("\(context.inputCount) inputs do not form \(blocks) blocks after R and T")
        }
        let n = tensors / blocks
        return (0..<context.node.outputs.count).map { position in
            let block = position / n
            return context.type(2 + (block == 0 ? 0 : block + 1) * n + position % n)
        }
    }
}
