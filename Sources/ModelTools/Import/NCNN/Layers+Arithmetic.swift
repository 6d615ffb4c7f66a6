import Foundation
import ONNXModel

/// BinaryOp and Eltwise.
extension NCNNGraphBuilder {
    /// BinaryOp (`0=op_type 1=with_scalar 2=b`). Operand shapes are passed to ONNX broadcasting
    /// unchanged, which agrees with ncnn for same-shape blobs and scalars (Real-ESRGAN's uses).
    mutating func binaryOp(_ layer: NCNNLayer) throws(NCNNImportError) {
        let op = try int(layer, 0, 0)
        let withScalar = try int(layer, 1, 0) != 0
        try expect(layer, inputs: withScalar ? 1...1 : 2...2)
        var a = value(layer.inputs[0])
        var b = withScalar ? floats("\(layer.name).b", shape: [], [try float(layer, 2, 0)]) : value(layer.inputs[1])
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
