import Foundation
import ONNXModel

/// Activations: stand-alone layers and the ones ncnn fuses into convolutions (`9=type 10=params`).
extension NCNNGraphBuilder {
    /// Runs `body` to produce the layer's main result, then appends the fused activation, if any,
    /// so that the layer's output blob always names the final value.
    mutating func withActivation(
        _ layer: NCNNLayer, _ body: (inout NCNNGraphBuilder, String) throws(NCNNImportError) -> Void
    ) throws(NCNNImportError) {
        let type = try int(layer, 9, 0)
        let params = try floatArray(layer, 10)
        let output = layer.outputs[0]
        if type == 0 {
            try body(&self, output)
            return
        }
        let raw = fresh("\(output)_preact")
        try body(&self, raw)
        try activation(type: type, params: params, input: raw, output: output, layer: layer)
    }

    /// One of ncnn's fused activation kinds: 1 ReLU, 2 leaky ReLU, 3 clip, 4 sigmoid, 5 mish, 6 hard-swish.
    mutating func activation(type: Int, params: [Float], input: String, output: String, layer: NCNNLayer) throws(NCNNImportError) {
        func param(_ index: Int) throws(NCNNImportError) -> Float {
            guard index < params.count else { throw fail(layer, "activation \(type) needs \(index + 1) parameters in 10=") }
            return params[index]
        }
        switch type {
        case 1:
            emit("Relu", name: layer.name, inputs: [input], outputs: [output])
        case 2:
            emit("LeakyRelu", name: layer.name, inputs: [input], outputs: [output],
                 attributes: [Attribute(name: "alpha", value: .float(try param(0)))])
        case 3:
            clip(input: input, output: output, low: try param(0), high: try param(1), layer: layer)
        case 4:
            emit("Sigmoid", name: layer.name, inputs: [input], outputs: [output])
        case 5:
            mish(input: input, output: output, layer: layer)
        case 6:
            // ncnn's hard-swish is x · clamp(αx + β, 0, 1), which is HardSigmoid times x.
            let gate = fresh("\(output)_gate")
            emit("HardSigmoid", name: layer.name, inputs: [input], outputs: [gate], attributes: [
                Attribute(name: "alpha", value: .float(try param(0))), Attribute(name: "beta", value: .float(try param(1))),
            ])
            emit("Mul", name: layer.name, inputs: [input, gate], outputs: [output])
        default:
            throw fail(layer, "fused activation type \(type) is not supported")
        }
    }

    mutating func clip(input: String, output: String, low: Float, high: Float, layer: NCNNLayer) {
        let lowName = floats("\(layer.name).min", shape: [], [low])
        let highName = floats("\(layer.name).max", shape: [], [high])
        emit("Clip", name: layer.name, inputs: [input, lowName, highName], outputs: [output])
    }

    /// Mish is an ONNX operator from opset 18; before that it is x · tanh(softplus(x)).
    mutating func mish(input: String, output: String, layer: NCNNLayer) {
        if opset >= 18 {
            emit("Mish", name: layer.name, inputs: [input], outputs: [output])
            return
        }
        let soft = fresh("\(output)_softplus")
        let tanh = fresh("\(output)_tanh")
        emit("Softplus", name: layer.name, inputs: [input], outputs: [soft])
        emit("Tanh", name: layer.name, inputs: [soft], outputs: [tanh])
        emit("Mul", name: layer.name, inputs: [input, tanh], outputs: [output])
    }

    /// ReLU (`0=slope`: non-zero makes it leaky).
    mutating func relu(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let slope = try float(layer, 0, 0)
        let input = value(layer.inputs[0])
        if slope == 0 {
            emit("Relu", name: layer.name, inputs: [input], outputs: [layer.outputs[0]])
        } else {
            emit("LeakyRelu", name: layer.name, inputs: [input], outputs: [layer.outputs[0]],
                 attributes: [Attribute(name: "alpha", value: .float(slope))])
        }
    }

    /// PReLU (`0=num_slope`); the slopes are raw float32 in the `.bin`, one per channel or one in all.
    mutating func prelu(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let count = try int(layer, 0, 0)
        guard count > 0 else { throw fail(layer, "num_slope must be positive") }
        let blob = try weights.raw(count: count, layer: layer.name)
        // [C, 1, 1] broadcasts over [N, C, H, W] per channel, as ncnn applies it.
        let slope = try weight("\(layer.name).slope", shape: count == 1 ? [1] : [count, 1, 1], blob: blob, layer: layer)
        emit("PRelu", name: layer.name, inputs: [value(layer.inputs[0]), slope], outputs: [layer.outputs[0]])
    }

    /// Parameterless element-wise layers that map to one ONNX operator.
    mutating func unary(_ layer: NCNNLayer, _ opType: String) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        emit(opType, name: layer.name, inputs: [value(layer.inputs[0])], outputs: [layer.outputs[0]])
    }

    /// Clip (`0=min 1=max`).
    mutating func clipLayer(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        clip(input: value(layer.inputs[0]), output: layer.outputs[0],
             low: try float(layer, 0, -Float.greatestFiniteMagnitude),
             high: try float(layer, 1, Float.greatestFiniteMagnitude), layer: layer)
    }

    /// HardSigmoid (`0=alpha 1=beta`, ncnn defaults 0.2 and 0.5).
    mutating func hardSigmoid(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        emit("HardSigmoid", name: layer.name, inputs: [value(layer.inputs[0])], outputs: [layer.outputs[0]], attributes: [
            Attribute(name: "alpha", value: .float(try float(layer, 0, 0.2))),
            Attribute(name: "beta", value: .float(try float(layer, 1, 0.5))),
        ])
    }

    /// Mish and Swish as stand-alone layers.
    mutating func mishLayer(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        mish(input: value(layer.inputs[0]), output: layer.outputs[0], layer: layer)
    }

    mutating func swish(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let input = value(layer.inputs[0])
        let gate = fresh("\(layer.outputs[0])_sigmoid")
        emit("Sigmoid", name: layer.name, inputs: [input], outputs: [gate])
        emit("Mul", name: layer.name, inputs: [input, gate], outputs: [layer.outputs[0]])
    }
}
