import Foundation
import ONNXModel

/// Layers that reshape, reorder, slice or normalize whole tensors.
///
/// These assume ncnn blobs of rank 3 ([C, H, W], ONNX [N, C, H, W]) where ncnn's meaning depends on
/// the rank, which the `.param` file does not record: image models keep 3-D blobs until a final
/// classifier, so this covers what upscalers use.
extension NCNNGraphBuilder {
    /// "Not given" in ncnn's shape parameters.
    private static let absent = -233

    /// Reshape (`0=w 1=h 11=d 2=c`; 0 copies the input's size, -1 infers it).
    mutating func reshape(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        if try int(layer, 3, 0) != 0 { throw fail(layer, "the legacy permute flag (3=1) is not supported") }
        let w = try int(layer, 0, Self.absent)
        let h = try int(layer, 1, Self.absent)
        let d = try int(layer, 11, Self.absent)
        let c = try int(layer, 2, Self.absent)
        let sizes: [Int]
        if h == Self.absent { sizes = [w] }
        else if d == Self.absent && c == Self.absent { sizes = [h, w] }
        else if d == Self.absent { sizes = [c, h, w] }
        else { sizes = [c, d, h, w] }
        guard sizes.allSatisfy({ $0 >= -1 }) else { throw fail(layer, "reshape sizes \(sizes) are not supported") }
        // The batch axis is kept as it is (0 copies it).
        let shape = int64s("\(layer.name).shape", [0] + sizes.map(Int64.init))
        emit("Reshape", name: layer.name, inputs: [value(layer.inputs[0]), shape], outputs: [layer.outputs[0]])
    }

    /// Flatten: everything after the batch axis becomes one axis.
    mutating func flatten(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        emit("Flatten", name: layer.name, inputs: [value(layer.inputs[0])], outputs: [layer.outputs[0]],
             attributes: [Attribute(name: "axis", value: .int(1))])
    }

    /// Permute (`0=order_type`): ncnn names the output's (w, h, c) by the input axis each comes
    /// from; order 0 is w h c (identity) through 5, c h w.
    mutating func permute(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let orders: [[Int64]] = [[0, 1, 2, 3], [0, 1, 3, 2], [0, 2, 1, 3], [0, 2, 3, 1], [0, 3, 1, 2], [0, 3, 2, 1]]
        let type = try int(layer, 0, 0)
        guard orders.indices.contains(type) else { throw fail(layer, "permute order \(type) is not supported for 3-D blobs") }
        emit("Transpose", name: layer.name, inputs: [value(layer.inputs[0])], outputs: [layer.outputs[0]],
             attributes: [Attribute(name: "perm", value: .ints(orders[type]))])
    }

    /// Softmax (`0=axis`, counted without the batch axis).
    mutating func softmax(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let axis = try int(layer, 0, 0)
        emit("Softmax", name: layer.name, inputs: [value(layer.inputs[0])], outputs: [layer.outputs[0]],
             attributes: [Attribute(name: "axis", value: .int(Int64(axis >= 0 ? axis + 1 : axis)))])
    }

    /// BatchNorm (`0=channels 1=eps`); the `.bin` holds slope, mean, variance and bias, raw float32.
    mutating func batchNorm(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let channels = try int(layer, 0, 0)
        guard channels > 0 else { throw fail(layer, "channels must be positive") }
        var names: [String] = []
        for part in ["scale", "mean", "var", "bias"] {
            let blob = try weights.raw(count: channels, layer: layer.name)
            names.append(try weight("\(layer.name).\(part)", shape: [channels], blob: blob, layer: layer))
        }
        emit("BatchNormalization", name: layer.name, inputs: [value(layer.inputs[0]), names[0], names[3], names[1], names[2]],
             outputs: [layer.outputs[0]], attributes: [Attribute(name: "epsilon", value: .float(try float(layer, 1, 0)))])
    }

