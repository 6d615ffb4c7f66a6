import Foundation
import ONNXModel
import TensorCore

/// Element-wise math layers: UnaryOp and the one-purpose layers pnnx writes (ELU, GELU, Exp, Power, …).
/// Each keeps its input's shape, so ``NCNNGraphBuilder/outputShapes(of:)`` needs no rule for them.
extension NCNNGraphBuilder {
    /// UnaryOp (`0=op_type`), following ncnn's `UnaryOp::OperationType` numbering.
    mutating func unaryOp(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let op = try int(layer, 0, 0)
        let input = value(layer.inputs[0])
        let output = layer.outputs[0]
        // The op types with an ONNX operator of the same meaning; ncnn's round is nearbyintf under
        // FE_TONEAREST (halves to even, checked on the wheel: 0.5 → 0, 2.5 → 2), as ONNX's Round.
        let direct: [Int: String] = [
            0: "Abs", 1: "Neg", 2: "Floor", 3: "Ceil", 5: "Sqrt", 7: "Exp", 8: "Log", 9: "Sin", 10: "Cos", 11: "Tan",
            12: "Asin", 13: "Acos", 14: "Atan", 15: "Reciprocal", 16: "Tanh", 18: "Round", 20: "Sign", 22: "Sinh",
            23: "Asinh", 24: "Cosh", 25: "Acosh", 26: "Atanh",
        ]
        if let opType = direct[op] {
            emit(opType, name: layer.name, inputs: [input], outputs: [output])
            return
        }
        switch op {
        case 4:
            emit("Mul", name: layer.name, inputs: [input, input], outputs: [output])
        case 6:
            let root = fresh("\(output)_sqrt")
            emit("Sqrt", name: layer.name, inputs: [input], outputs: [root])
            emit("Reciprocal", name: layer.name, inputs: [root], outputs: [output])
        case 17:
            let natural = fresh("\(output)_ln")
            emit("Log", name: layer.name, inputs: [input], outputs: [natural])
            withScalar("Div", natural, Float(M_LN10), output: output, layer: layer)
        case 19:
            // trunc(x) = sign(x) · floor(|x|), exact for every float.
            let sign = fresh("\(output)_sign")
            let magnitude = fresh("\(output)_abs")
            let floor = fresh("\(output)_floor")
            emit("Sign", name: layer.name, inputs: [input], outputs: [sign])
            emit("Abs", name: layer.name, inputs: [input], outputs: [magnitude])
            emit("Floor", name: layer.name, inputs: [magnitude], outputs: [floor])
            emit("Mul", name: layer.name, inputs: [sign, floor], outputs: [output])
        case 21:
            let exp = fresh("\(output)_exp")
            emit("Exp", name: layer.name, inputs: [input], outputs: [exp])
            withScalar("Sub", exp, 1, output: output, layer: layer)
        case 27:
            let shifted = fresh("\(output)_plus1")
            withScalar("Add", input, 1, output: shifted, layer: layer)
            emit("Log", name: layer.name, inputs: [shifted], outputs: [output])
        default:
            // ncnn itself refuses to load any other type.
            throw fail(layer, "UnaryOp type \(op) is not one of ncnn's (0 to 27)")
        }
    }

    /// Exp, Log and Power (`0=base`/`0=power 1=scale 2=shift`): the function of `shift + scale·x`;
    /// a base of -1 (the default) means e.
    mutating func exponential(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let first = try float(layer, 0, layer.type == "Power" ? 1 : -1)
        let argument = affine(value(layer.inputs[0]), scale: try float(layer, 1, 1), shift: try float(layer, 2, 0), layer: layer)
        let output = layer.outputs[0]
        switch (layer.type, first) {
        case ("Exp", -1):
            emit("Exp", name: layer.name, inputs: [argument], outputs: [output])
        case ("Exp", _):
            emit("Pow", name: layer.name, inputs: [floats("\(layer.name).base", shape: [], [first]), argument], outputs: [output])
        case ("Log", -1):
            emit("Log", name: layer.name, inputs: [argument], outputs: [output])
        case ("Log", _):
            guard first > 0, first != 1 else { throw fail(layer, "logarithm base \(first) must be positive and not 1") }
            let natural = fresh("\(output)_ln")
            emit("Log", name: layer.name, inputs: [argument], outputs: [natural])
            // ncnn multiplies by 1 / logf(base), rounded to float first.
            withScalar("Mul", natural, 1 / Foundation.log(first), output: output, layer: layer)
        default:
            emit("Pow", name: layer.name, inputs: [argument, floats("\(layer.name).power", shape: [], [first])], outputs: [output])
        }
    }

