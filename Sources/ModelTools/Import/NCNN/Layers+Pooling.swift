import Foundation
import ONNXModel

extension NCNNGraphBuilder {
    /// Pooling (`0=type 1=kernel 2=stride 3=pad 4=global 5=pad_mode 6=count_include_pad 7=adaptive`).
    ///
    /// ncnn's pad mode 0 ("full") pads the end so every input pixel is covered: ONNX `ceil_mode`.
    /// Mode 1 is plain floor; 2 and 3 are SAME_UPPER and SAME_LOWER.
    mutating func pooling(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let type = try int(layer, 0, 0)
        guard type == 0 || type == 1 else { throw fail(layer, "pooling type \(type) is not supported") }
        if try int(layer, 7, 0) != 0 { throw fail(layer, "adaptive pooling is not supported") }
        let input = value(layer.inputs[0])
        let output = layer.outputs[0]
        if try int(layer, 4, 0) != 0 {
            // ncnn's global pooling yields a vector of channels: [N, C, 1, 1] is flattened to [N, C].
            let pooled = fresh("\(output)_pooled")
            emit(type == 0 ? "GlobalMaxPool" : "GlobalAveragePool", name: layer.name, inputs: [input], outputs: [pooled])
            emit("Flatten", name: layer.name, inputs: [pooled], outputs: [output], attributes: [Attribute(name: "axis", value: .int(1))])
            return
        }
        let kw = try int(layer, 1, 0)
        let kh = try int(layer, 11, kw)
        let sw = try int(layer, 2, 1)
        let sh = try int(layer, 12, sw)
        let left = try int(layer, 3, 0)
        let right = try int(layer, 14, left)
        let top = try int(layer, 13, left)
        let bottom = try int(layer, 15, top)
        guard [kw, kh, sw, sh].allSatisfy({ $0 > 0 }), [left, right, top, bottom].allSatisfy({ $0 >= 0 }) else {
            throw fail(layer, "kernel and stride must be positive and padding non-negative")
        }
        var attributes = [
            Attribute(name: "kernel_shape", value: .ints([Int64(kh), Int64(kw)])),
            Attribute(name: "strides", value: .ints([Int64(sh), Int64(sw)])),
        ]
        switch try int(layer, 5, 0) {
        case 0:
            attributes.append(Attribute(name: "ceil_mode", value: .int(1)))
            attributes.append(Attribute(name: "pads", value: .ints([top, left, bottom, right].map(Int64.init))))
        case 1:
            attributes.append(Attribute(name: "pads", value: .ints([top, left, bottom, right].map(Int64.init))))
        case 2:
            attributes.append(Attribute(name: "auto_pad", value: .string(Data("SAME_UPPER".utf8))))
        case 3:
            attributes.append(Attribute(name: "auto_pad", value: .string(Data("SAME_LOWER".utf8))))
        case let mode:
            throw fail(layer, "pad mode \(mode) is not supported")
        }
        if type == 1 {
            attributes.append(Attribute(name: "count_include_pad", value: .int(Int64(try int(layer, 6, 0) != 0 ? 1 : 0))))
        }
        emit(type == 0 ? "MaxPool" : "AveragePool", name: layer.name, inputs: [input], outputs: [output], attributes: attributes)
    }
}