    /// Scale (`0=scale_data_size 1=bias_term`): per-channel multiply, then add.
    mutating func scale(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let channels = try int(layer, 0, 0)
        guard channels > 0 else { throw fail(layer, "scale_data_size must be positive (a second scale input is not supported)") }
        let shape = channels == 1 ? [1] : [channels, 1, 1]
        let factor = try weight("\(layer.name).scale", shape: shape, blob: try weights.raw(count: channels, layer: layer.name), layer: layer)
        guard try int(layer, 1, 0) != 0 else {
            emit("Mul", name: layer.name, inputs: [value(layer.inputs[0]), factor], outputs: [layer.outputs[0]])
            return
        }
        let bias = try weight("\(layer.name).bias", shape: shape, blob: try weights.raw(count: channels, layer: layer.name), layer: layer)
        let scaled = fresh("\(layer.outputs[0])_scaled")
        emit("Mul", name: layer.name, inputs: [value(layer.inputs[0]), factor], outputs: [scaled])
        emit("Add", name: layer.name, inputs: [scaled, bias], outputs: [layer.outputs[0]])
    }

    /// Crop, in its numpy form (`9=starts 10=ends 11=axes`) or its offset form
    /// (`0/1/2=w/h/c offset 3/4/5=w/h/c size`, -233 meaning "to the end"). The form that crops
    /// to a second, reference blob is refused.
    mutating func crop(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let toEnd = Int64.max
        var starts: [Int64] = []
        var ends: [Int64] = []
        var axes: [Int64] = []
        let startList = try floatArray(layer, 9)
        let endList = try floatArray(layer, 10)
        if !startList.isEmpty || !endList.isEmpty {
            guard startList.count == endList.count else { throw fail(layer, "starts and ends differ in length") }
            let axisList = try floatArray(layer, 11)
            let ncnnAxes = axisList.isEmpty ? (0..<startList.count).map(Float.init) : axisList
            guard ncnnAxes.count == startList.count else { throw fail(layer, "axes and starts differ in length") }
            for index in startList.indices {
                let axis = Int64(ncnnAxes[index])
                let start = Int64(startList[index])
                let end = Int64(endList[index])
                axes.append(axis >= 0 ? axis + 1 : axis)
                starts.append(start == -233 ? 0 : start)
                // ncnn reads an end of 0 (or -233) as "to the end"; ONNX would read 0 as empty.
                ends.append(end == -233 || end == 0 ? toEnd : end)
            }
        } else {
            let offsets = [try int(layer, 2, 0), try int(layer, 1, 0), try int(layer, 0, 0)]
            let sizes = [try int(layer, 5, 0), try int(layer, 4, 0), try int(layer, 3, 0)]
            let trailing = [try int(layer, 8, 0), try int(layer, 7, 0), try int(layer, 6, 0)]
            guard sizes.contains(where: { $0 != 0 }) else {
                throw fail(layer, "Crop to a reference blob (two inputs) is not supported")
            }
            guard offsets.allSatisfy({ $0 >= 0 }), trailing.allSatisfy({ $0 >= 0 }) else {
                throw fail(layer, "crop offsets must be non-negative")
            }
            for index in 0..<3 {
                let size = sizes[index]
                guard size == -233 || size >= 0 else { throw fail(layer, "crop size \(size) is not supported") }
                axes.append(Int64(index + 1))
                starts.append(Int64(offsets[index]))
                if size == -233 || size == 0 {
                    ends.append(trailing[index] > 0 ? -Int64(trailing[index]) : toEnd)
                } else {
                    let (end, overflow) = offsets[index].addingReportingOverflow(size)
                    guard !overflow else { throw fail(layer, "crop window overflows") }
                    ends.append(Int64(end))
                }
            }
        }
        emit("Slice", name: layer.name, inputs: [
            value(layer.inputs[0]), int64s("\(layer.name).starts", starts), int64s("\(layer.name).ends", ends),
            int64s("\(layer.name).axes", axes),
        ], outputs: [layer.outputs[0]])
    }
}
