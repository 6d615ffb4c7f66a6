import Foundation
import ONNXModel

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

    /// Interp (`0=resize_type 1=height_scale 2=width_scale 3=out_h 4=out_w 6=align_corner`).
    ///
    /// ncnn's nearest takes `floor(x / scale)` (ONNX `asymmetric` + `floor`); bilinear and bicubic
    /// sample at `(x + 0.5)·in/out − 0.5` with edge clamping, bicubic with a = −0.75 (ONNX
    /// `half_pixel`, `cubic_coeff_a` −0.75, `exclude_outside` 0).
    mutating func interp(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let type = try int(layer, 0, 0)
        let alignCorners = try int(layer, 6, 0) != 0
        if try int(layer, 5, 0) != 0 { throw fail(layer, "a dynamic target size (second input) is not supported") }
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
        if outH > 0 && outW > 0 {
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
