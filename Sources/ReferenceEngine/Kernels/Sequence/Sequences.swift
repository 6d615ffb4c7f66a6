import Foundation
import ONNXModel
import TensorCore

extension OperatorRegistry {
    /// The sequence operators: building, reading and editing sequences of tensors, splitting a
    /// tensor into one and concatenating one back, and SequenceMap's subgraph over the elements.
    mutating func registerSequences() {
        registerValues("SequenceEmpty", since: 11, foldable: false) { node throws(ReferenceEngineError) in
            let code = try node.int("dtype", default: Int(DataType.float32.rawValue))
            guard let type = Int32(exactly: code).flatMap(DataType.init(rawValue:)) else {
                throw node.invalid("attribute 'dtype' is \(code), not a known element type")
            }
            return { _, _ in [.sequence(try SequenceValue(elementType: type, elements: []))] }
        }
        registerValues("SequenceConstruct", since: 11, foldable: false) { _ in
            { inputs, _ in
                let elements = try (0..<inputs.count).map { i throws(KernelError) in try inputs.tensor(i) }
                return [.sequence(try SequenceValue(elementType: elements[0].dataType, elements: elements))]
            }
        }
        registerValues("SequenceInsert", since: 11, foldable: false) { _ in
            { inputs, _ in
                var sequence = try inputs.sequence(0)
                let tensor = try inputs.tensor(1)
                let index = try sequence.index(try inputs.optional(2)?.tensor(), default: sequence.elements.count, end: true)
                guard tensor.dataType == sequence.elementType else {
                    throw KernelError.invalid("a \(tensor.dataType) tensor cannot join a sequence of \(sequence.elementType)")
                }
                sequence.elements.insert(tensor, at: index)
                return [.sequence(sequence)]
            }
        }
        registerValues("SequenceAt", since: 11, foldable: false) { _ in
            { inputs, _ in
                let sequence = try inputs.sequence(0)
                return [.tensor(sequence.elements[try sequence.index(try inputs.tensor(1), default: 0, end: false)])]
            }
        }
        registerValues("SequenceErase", since: 11, foldable: false) { _ in
            { inputs, _ in
                var sequence = try inputs.sequence(0)
                guard !sequence.elements.isEmpty else { throw KernelError.invalid("cannot erase from an empty sequence") }
                let index = try sequence.index(try inputs.optional(1)?.tensor(), default: sequence.elements.count - 1, end: false)
                sequence.elements.remove(at: index)
                return [.sequence(sequence)]
            }
        }
        registerValues("SequenceLength", since: 11, foldable: false) { _ in
            { inputs, _ in [.tensor(NDArray(ints: [Int64(try inputs.sequence(0).elements.count)], shape: []))] }
        }
        registerValues("SplitToSequence", since: 11, foldable: false) { node throws(ReferenceEngineError) in
            let axis = try node.int("axis", default: 0)
            let keepDims = try node.int("keepdims", default: 1) != 0
            return { inputs, _ in
                let x = try inputs.tensor(0)
                let a = try ShapeMath.axis(axis, rank: x.rank)
                let dim = x.shape[a]
                let split = try inputs.optional(1)?.tensor()
                let sizes: [Int]
                if let split, split.rank == 1 {
                    sizes = try split.intValues().map { Int($0) }
                } else if let split {
                    let chunk = try split.scalarInt()
                    guard chunk > 0 else { throw KernelError.invalid("split \(chunk) must be positive") }
                    sizes = stride(from: 0, to: dim, by: chunk).map { min(chunk, dim - $0) }
                } else {
                    sizes = Array(repeating: 1, count: dim)
                }
                guard sizes.allSatisfy({ $0 >= 0 }), sizes.reduce(0, +) == dim else {
                    throw KernelError.invalid("split sizes \(sizes) do not add up to \(dim)")
                }
                var start = 0
                var parts: [NDArray] = []
                for size in sizes {
                    var part = LayoutKernels.slice(x, axis: a, start: start, count: size)
                    start += size
                    // Only the default split (no `split` input) drops the axis when keepdims is 0.
                    if split == nil, !keepDims {
                        var shape = part.shape
                        shape.remove(at: a)
                        part = part.reshaped(shape)
                    }
                    parts.append(part)
                }
                return [.sequence(try SequenceValue(elementType: x.dataType, elements: parts))]
            }
        }
        registerValues("ConcatFromSequence", since: 11, foldable: false) { node throws(ReferenceEngineError) in
            guard let axis = try node.int("axis") else { throw node.invalid("attribute 'axis' is required") }
            let newAxis = try node.int("new_axis", default: 0) != 0
            return { inputs, context in
                let parts = try inputs.sequence(0).elements
                guard let first = parts.first else { throw KernelError.invalid("cannot concatenate an empty sequence") }
                if newAxis {
                    return [.tensor(try ControlFlowValues.stack(parts, axis: try ShapeMath.axis(axis, rank: first.rank + 1), pool: context.pool))]
                }
                return [.tensor(try NDArray.concatenate(parts, axis: try ShapeMath.axis(axis, rank: first.rank), pool: context.pool))]
            }
        }
        registerValues("SequenceMap", since: 17, foldable: false) { node throws(ReferenceEngineError) in
            let body = try node.subgraph("body")
            let names = node.implicitInputs
            let first = node.node.inputs.count
            try node.require(body.formalInputs.count == first && body.outputSlots.count == node.node.outputs.count,
                             "the body takes \(body.formalInputs.count) inputs and returns \(body.outputSlots.count); the node has \(first) and \(node.node.outputs.count)")
            // An empty input sequence gives empty outputs, typed from the body's declared outputs.
            let outputTypes: [DataType] = {
                guard case .graph(let graph) = node.node.attribute("body")?.value else { return [] }
                return graph.outputs.map { $0.type?.tensorType?.elementType ?? .float32 }
            }()
            return { inputs, context in
                let outer = try ControlFlowValues.outer(inputs, names: names, from: first)
                let given = try (0..<first).map { i throws(KernelError) in try inputs.at(i) }
                let lengths = given.compactMap { value -> Int? in if case .sequence(let s) = value { s.elements.count } else { nil } }
                guard let length = lengths.first, lengths.allSatisfy({ $0 == length }) else {
                    throw KernelError.invalid("the input sequences differ in length: \(lengths)")
                }
                var collected = [[NDArray]](repeating: [], count: outputTypes.count)
                for index in 0..<length {
                    let formal = given.map { value -> EngineValue in
                        if case .sequence(let s) = value { .tensor(s.elements[index]) } else { value }
                    }
                    let results = try body.run(formal: formal, outer: outer, threads: context.threads)
                    for (k, value) in results.enumerated() { collected[k].append(try value.tensor()) }
                }
                return try zip(collected, outputTypes).map { parts, type throws(KernelError) in
                    .sequence(try SequenceValue(elementType: parts.first?.dataType ?? type, elements: parts))
                }
            }
        }
    }

    /// The optional operators: wrapping a value (or nothing), asking whether one is there, and
    /// taking it out.
    mutating func registerOptionals() {
        registerValues("Optional", since: 15, foldable: false) { _ in
            { inputs, _ in [inputs.optional(0) ?? .absent] }
        }
        registerValues("OptionalHasElement", since: 15, foldable: false) { _ in
            { inputs, _ in
                let present = if case .absent = inputs.optional(0) ?? .absent { false } else { true }
                return [.tensor(NDArray(bools: [present], shape: []))]
            }
        }
        registerValues("OptionalGetElement", since: 15, foldable: false) { _ in
            { inputs, _ in
                let value = try inputs.at(0)
                if case .absent = value { throw KernelError.invalid("the optional input is empty") }
                return [value]
            }
        }
    }
}
