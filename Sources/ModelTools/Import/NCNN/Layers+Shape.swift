import Foundation
import ONNXModel
import TensorCore

/// Layers that move or resample values: Input, Split, PixelShuffle, Interp, Concat, Padding, Pooling.
///
/// ncnn blobs carry no batch axis: a 3-D blob is [C, H, W]. The importer maps it to ONNX's
/// [N, C, H, W], so an ncnn axis `a ≥ 0` becomes `a + 1` (negative axes count from the end in both).
extension NCNNGraphBuilder {
    /// Input (`0=w 1=h 2=c`): becomes a graph input with dynamic N, H and W.
    mutating func input(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 0...0)
        let channels = try int(layer, 2, 0)
        addInput(layer.outputs[0], channels: channels > 0 ? channels : nil)
    }

    /// Split and other copies: each output is another name of the input value.
    mutating func split(_ layer: NCNNLayer) throws(NCNNImportError) {
        guard layer.inputs.count == 1 else { throw fail(layer, "\(layer.type) needs exactly one input") }
        let source = value(layer.inputs[0])
        for output in layer.outputs { alias(output, to: source) }
    }

    /// PixelShuffle (`0=upscale_factor 1=mode`): mode 0 takes channel `c·r² + i·r + j` (DepthToSpace
    /// CRD, PyTorch's order); mode 1 takes `(i·r + j)·C + c` (DCR).
    mutating func pixelShuffle(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let factor = try int(layer, 0, 1)
        let mode = try int(layer, 1, 0)
        guard factor >= 1, mode == 0 || mode == 1 else { throw fail(layer, "upscale factor \(factor) / mode \(mode) not supported") }
        emit("DepthToSpace", name: layer.name, inputs: [value(layer.inputs[0])], outputs: [layer.outputs[0]], attributes: [
            Attribute(name: "blocksize", value: .int(Int64(factor))),
            Attribute(name: "mode", value: .string(Data((mode == 0 ? "CRD" : "DCR").utf8))),
        ])
    }

    /// Interp (`0=resize_type 1=height_scale 2=width_scale 3=out_h 4=out_w 5=dynamic_target_size
    /// 6=align_corner 9=size_expr`).
    ///
    /// ncnn's nearest takes `floor(x / scale)` (ONNX `asymmetric` + `floor`); bilinear and bicubic
    /// sample at `(x + 0.5)·in/out − 0.5` with edge clamping, bicubic with a = −0.75 (ONNX
    /// `half_pixel`, `cubic_coeff_a` −0.75, `exclude_outside` 0). With `5=1` a second blob gives
    /// the output's height and width; a size expression (`9=`, width first) overrides both.
    mutating func interp(_ layer: NCNNLayer) throws(NCNNImportError) {
        let sizeExpression = try expressionList(layer, 9)
        let dynamicSize = try int(layer, 5, 0) != 0
        try expect(layer, inputs: sizeExpression != nil ? 1...10 : dynamicSize ? 2...2 : 1...1)
        let type = try int(layer, 0, 0)
        let alignCorners = try int(layer, 6, 0) != 0
        var attributes: [Attribute] = []
        func text(_ name: String, _ value: String) -> Attribute { Attribute(name: name, value: .string(Data(value.utf8))) }
        switch type {
        case 1:
            attributes = [text("mode", "nearest"), text("coordinate_transformation_mode", "asymmetric"), text("nearest_mode", "floor")]
        case 2, 3:
            attributes = [
                text("mode", type == 2 ? "linear" : "cubic"),
                text("coordinate_transformation_mode", alignCorners ? "align_corners" : "half_pixel"),
            ]
            if type == 3 {
                attributes += [Attribute(name: "cubic_coeff_a", value: .float(-0.75)), Attribute(name: "exclude_outside", value: .int(0))]
            }
        default:
            throw fail(layer, "resize type \(type) is not supported (1 nearest, 2 bilinear, 3 bicubic)")
        }
        let input = value(layer.inputs[0])
        let outH = try int(layer, 3, 0)
        let outW = try int(layer, 4, 0)
        if let sizeExpression {
            guard (1...2).contains(sizeExpression.count) else {
                throw fail(layer, "a size expression lists \(sizeExpression.count) sizes; ncnn takes the width and optionally the height")
            }
            let sizes = try buildIntegers(layer, sizeExpression)
            let height: String
            if sizes.count == 2 {
                height = sizes[1]
            } else {
                // Only the width: the height stays the input's.
                let inputShape = fresh("\(layer.name)_input_shape")
                height = fresh("\(layer.name)_input_h")
                emit("Shape", name: layer.name, inputs: [input], outputs: [inputShape])
                emit("Gather", name: layer.name, inputs: [inputShape, int64s("\(layer.name).h_axis", [2])], outputs: [height])
            }
            let targetSize = fresh("\(layer.name)_target_hw")
            emit("Concat", name: layer.name, inputs: [height, sizes[0]], outputs: [targetSize],
                 attributes: [Attribute(name: "axis", value: .int(0))])
            try interp(layer, input: input, to: targetSize, nearest: type == 1, attributes: attributes)
        } else if dynamicSize {
            try interpToReference(layer, input: input, nearest: type == 1, attributes: attributes)
        } else if outH > 0 && outW > 0 {
            // A fixed output size: keep N and C from the input's shape and append [outH, outW].
            let shape = fresh("\(layer.name)_shape")
            let batchChannels = fresh("\(layer.name)_nc")
            let sizes = fresh("\(layer.name)_sizes")
            emit("Shape", name: layer.name, inputs: [input], outputs: [shape])
            emit("Slice", name: layer.name, inputs: [shape, int64s("\(layer.name).start", [0]), int64s("\(layer.name).end", [2])],
                 outputs: [batchChannels])
            emit("Concat", name: layer.name, inputs: [batchChannels, int64s("\(layer.name).hw", [Int64(outH), Int64(outW)])],
                 outputs: [sizes], attributes: [Attribute(name: "axis", value: .int(0))])
            emit("Resize", name: layer.name, inputs: [input, "", "", sizes], outputs: [layer.outputs[0]], attributes: attributes)
        } else {
            let hs = try float(layer, 1, 1)
            let ws = try float(layer, 2, 1)
            guard hs > 0, ws > 0, hs.isFinite, ws.isFinite else { throw fail(layer, "scales must be positive") }
            let scales = floats("\(layer.name).scales", shape: [4], [1, 1, hs, ws])
            emit("Resize", name: layer.name, inputs: [input, "", scales], outputs: [layer.outputs[0]], attributes: attributes)
        }
    }

    /// Interp's two-blob form on an image: the reference blob's h and w are the output size.
    private mutating func interpToReference(
        _ layer: NCNNLayer, input: String, nearest: Bool, attributes: [Attribute]
    ) throws(NCNNImportError) {
        let referenceRank = shape(of: layer.inputs[1]).rank
        guard let hIndex = NCNNBlobShape.index(of: "h", rank: referenceRank),
              let wIndex = NCNNBlobShape.index(of: "w", rank: referenceRank)
        else { throw fail(layer, "the reference blob (\(referenceRank)-D) has no height and width") }
        let referenceShape = fresh("\(layer.name)_reference_shape")
        let targetSize = fresh("\(layer.name)_target_hw")
        emit("Shape", name: layer.name, inputs: [value(layer.inputs[1])], outputs: [referenceShape])
        emit("Gather", name: layer.name,
             inputs: [referenceShape, int64s("\(layer.name).hw_index", [Int64(hIndex + 1), Int64(wIndex + 1)])],
             outputs: [targetSize])
        try interp(layer, input: input, to: targetSize, nearest: nearest, attributes: attributes)
    }

    /// Resizes a 3-D blob to `targetSize`, an int64 `[h, w]` value computed in the graph.
    /// Bilinear and bicubic resize to that size. ncnn's nearest reads input index
    /// `min(⌊x · (in / out)⌋, in − 1)` with the ratio and product in float32, which a Resize
    /// computes differently (`x / (out / in)`) and rounds differently at whole numbers, so it is
    /// built as two Gathers of indices computed as ncnn computes them.
    private mutating func interp(
        _ layer: NCNNLayer, input: String, to targetSize: String, nearest: Bool, attributes: [Attribute]
    ) throws(NCNNImportError) {
        let inputRank = shape(of: layer.inputs[0]).rank
        guard inputRank == 3 else { throw fail(layer, "a computed output size needs a 3-D input, not \(inputRank)-D") }
        let inputShape = fresh("\(layer.name)_shape")
        emit("Shape", name: layer.name, inputs: [input], outputs: [inputShape])
        guard nearest else {
            let batchChannels = fresh("\(layer.name)_nc")
            let sizes = fresh("\(layer.name)_sizes")
            emit("Slice", name: layer.name, inputs: [inputShape, int64s("\(layer.name).start", [0]), int64s("\(layer.name).end", [2])],
                 outputs: [batchChannels])
            emit("Concat", name: layer.name, inputs: [batchChannels, targetSize], outputs: [sizes],
                 attributes: [Attribute(name: "axis", value: .int(0))])
            emit("Resize", name: layer.name, inputs: [input, "", "", sizes], outputs: [layer.outputs[0]], attributes: attributes)
            return
        }
        let toFloat = Attribute(name: "to", value: .int(Int64(DataType.float32.rawValue)))
        var current = input
        for axis in [2, 3] {
            let count = fresh("\(layer.name)_count")
            let scalarCount = fresh("\(layer.name)_scalar_count")
            let outLength = fresh("\(layer.name)_out_length")
            let length = fresh("\(layer.name)_length")
            let inLength = fresh("\(layer.name)_in_length")
            let step = fresh("\(layer.name)_step")
            let positions = fresh("\(layer.name)_positions")
            let scaled = fresh("\(layer.name)_scaled")
            let floored = fresh("\(layer.name)_floored")
            let indices = fresh("\(layer.name)_indices")
            let last = fresh("\(layer.name)_last")
            let clamped = fresh("\(layer.name)_clamped")
            emit("Gather", name: layer.name, inputs: [targetSize, int64s("\(layer.name).axis", [Int64(axis - 2)])], outputs: [count])
            emit("Squeeze", name: layer.name, inputs: [count, int64s("\(layer.name).squeeze_axis", [0])], outputs: [scalarCount])
            emit("Cast", name: layer.name, inputs: [scalarCount], outputs: [outLength], attributes: [toFloat])
            emit("Gather", name: layer.name, inputs: [inputShape, int64s("\(layer.name).input_axis", [Int64(axis)])], outputs: [length])
            emit("Cast", name: layer.name, inputs: [length], outputs: [inLength], attributes: [toFloat])
            emit("Div", name: layer.name, inputs: [inLength, outLength], outputs: [step])
            emit("Range", name: layer.name, inputs: [
                floats("\(layer.name).zero", shape: [], [0]), outLength, floats("\(layer.name).delta", shape: [], [1]),
            ], outputs: [positions])
            emit("Mul", name: layer.name, inputs: [positions, step], outputs: [scaled])
            emit("Floor", name: layer.name, inputs: [scaled], outputs: [floored])
            emit("Cast", name: layer.name, inputs: [floored], outputs: [indices],
                 attributes: [Attribute(name: "to", value: .int(Int64(DataType.int64.rawValue)))])
            emit("Sub", name: layer.name, inputs: [length, int64s("\(layer.name).one_index", [1])], outputs: [last])
            emit("Min", name: layer.name, inputs: [indices, last], outputs: [clamped])
            let output = axis == 3 ? layer.outputs[0] : fresh("\(layer.name)_rows")
            emit("Gather", name: layer.name, inputs: [current, clamped], outputs: [output],
                 attributes: [Attribute(name: "axis", value: .int(Int64(axis)))])
            current = output
        }
    }

    /// Concat (`0=axis`, counted without the batch axis).
    mutating func concat(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...Int.max)
        let axis = try int(layer, 0, 0)
        emit("Concat", name: layer.name, inputs: layer.inputs.map { value($0) }, outputs: [layer.outputs[0]],
             attributes: [Attribute(name: "axis", value: .int(Int64(axis >= 0 ? axis + 1 : axis)))])
    }

    /// Padding (`0=top 1=bottom 2=left 3=right 4=type 5=value 7=front 8=behind`).
    mutating func padding(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        if try int(layer, 6, 0) != 0 { throw fail(layer, "per-channel pad values are not supported") }
        let amounts = [try int(layer, 7, 0), try int(layer, 0, 0), try int(layer, 2, 0),
                       try int(layer, 8, 0), try int(layer, 1, 0), try int(layer, 3, 0)]
        guard amounts.allSatisfy({ $0 >= 0 }) else { throw fail(layer, "negative padding is not supported") }
        let modes = ["constant", "edge", "reflect"]
        let type = try int(layer, 4, 0)
        guard modes.indices.contains(type) else { throw fail(layer, "padding type \(type) is not supported") }
        let pads = int64s("\(layer.name).pads", [0] + amounts[0..<3].map(Int64.init) + [0] + amounts[3..<6].map(Int64.init))
        let fill = floats("\(layer.name).value", shape: [], [try float(layer, 5, 0)])
        emit("Pad", name: layer.name, inputs: [value(layer.inputs[0]), pads, fill], outputs: [layer.outputs[0]],
             attributes: [Attribute(name: "mode", value: .string(Data(modes[type].utf8)))])
    }
}
