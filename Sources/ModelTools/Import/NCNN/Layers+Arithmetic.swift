import Foundation
import ONNXModel

/// BinaryOp and Eltwise.
extension NCNNGraphBuilder {
    /// BinaryOp (`0=op_type 1=with_scalar 2=b`), with a scalar or a second blob as operand.
    /// Operands of equal rank broadcast where a size is 1, as in ONNX; a lower-rank operand is
    /// first reshaped the way ncnn aligns it (see ``aligned(_:with:layer:)``).
    mutating func binaryOp(_ layer: NCNNLayer) throws(NCNNImportError) {
        let op = try int(layer, 0, 0)
        let withScalar = try int(layer, 1, 0) != 0
        try expect(layer, inputs: withScalar ? 1...1 : 2...2)
        var a = value(layer.inputs[0])
        var b: String
        if withScalar {
            b = floats("\(layer.name).b", shape: [], [try float(layer, 2, 0)])
        } else {
            let shapeA = shape(of: layer.inputs[0])
            let shapeB = shape(of: layer.inputs[1])
            b = value(layer.inputs[1])
            if shapeA.rank < shapeB.rank {
                a = aligned((a, shapeA), with: (b, shapeB), layer: layer)
            } else if shapeB.rank < shapeA.rank {
                b = aligned((b, shapeB), with: (a, shapeA), layer: layer)
            }
        }
        let names = ["Add", "Sub", "Mul", "Div", "Max", "Min", "Pow"]
        let opType: String
        switch op {
        case 0...6: opType = names[op]
        case 7...9:
            // The reversed forms (rsub, rdiv, rpow) swap the operands.
            opType = ["Sub", "Div", "Pow"][op - 7]
            swap(&a, &b)
        default:
            throw fail(layer, "BinaryOp type \(op) is not supported (atan2 and ratan2 have no ONNX operator)")
        }
        emit(opType, name: layer.name, inputs: [a, b], outputs: [layer.outputs[0]])
    }

    /// Reshapes the lower-rank operand `low` the way ncnn's BinaryOp aligns it with `high`: on
    /// `high`'s outer axes (a vector as long as the channels scales each channel, a 2-D blob
    /// covers the outer two axes), except a vector whose length is not `high`'s outermost size,
    /// which lines up with the innermost axis as in numpy. Where the `.param` does not fix both
    /// lengths, the graph compares them at run time.
    private mutating func aligned(
        _ low: (value: String, shape: NCNNBlobShape), with high: (value: String, shape: NCNNBlobShape), layer: NCNNLayer
    ) -> String {
        let units = high.shape.rank - low.shape.rank
        let output = fresh("\(low.value)_aligned")
        let outerAxes = (0..<units).map { Int64(low.shape.rank + 1 + $0) }
        let innerAxes = (0..<units).map { Int64(1 + $0) }
        if low.shape.rank > 1 || (low.shape.outer != nil && low.shape.outer == high.shape.outer) {
            emit("Unsqueeze", name: layer.name, inputs: [low.value, int64s("\(layer.name).axes", outerAxes)], outputs: [output])
        } else if let length = low.shape.outer, let channels = high.shape.outer, length != channels {
            emit("Unsqueeze", name: layer.name, inputs: [low.value, int64s("\(layer.name).axes", innerAxes)], outputs: [output])
        } else {
            // [N, L] becomes [N, L, 1, …] when L equals high's outermost size, else [N, 1, …, L].
            let ones = [Int64](repeating: 1, count: units)
            let lowShape = fresh("\(low.value)_shape")
            let highShape = fresh("\(high.value)_shape")
            let length = fresh("\(low.value)_length")
            let outer = fresh("\(high.value)_outer")
            let matches = fresh("\(layer.name)_per_channel")
            let target = fresh("\(layer.name)_target")
            let second = int64s("\(layer.name).index", [1])
            emit("Shape", name: layer.name, inputs: [low.value], outputs: [lowShape])
            emit("Shape", name: layer.name, inputs: [high.value], outputs: [highShape])
            emit("Gather", name: layer.name, inputs: [lowShape, second], outputs: [length])
            emit("Gather", name: layer.name, inputs: [highShape, second], outputs: [outer])
            emit("Equal", name: layer.name, inputs: [length, outer], outputs: [matches])
            emit("Where", name: layer.name, inputs: [
                matches, int64s("\(layer.name).outer", [0, -1] + ones), int64s("\(layer.name).inner", [0] + ones + [-1]),
            ], outputs: [target])
            emit("Reshape", name: layer.name, inputs: [low.value, target], outputs: [output])
        }
        return output
    }

    /// Eltwise (`0=op_type`: 0 product, 1 sum, 2 max; `1=coeffs` weights the sum's terms).
    mutating func eltwise(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...Int.max)
        let op = try int(layer, 0, 1)
        let coefficients = try floatArray(layer, 1)
        var operands = layer.inputs.map { value($0) }
        let output = layer.outputs[0]
        switch op {
        case 0:
            chain("Mul", operands, output: output, layer: layer)
        case 1:
            if !coefficients.isEmpty {
                guard coefficients.count == operands.count else {
                    throw fail(layer, "\(coefficients.count) coefficients for \(operands.count) inputs")
                }
                for index in operands.indices where coefficients[index] != 1 {
                    let scale = floats("\(layer.name).coeff\(index)", shape: [], [coefficients[index]])
                    let scaled = fresh("\(output)_term\(index)")
                    emit("Mul", name: layer.name, inputs: [operands[index], scale], outputs: [scaled])
                    operands[index] = scaled
                }
            }
            chain("Add", operands, output: output, layer: layer)
        case 2:
            emit("Max", name: layer.name, inputs: operands, outputs: [output])
        default:
            throw fail(layer, "Eltwise type \(op) is not supported")
        }
    }

    /// Folds `operands` pairwise with a binary operator (ONNX Add and Mul take two inputs).
    private mutating func chain(_ opType: String, _ operands: [String], output: String, layer: NCNNLayer) {
        guard var accumulated = operands.first else { return }
        if operands.count == 1 {
            emit("Identity", name: layer.name, inputs: [accumulated], outputs: [output])
            return
        }
        for (index, operand) in operands.enumerated().dropFirst() {
            let target = index == operands.count - 1 ? output : fresh("\(output)_partial\(index)")
            emit(opType, name: layer.name, inputs: [accumulated, operand], outputs: [target])
            accumulated = target
        }
    }
}
