import TensorCore

/// Reductions over axes: Reduce*, ArgMax/ArgMin, TopK, and the loss functions.
enum ReductionOps {
    /// `ReduceSum` takes `axes` as an input from opset 13, the other reductions from opset 18;
    /// before that it is an attribute. `keepdims` (default 1) keeps reduced axes as 1s;
    /// `noop_with_empty_axes` makes "no axes" mean identity instead of "all axes".
    static func reduce(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        let keepDims = try context.int("keepdims", default: 1) != 0
        let inputSince = context.node.opType == "ReduceSum" ? 13 : 18
        let operand = try context.axesOperand(inputSince: inputSince, input: 1)
        guard let x = context.dims(0) else { return [.tensor(element, nil)] }
        var listed: [Int]
        switch operand {
        case .unknown:
            if keepDims { return [.tensor(element, Array(repeating: .unknown, count: x.count))] }
            context.note("the axes are not known before run time")
            return [.tensor(element, nil)]
        case .absent: listed = []
        case .known(let values): listed = values
        }
        if listed.isEmpty {
            let noop = try context.opset >= inputSince && context.int("noop_with_empty_axes", default: 0) != 0
            if noop { return [context.type(0)] }
            listed = Array(0..<x.count)
        }
        let axes = Set(try context.axes(listed, rank: x.count))
        return [.tensor(element, reducedDims(x, axes: axes, keepDims: keepDims))]
    }

    private static func reducedDims(_ x: [Dim], axes: Set<Int>, keepDims: Bool) -> [Dim] {
        x.enumerated().compactMap { position, dim in
            axes.contains(position) ? (keepDims ? .value(1) : nil) : dim
        }
    }

    /// `ArgMax`, `ArgMin`: int64 indices, one axis reduced.
    static func argReduce(_ context: inout InferenceContext) throws -> [ValueType?] {
        guard let x = context.dims(0) else { return [.tensor(.int64, nil)] }
        let keepDims = try context.int("keepdims", default: 1) != 0
        // A scalar input reduces over nothing.
        guard !x.isEmpty else { return [.tensor(.int64, [])] }
        let axis = try context.axis(try context.int("axis", default: 0), rank: x.count)
        return [.tensor(.int64, reducedDims(x, axes: [axis], keepDims: keepDims))]
    }

    /// `TopK(X, K)` (K an attribute before opset 10): values and int64 indices, `axis` cut to K.
    static func topK(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        guard let x = context.dims(0) else { return [.tensor(element, nil), .tensor(.int64, nil)] }
        guard !x.isEmpty else { throw context.invalid("input is a scalar") }
        let axis = try context.axis(try context.int("axis", default: -1), rank: x.count)
        var k: Dim = .unknown
        if context.opset < 10 {
            guard let value = try context.int("k") else { throw context.invalid("attribute 'k' is missing") }
            k = .value(value)
        } else if let values = context.dimValues(1) {
            guard values.count == 1 else { throw context.invalid("K has \(values.count) values, expected 1") }
            k = values[0]
        }
        if let value = k.value {
            guard value >= 0 else { throw context.invalid("K is \(value), expected at least 0") }
            if let size = x[axis].value, value > size {
                throw context.invalid("K is \(value), more than the \(size) elements along axis \(axis)")
            }
        }
        var dims = x
        dims[axis] = k
        return [.tensor(element, dims), .tensor(.int64, dims)]
    }

    /// `NegativeLogLikelihoodLoss(input [N, C, d…], target [N, d…], weight)`: per element for
    /// reduction "none", a scalar otherwise.
    static func negativeLogLikelihood(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        let reduction = try context.string("reduction") ?? "mean"
        guard reduction == "none" else { return [.tensor(element, [])] }
        if let target = context.dims(1) { return [.tensor(element, target)] }
        guard let input = context.dims(0), input.count >= 2 else { return [.tensor(element, nil)] }
        return [.tensor(element, [input[0]] + input.dropFirst(2))]
    }

    /// `SoftmaxCrossEntropyLoss(scores [N, C, d…], labels [N, d…], weights)`: the loss like
    /// NegativeLogLikelihoodLoss, and optionally the log-probabilities, shaped like the scores.
    static func softmaxCrossEntropy(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        let reduction = try context.string("reduction") ?? "mean"
        var loss: ValueType = .tensor(element, [])
        if reduction == "none" {
            if let labels = context.dims(1) {
                loss = .tensor(element, labels)
            } else if let scores = context.dims(0), scores.count >= 2 {
                loss = .tensor(element, [scores[0]] + scores.dropFirst(2))
            } else {
                loss = .tensor(element, nil)
            }
        }
        return [loss, context.type(0)]
    }
}
