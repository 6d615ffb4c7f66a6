import Foundation
import ONNXModel

/// Convolution-family layers. ncnn stores convolution weights as [out, in/group, kh, kw], the same
/// order as ONNX Conv; deconvolution weights are [out, in/group, kh, kw] per group, which ONNX
/// ConvTranspose wants as [in, out/group, kh, kw].
extension NCNNGraphBuilder {
    /// The geometry every ncnn convolution layer shares (parameter ids 0–19).
    struct ConvGeometry {
        var outputs: Int
        var kernel: (h: Int, w: Int)
        var dilation: (h: Int, w: Int)
        var stride: (h: Int, w: Int)
        /// top, left, bottom, right; nil with `autoPad` set.
        var pads: [Int]?
        var autoPad: String?
        var bias: Bool
        var weightCount: Int
    }

    func convGeometry(_ layer: NCNNLayer) throws(NCNNImportError) -> ConvGeometry {
        let kw = try int(layer, 1, 0)
        let dw = try int(layer, 2, 1)
        let sw = try int(layer, 3, 1)
        let left = try int(layer, 4, 0)
        let top = try int(layer, 14, left)
        let geometry = ConvGeometry(
            outputs: try int(layer, 0, 0),
            kernel: (try int(layer, 11, kw), kw),
            dilation: (try int(layer, 12, dw), dw),
            stride: (try int(layer, 13, sw), sw),
            pads: [top, left, try int(layer, 16, top), try int(layer, 15, left)],
            autoPad: nil,
            bias: try int(layer, 5, 0) != 0,
            weightCount: try int(layer, 6, 0))
        var result = geometry
        // ncnn marks "same" padding with -233 (extra pixel at the end) and -234 (at the start).
        switch left {
        case -233: result.autoPad = "SAME_UPPER"; result.pads = nil
        case -234: result.autoPad = "SAME_LOWER"; result.pads = nil
        default:
            guard geometry.pads?.allSatisfy({ $0 >= 0 }) ?? true else {
                throw fail(layer, "negative padding \(geometry.pads ?? []) is not supported")
            }
        }
        for value in [geometry.outputs, kw, geometry.kernel.h, dw, geometry.dilation.h, sw, geometry.stride.h] where value <= 0 {
            throw fail(layer, "num_output, kernel, dilation and stride must be positive")
        }
        if try int(layer, 8, 0) != 0 { throw fail(layer, "int8 convolutions are not supported") }
        if try int(layer, 19, 0) != 0 { throw fail(layer, "dynamic weights (a second input) are not supported") }
        if try float(layer, 18, 0) != 0 { throw fail(layer, "a non-zero pad value is not supported") }
        return result
    }

    func convAttributes(_ g: ConvGeometry, group: Int) -> [Attribute] {
        var attributes = [
            Attribute(name: "kernel_shape", value: .ints([Int64(g.kernel.h), Int64(g.kernel.w)])),
            Attribute(name: "dilations", value: .ints([Int64(g.dilation.h), Int64(g.dilation.w)])),
            Attribute(name: "strides", value: .ints([Int64(g.stride.h), Int64(g.stride.w)])),
            Attribute(name: "group", value: .int(Int64(group))),
        ]
        if let pads = g.pads { attributes.append(Attribute(name: "pads", value: .ints(pads.map(Int64.init)))) }
        if let autoPad = g.autoPad { attributes.append(Attribute(name: "auto_pad", value: .string(Data(autoPad.utf8)))) }
        return attributes
    }

    /// The group count (`7=group` for the depthwise forms) and the input channels per group,
    /// derived from the weight size and checked against it.
    private func grouping(_ layer: NCNNLayer, _ g: ConvGeometry, depthwise: Bool) throws(NCNNImportError)
        -> (group: Int, inPerGroup: Int)
    {
        let group = depthwise ? try int(layer, 7, 1) : 1
        guard group >= 1, g.outputs % group == 0 else { throw fail(layer, "group \(group) does not divide num_output \(g.outputs)") }
        let perInput = try product(layer, [g.outputs, g.kernel.h, g.kernel.w])
        guard g.weightCount > 0, g.weightCount % perInput == 0 else {
            throw fail(layer, "weight_data_size \(g.weightCount) is not a multiple of num_output × kernel (\(perInput))")
        }
        return (group, g.weightCount / perInput)
    }

    /// Convolution and ConvolutionDepthWise (`7=group`), with the fused activation (9, 10).
    mutating func convolution(_ layer: NCNNLayer, depthwise: Bool) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let g = try convGeometry(layer)
        let (group, inPerGroup) = try grouping(layer, g, depthwise: depthwise)
        let input = value(layer.inputs[0])
        noteChannels(try product(layer, [inPerGroup, group]), of: input)

