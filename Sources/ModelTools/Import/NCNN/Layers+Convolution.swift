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

    /// The shared geometry; `transposed` layers (Deconvolution) use ids 18–21 for the output's
    /// size and 28 for dynamic weights, where the convolutions have their pad value (18) and
    /// dynamic weights (19). With `dynamicWeights` the weight blob, not the parameters, decides
    /// the output count and the kernel.
    func convGeometry(
        _ layer: NCNNLayer, transposed: Bool = false, dynamicWeights: Bool = false
    ) throws(NCNNImportError) -> ConvGeometry {
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
        let fromParameters = dynamicWeights ? [] : [geometry.outputs, kw, geometry.kernel.h]
        for value in fromParameters + [dw, geometry.dilation.h, sw, geometry.stride.h] where value <= 0 {
            throw fail(layer, "num_output, kernel, dilation and stride must be positive")
        }
        if transposed {
            if try int(layer, 28, 0) != 0 { throw fail(layer, "dynamic weights (a second input) are not supported") }
        } else {
            if try int(layer, 8, 0) != 0 { throw fail(layer, "int8 convolutions are not supported") }
            if try float(layer, 18, 0) != 0 && result.pads == nil {
                throw fail(layer, "a non-zero pad value with SAME padding (-233/-234) is not supported")
            }
        }
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
        if try int(layer, 19, 0) != 0 { return try dynamicConvolution(layer, depthwise: depthwise) }
        try expect(layer, inputs: 1...1)
        let g = try convGeometry(layer)
        let (group, inPerGroup) = try grouping(layer, g, depthwise: depthwise)
        let input = value(layer.inputs[0])
        noteChannels(try product(layer, [inPerGroup, group]), of: input)

        let weightBlob = try weights.tagged(count: g.weightCount, layer: layer.name)
        let weight = try self.weight(
            "\(layer.name).weight", shape: [g.outputs, inPerGroup, g.kernel.h, g.kernel.w], blob: weightBlob, layer: layer)
        let (padded, geometry) = try bordered(layer, input, g)
        var convInputs = [padded, weight]
        if g.bias {
            let biasBlob = try weights.raw(count: g.outputs, layer: layer.name)
            convInputs.append(try self.weight("\(layer.name).bias", shape: [g.outputs], blob: biasBlob, layer: layer))
        }
        try withActivation(layer) { builder, output throws(NCNNImportError) in
            builder.emit("Conv", name: layer.name, inputs: convInputs, outputs: [output],
                         attributes: builder.convAttributes(geometry, group: group))
        }
    }

    /// Convolution with `19=1`: the weights are the second input blob, `[c=out, d=in/group, h, w]`
    /// (or `[c, h, w]`, one input channel per group), the bias the third (`5=1`); the kernel size
    /// comes from the blob, so the Conv names none.
    private mutating func dynamicConvolution(_ layer: NCNNLayer, depthwise: Bool) throws(NCNNImportError) {
        let g = try convGeometry(layer, dynamicWeights: true)
        try expect(layer, inputs: g.bias ? 3...3 : 2...2)
        let group = depthwise ? try int(layer, 7, 1) : 1
        guard group >= 1 else { throw fail(layer, "group \(group) must be positive") }
        let weightRank = shape(of: layer.inputs[1]).rank
        guard weightRank == 3 || weightRank == 4 else {
            throw fail(layer, "dynamic weights must be a 3-D or 4-D blob, not \(weightRank)-D")
        }
        // Drop the batch axis; a 3-D blob gains the input-channel axis ONNX's weights need.
        var weight = fresh("\(layer.name)_weight")
        emit("Squeeze", name: layer.name, inputs: [value(layer.inputs[1]), int64s("\(layer.name).batch_axis", [0])], outputs: [weight])
        if weightRank == 3 {
            let expanded = fresh("\(layer.name)_weight4d")
            emit("Unsqueeze", name: layer.name, inputs: [weight, int64s("\(layer.name).in_axis", [1])], outputs: [expanded])
            weight = expanded
        }
        let (padded, geometry) = try bordered(layer, value(layer.inputs[0]), g)
        var convInputs = [padded, weight]
        if g.bias {
            let bias = fresh("\(layer.name)_bias")
            emit("Reshape", name: layer.name, inputs: [value(layer.inputs[2]), int64s("\(layer.name).flat", [-1])], outputs: [bias])
            convInputs.append(bias)
        }
        let attributes = convAttributes(geometry, group: group).filter { $0.name != "kernel_shape" }
        try withActivation(layer) { builder, output throws(NCNNImportError) in
            builder.emit("Conv", name: layer.name, inputs: convInputs, outputs: [output], attributes: attributes)
        }
    }

    /// Unfold (im2col; the convolution's kernel, dilation, stride, pad and pad-value ids): each
    /// kernel tap of each channel becomes a row of a 2-D blob `[C·kh·kw, outh·outw]`, channel-major
    /// as PyTorch's unfold. Built as a grouped Conv whose kernels are one-hot, one per tap, which
    /// copies each value exactly; the channel count must be fixed by the `.param`.
    mutating func unfold(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let g = try convGeometry(layer, dynamicWeights: true)
        let shape = shape(of: layer.inputs[0])
        guard g.kernel.h > 0, g.kernel.w > 0 else { throw fail(layer, "the kernel must be positive") }
        guard shape.rank == 3, let channels = shape.outer else {
            throw fail(layer, "Unfold needs a 3-D blob whose channel count the .param fixes")
        }
        let taps = try product(layer, [g.kernel.h, g.kernel.w])
        let count = try product(layer, [channels, taps, taps])
        guard count <= 1 << 26 else { throw fail(layer, "\(channels) channels × \(taps)² kernel taps is too large to unfold") }
        var values = [Float](repeating: 0, count: count)
        for row in 0..<(channels * taps) { values[row * taps + row % taps] = 1 }
        let kernels = try weight("\(layer.name).taps", shape: [channels * taps, 1, g.kernel.h, g.kernel.w],
                                 blob: NCNNWeightBlob(values: values, storedAsFloat16: false), layer: layer)
        let (padded, geometry) = try bordered(layer, value(layer.inputs[0]), g)
        let columns = fresh("\(layer.outputs[0])_columns")
        emit("Conv", name: layer.name, inputs: [padded, kernels], outputs: [columns], attributes: convAttributes(geometry, group: channels))
        emit("Reshape", name: layer.name, inputs: [columns, int64s("\(layer.name).rows", [0, 0, -1])], outputs: [layer.outputs[0]])
    }

    /// ncnn borders a convolution's input with `18=pad_value`; ONNX Conv pads only with zeros, so
    /// a non-zero value becomes a Pad node and the Conv pads nothing.
    mutating func bordered(
        _ layer: NCNNLayer, _ input: String, _ g: ConvGeometry
    ) throws(NCNNImportError) -> (input: String, geometry: ConvGeometry) {
        let padValue = try float(layer, 18, 0)
        guard padValue != 0, let pads = g.pads, pads.contains(where: { $0 > 0 }) else { return (input, g) }
        let padded = fresh("\(layer.name)_bordered")
        let amounts = [0, 0, pads[0], pads[1], 0, 0, pads[2], pads[3]].map(Int64.init)
        emit("Pad", name: layer.name, inputs: [input, int64s("\(layer.name).pads", amounts),
                                               floats("\(layer.name).pad_value", shape: [], [padValue])],
             outputs: [padded], attributes: [Attribute(name: "mode", value: .string(Data("constant".utf8)))])
        var geometry = g
        geometry.pads = [0, 0, 0, 0]
        return (padded, geometry)
    }

    /// Deconvolution and DeconvolutionDepthWise: ONNX ConvTranspose.
    mutating func deconvolution(_ layer: NCNNLayer, depthwise: Bool) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let g = try convGeometry(layer, transposed: true)
        let (group, inPerGroup) = try grouping(layer, g, depthwise: depthwise)
        let explicitWidth = try int(layer, 20, 0)
        let explicitHeight = try int(layer, 21, explicitWidth)
        let explicitSize = explicitWidth > 0 && explicitHeight > 0
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
        // ncnn cuts SAME padding (-233/-234) from a deconvolution only to reach an explicit output
        // size, with the larger half at the end (-233) or the start (-234), as ONNX's output_shape
        // does; without one the whole output is kept. Explicit pads win over an output size.
        var geometry = g
        if geometry.autoPad != nil && !explicitSize {
            geometry.autoPad = nil
            geometry.pads = [0, 0, 0, 0]
        } else if geometry.autoPad == nil && explicitSize && geometry.pads?.allSatisfy({ $0 == 0 }) == true {
            throw fail(layer, "an output size (20/21) without padding -233/-234 leaves ncnn itself without an output")
        }
        var attributes = convAttributes(geometry, group: group)
        if geometry.autoPad != nil {
            attributes.append(Attribute(name: "output_shape", value: .ints([Int64(explicitHeight), Int64(explicitWidth)])))
        }
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
