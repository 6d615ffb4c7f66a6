import Foundation
import ONNXModel

extension NCNNGraphBuilder {
    /// Reduction (`0=operation 1=reduce_all 2=coeff 3=axes 4=keepdims`): ncnn's sum, sum of
    /// absolute values, sum of squares, mean, max, min, product, L1, L2, log-sum and log-sum-exp,
    /// each an ONNX reduction, then multiplied by `coeff` (after the mean's division, the L2
    /// root and the logarithms, as ncnn does).
    mutating func reduction(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let operation = try int(layer, 0, 0)
        let operators = [
            "ReduceSum", "ReduceL1", "ReduceSumSquare", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
            "ReduceLogSum", "ReduceLogSumExp",
        ]
        guard operators.indices.contains(operation) else { throw fail(layer, "Reduction operation \(operation) is not one of ncnn's (0 to 10)") }
        let rank = shape(of: layer.inputs[0]).rank
        let axes = try reducedAxes(layer, rank: rank)
        let keepdims = try int(layer, 4, 0) != 0
        let coeff = try float(layer, 2, 1)
        let output = layer.outputs[0]
        // Reducing every axis leaves ncnn a 1-D blob of one value: kept, then flattened to [N, 1].
        let everything = !keepdims && axes.count == rank
        let reduced = everything || coeff != 1 ? fresh("\(output)_reduced") : output
        reduce(operators[operation], layer: layer, input: value(layer.inputs[0]), axes: axes.map { $0 + 1 }, keepdims: keepdims || everything,
               output: reduced)
        var result = reduced
        if everything {
            result = coeff != 1 ? fresh("\(output)_flat") : output
            emit("Flatten", name: layer.name, inputs: [reduced], outputs: [result], attributes: [Attribute(name: "axis", value: .int(1))])
        }
        if coeff != 1 {
            emit("Mul", name: layer.name, inputs: [result, floats("\(layer.name).coeff", shape: [], [coeff])], outputs: [output])
        }
    }
}