    /// GELU (`0=fast_gelu`): x·Φ(x) through erf, or ncnn's tanh approximation. Composed, since
    /// ONNX's Gelu arrives only in opset 20.
    mutating func gelu(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let x = value(layer.inputs[0])
        let output = layer.outputs[0]
        let cdf2 = fresh("\(output)_2cdf")
        if try int(layer, 0, 0) == 0 {
            // 2Φ(x) = 1 + erf(x/√2).
            let scaled = fresh("\(output)_scaled")
            let erf = fresh("\(output)_erf")
            withScalar("Mul", x, 0.70710678, output: scaled, layer: layer)
            emit("Erf", name: layer.name, inputs: [scaled], outputs: [erf])
            withScalar("Add", erf, 1, output: cdf2, layer: layer)
        } else {
            // 2Φ(x) ≈ 1 + tanh(0.79788452·x·(1 + 0.044715·x²)), ncnn's constants.
            let square = fresh("\(output)_square")
            let cubic = fresh("\(output)_cubic")
            let inner = fresh("\(output)_inner")
            let tanh = fresh("\(output)_tanh")
            emit("Mul", name: layer.name, inputs: [x, x], outputs: [square])
            let polynomial = affine(square, scale: 0.044715, shift: 1, layer: layer)
            emit("Mul", name: layer.name, inputs: [x, polynomial], outputs: [cubic])
            withScalar("Mul", cubic, 0.79788452, output: inner, layer: layer)
            emit("Tanh", name: layer.name, inputs: [inner], outputs: [tanh])
            withScalar("Add", tanh, 1, output: cdf2, layer: layer)
        }
        let product = fresh("\(output)_product")
        emit("Mul", name: layer.name, inputs: [x, cdf2], outputs: [product])
        withScalar("Mul", product, 0.5, output: output, layer: layer)
    }

    /// HardSwish (`0=alpha 1=beta`, ncnn defaults 0.2 and 0.5): x · clamp(αx + β, 0, 1), which is
    /// ncnn's three-piece form while α is positive.
    mutating func hardSwish(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let alpha = try float(layer, 0, 0.2)
        guard alpha > 0 else { throw fail(layer, "HardSwish alpha \(alpha) must be positive") }
        try activation(type: 6, params: [alpha, try float(layer, 1, 0.5)], input: value(layer.inputs[0]), output: layer.outputs[0], layer: layer)
    }

    /// ELU, SELU, CELU and Shrink: ONNX operators with the same formula, parameters renamed.
    mutating func parametricActivation(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let attributes: [Attribute]
        let opType: String
        switch layer.type {
        case "ELU":
            opType = "Elu"
            attributes = [Attribute(name: "alpha", value: .float(try float(layer, 0, 0.1)))]
        case "SELU":
            opType = "Selu"
            attributes = [
                Attribute(name: "alpha", value: .float(try float(layer, 0, 1.67326324))),
                Attribute(name: "gamma", value: .float(try float(layer, 1, 1.050700987))),
            ]
        case "CELU":
            opType = "Celu"
            let alpha = try float(layer, 0, 1)
            guard alpha != 0 else { throw fail(layer, "CELU alpha must not be 0") }
            attributes = [Attribute(name: "alpha", value: .float(alpha))]
        default:
            opType = "Shrink"
            attributes = [
                Attribute(name: "bias", value: .float(try float(layer, 0, 0))),
                Attribute(name: "lambd", value: .float(try float(layer, 1, 0.5))),
            ]
        }
        emit(opType, name: layer.name, inputs: [value(layer.inputs[0])], outputs: [layer.outputs[0]], attributes: attributes)
    }

    /// Threshold (`0=threshold`): 1 where x is above it, else 0.
    mutating func threshold(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let above = fresh("\(layer.outputs[0])_above")
        emit("Greater", name: layer.name, inputs: [value(layer.inputs[0]), floats("\(layer.name).threshold", shape: [], [try float(layer, 0, 0)])],
             outputs: [above])
        emit("Cast", name: layer.name, inputs: [above], outputs: [layer.outputs[0]],
             attributes: [Attribute(name: "to", value: .int(Int64(DataType.float32.rawValue)))])
    }

    /// Bias (`0=bias_data_size`): one raw float32 per channel from the `.bin`, added to each
    /// channel. ncnn adds only the first value to a 1-D or 2-D blob (its one "channel"); refused.
    mutating func bias(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let size = try int(layer, 0, 0)
        let shape = shape(of: layer.inputs[0])
        guard size > 0 else { throw fail(layer, "bias_data_size must be positive") }
        guard shape.rank >= 3 else { throw fail(layer, "Bias on a \(shape.rank)-D blob is not supported") }
        if let channels = shape.outer, channels != size { throw fail(layer, "\(size) biases for \(channels) channels") }
        let bias = try weight("\(layer.name).bias", shape: [size] + Array(repeating: 1, count: shape.rank - 1),
                              blob: try weights.raw(count: size, layer: layer.name), layer: layer)
        emit("Add", name: layer.name, inputs: [value(layer.inputs[0]), bias], outputs: [layer.outputs[0]])
    }

    /// `input` op `constant`, with the constant as a float32 scalar.
    private mutating func withScalar(_ opType: String, _ input: String, _ constant: Float, output: String, layer: NCNNLayer) {
        emit(opType, name: layer.name, inputs: [input, floats("\(layer.name).c", shape: [], [constant])], outputs: [output])
    }

    /// `shift + scale·input`, skipping the identity steps; returns the value holding it.
    private mutating func affine(_ input: String, scale: Float, shift: Float, layer: NCNNLayer) -> String {
        var result = input
        if scale != 1 {
            let scaled = fresh("\(layer.name)_scaled")
            withScalar("Mul", result, scale, output: scaled, layer: layer)
            result = scaled
        }
        if shift != 0 {
            let shifted = fresh("\(layer.name)_shifted")
            withScalar("Add", result, shift, output: shifted, layer: layer)
            result = shifted
        }
        return result
    }
}