        let weightBlob = try weights.tagged(count: g.weightCount, layer: layer.name)
        let weight = try self.weight(
            "\(layer.name).weight", shape: [g.outputs, inPerGroup, g.kernel.h, g.kernel.w], blob: weightBlob, layer: layer)
        var convInputs = [input, weight]
        if g.bias {
            let biasBlob = try weights.raw(count: g.outputs, layer: layer.name)
            convInputs.append(try self.weight("\(layer.name).bias", shape: [g.outputs], blob: biasBlob, layer: layer))
        }
        try withActivation(layer) { builder, output throws(NCNNImportError) in
            builder.emit("Conv", name: layer.name, inputs: convInputs, outputs: [output], attributes: builder.convAttributes(g, group: group))
        }
    }

    /// Deconvolution and DeconvolutionDepthWise: ONNX ConvTranspose.
    mutating func deconvolution(_ layer: NCNNLayer, depthwise: Bool) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let g = try convGeometry(layer)
        let (group, inPerGroup) = try grouping(layer, g, depthwise: depthwise)
        let explicitWidth = try int(layer, 20, 0)
        let explicitHeight = try int(layer, 21, 0)
        if explicitWidth > 0 || explicitHeight > 0 {
            throw fail(layer, "an explicit output size (20/21) is not supported")
        }
        let outPerGroup = g.outputs / group
        let input = value(layer.inputs[0])
        noteChannels(try product(layer, [inPerGroup, group]), of: input)

        var blob = try weights.tagged(count: g.weightCount, layer: layer.name)
        // Reorder [group][out/g][in/g][k] into [group][in/g][out/g][k].
        let k = g.kernel.h * g.kernel.w
        var reordered = [Float](repeating: 0, count: blob.values.count)
        for gi in 0..<group {
            for o in 0..<outPerGroup {
                for i in 0..<inPerGroup {
                    let source = ((gi * outPerGroup + o) * inPerGroup + i) * k
                    let target = ((gi * inPerGroup + i) * outPerGroup + o) * k
                    reordered[target..<(target + k)] = blob.values[source..<(source + k)]
                }
            }
        }
        blob.values = reordered
        let weight = try self.weight(
            "\(layer.name).weight", shape: [inPerGroup * group, outPerGroup, g.kernel.h, g.kernel.w], blob: blob, layer: layer)
        var convInputs = [input, weight]
        if g.bias {
            let biasBlob = try weights.raw(count: g.outputs, layer: layer.name)
            convInputs.append(try self.weight("\(layer.name).bias", shape: [g.outputs], blob: biasBlob, layer: layer))
        }
        var attributes = convAttributes(g, group: group)
        let extraRight = try int(layer, 18, 0)
        let extraBottom = try int(layer, 19, extraRight)
        if extraRight != 0 || extraBottom != 0 {
            attributes.append(Attribute(name: "output_padding", value: .ints([Int64(extraBottom), Int64(extraRight)])))
        }
        try withActivation(layer) { builder, output throws(NCNNImportError) in
            builder.emit("ConvTranspose", name: layer.name, inputs: convInputs, outputs: [output], attributes: attributes)
        }
    }

    /// InnerProduct on a flattened input: Flatten, then Gemm with transB (ncnn stores [out, in]).
    mutating func innerProduct(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let outputs = try int(layer, 0, 0)
        let count = try int(layer, 2, 0)
        guard outputs > 0, count > 0, count % outputs == 0 else {
            throw fail(layer, "weight_data_size \(count) is not a multiple of num_output \(outputs)")
        }
        if try int(layer, 8, 0) != 0 { throw fail(layer, "int8 inner products are not supported") }
        let weightBlob = try weights.tagged(count: count, layer: layer.name)
        let weight = try self.weight("\(layer.name).weight", shape: [outputs, count / outputs], blob: weightBlob, layer: layer)
        var gemmInputs = [fresh("\(layer.name)_flat"), weight]
        if try int(layer, 1, 0) != 0 {
            let biasBlob = try weights.raw(count: outputs, layer: layer.name)
            gemmInputs.append(try self.weight("\(layer.name).bias", shape: [outputs], blob: biasBlob, layer: layer))
        }
        emit("Flatten", name: layer.name, inputs: [value(layer.inputs[0])], outputs: [gemmInputs[0]],
             attributes: [Attribute(name: "axis", value: .int(1))])
        try withActivation(layer) { builder, output throws(NCNNImportError) in
            builder.emit("Gemm", name: layer.name, inputs: gemmInputs, outputs: [output],
                         attributes: [Attribute(name: "transB", value: .int(1))])
        }
    }
}
