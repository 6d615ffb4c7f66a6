import Foundation
import ONNXModel

/// InstanceNorm, GroupNorm, LayerNorm, RMSNorm and Normalize. The first four gathers the values ncnn normalizes
/// together on the last axis (a Reshape where they span several), normalizes them as ncnn does —
/// mean first, then the mean squared deviation — and restores the blob's shape. Composed from
/// ReduceMean so that every opset from 13 on takes them, whatever the blob's rank.
extension NCNNGraphBuilder {
    /// InstanceNorm (`0=channels 1=eps 2=affine`): each channel over its own pixels.
    mutating func instanceNorm(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let channels = try int(layer, 0, 0)
        // ncnn sees a 1-D or 2-D blob as one channel and scales it by the first gamma only.
        guard shape(of: layer.inputs[0]).rank >= 3 else { throw fail(layer, "InstanceNorm of a 1-D or 2-D blob is not supported") }
        try groupedNorm(layer, groups: channels, channels: channels, eps: try float(layer, 1, 0.001), affine: try int(layer, 2, 1) != 0)
    }

    /// GroupNorm (`0=group 1=channels 2=eps 3=affine`): the outermost axis (channels, rows, or the
    /// elements of a vector) split into groups, each normalized over all its values.
    mutating func groupNorm(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        try groupedNorm(layer, groups: try int(layer, 0, 1), channels: try int(layer, 1, 0), eps: try float(layer, 2, 0.001),
                        affine: try int(layer, 3, 1) != 0)
    }

    /// LayerNorm and RMSNorm (`0=affine_size 1=eps 2=affine`): ncnn normalizes the rows (w values)
    /// of a 1-D or 2-D blob; for 3-D and 4-D blobs the rows when affine_size is the width, else the
    /// planes (w·h) when it is their size, else each channel (w·h·d). Where the `.param` leaves the
    /// deciding sizes to the input, the choice is made only if affine_size is 0 (it matches none).
    mutating func layerNorm(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let size = try int(layer, 0, 0)
        let eps = try float(layer, 1, 0.001)
        let affine = try int(layer, 2, 1) != 0
        let centred = layer.type == "LayerNorm"
        let shape = shape(of: layer.inputs[0])
        let innermost = Array(shape.sizes.reversed())
        // How many innermost axes are normalized together.
        var count = max(1, shape.rank - 1)
        for candidate in stride(from: 1, to: shape.rank - 1, by: 1) where size > 0 {
            let spanned = innermost.prefix(candidate).compactMap { $0 }
            guard spanned.count == candidate else {
                throw fail(layer, "affine_size \(size) picks the normalized axes by the blob's sizes at run time, which the .param does not fix")
            }
            if try product(layer, spanned) == size {
                count = candidate
                break
            }
        }
        if affine {
            guard size > 0 else { throw fail(layer, "affine_size must be positive with affine weights") }
            let spanned = innermost.prefix(count).compactMap { $0 }
            if spanned.count == count, try product(layer, spanned) != size {
                throw fail(layer, "affine_size \(size) does not match the \(spanned.reversed()) values normalized together")
            }
        }
        let input = value(layer.inputs[0])
        let output = layer.outputs[0]
        // A rank-r blob is a rank-(r+1) ONNX value: keep the outer axes, merge the `count` inner ones.
        let flat: String
        if count > 1 {
            flat = fresh("\(output)_flat")
            emit("Reshape", name: layer.name, inputs: [input, int64s("\(layer.name).flat", Array(repeating: 0, count: shape.rank + 1 - count) + [-1])],
                 outputs: [flat])
        } else {
            flat = input
        }
        let normalized = affine || count > 1 ? fresh("\(output)_normalized") : output
        normalize(flat, eps: eps, centred: centred, output: normalized, layer: layer)
        var result = normalized
        if affine {
            let gamma = try weight("\(layer.name).gamma", shape: [size], blob: try weights.raw(count: size, layer: layer.name), layer: layer)
            let beta = centred
                ? try weight("\(layer.name).beta", shape: [size], blob: try weights.raw(count: size, layer: layer.name), layer: layer) : nil
            result = count > 1 ? fresh("\(output)_affine") : output
            scaleShift(normalized, gamma: gamma, beta: beta, output: result, layer: layer)
        }
        if count > 1 {
            let inputShape = fresh("\(layer.name)_shape")
            emit("Shape", name: layer.name, inputs: [input], outputs: [inputShape])
            emit("Reshape", name: layer.name, inputs: [result, inputShape], outputs: [output])
        }
    }

    /// Normalize (`0=across_spatial 4=across_channel 1=channel_shared 2=eps 9=eps_mode
    /// 3=scale_data_size`): divides by the L2 norm over the pixels, the channels or both, with
    /// eps added (caffe), as a floor of the norm (pytorch) or of its square (tensorflow), then
    /// scales by one factor or one per channel; neither across flag leaves the blob as it is.
    mutating func normalizeLayer(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let shape = shape(of: layer.inputs[0])
        guard shape.rank >= 3 else { throw fail(layer, "Normalize of a \(shape.rank)-D blob is not supported") }
        let spatial = try int(layer, 0, 0) != 0
        let channel = try int(layer, 4, 1) != 0
        let shared = try int(layer, 1, 0) != 0
        let eps = try float(layer, 2, 0.0001)
        let mode = try int(layer, 9, 0)
        let size = try int(layer, 3, 0)
        guard (0...2).contains(mode) else { throw fail(layer, "eps_mode \(mode) is not one of ncnn's (0 to 2)") }
        guard shared ? size == 1 : (size > 0 && shape.outer.map { $0 == size } ?? true) else {
            throw fail(layer, "scale_data_size \(size) must be 1 with channel_shared, else the channel count")
        }
        let factors = try weights.raw(count: size, layer: layer.name)
        let input = value(layer.inputs[0])
        let output = layer.outputs[0]
        guard spatial || channel else { return alias(output, to: input) }
        let scale = try weight("\(layer.name).scale", shape: shared ? [] : [size] + Array(repeating: 1, count: shape.rank - 1),
                               blob: factors, layer: layer)
        let axes = (channel ? [1] : []) + (spatial ? Array(2...shape.rank) : [])
        let squares = fresh("\(output)_squares")
        let norm = fresh("\(output)_norm")
        let normalized = fresh("\(output)_normalized")
        let epsilon = floats("\(layer.name).eps", shape: [], [eps])
        reduce("ReduceSumSquare", layer: layer, input: input, axes: axes, output: squares)
        switch mode {
        case 0:
            let padded = fresh("\(output)_padded")
            emit("Add", name: layer.name, inputs: [squares, epsilon], outputs: [padded])
            emit("Sqrt", name: layer.name, inputs: [padded], outputs: [norm])
        case 1:
            let root = fresh("\(output)_root")
            emit("Sqrt", name: layer.name, inputs: [squares], outputs: [root])
            emit("Max", name: layer.name, inputs: [root, epsilon], outputs: [norm])
        default:
            let floored = fresh("\(output)_floored")
            emit("Max", name: layer.name, inputs: [squares, epsilon], outputs: [floored])
            emit("Sqrt", name: layer.name, inputs: [floored], outputs: [norm])
        }
        emit("Div", name: layer.name, inputs: [input, norm], outputs: [normalized])
        emit("Mul", name: layer.name, inputs: [normalized, scale], outputs: [output])
    }

    private mutating func groupedNorm(_ layer: NCNNLayer, groups: Int, channels: Int, eps: Float, affine: Bool) throws(NCNNImportError) {
        let shape = shape(of: layer.inputs[0])
        guard channels > 0, groups > 0, channels % groups == 0 else {
            throw fail(layer, "\(channels) channels do not split into \(groups) equal groups")
        }
        if let outer = shape.outer, outer != channels { throw fail(layer, "\(channels) channels declared; the blob has \(outer)") }
        let input = value(layer.inputs[0])
        let output = layer.outputs[0]
        let grouped = fresh("\(output)_grouped")
        let normalized = fresh("\(output)_normalized")
        let inputShape = fresh("\(layer.name)_shape")
        emit("Reshape", name: layer.name, inputs: [input, int64s("\(layer.name).groups", [0, Int64(groups), -1])], outputs: [grouped])
        normalize(grouped, eps: eps, centred: true, output: normalized, layer: layer)
        emit("Shape", name: layer.name, inputs: [input], outputs: [inputShape])
        guard affine else {
            emit("Reshape", name: layer.name, inputs: [normalized, inputShape], outputs: [output])
            return
        }
        let restored = fresh("\(output)_restored")
        emit("Reshape", name: layer.name, inputs: [normalized, inputShape], outputs: [restored])
        // One gamma and beta per element of the outermost axis, broadcast over the inner ones.
        let perChannel = [channels] + Array(repeating: 1, count: shape.rank - 1)
        let gamma = try weight("\(layer.name).gamma", shape: perChannel, blob: try weights.raw(count: channels, layer: layer.name), layer: layer)
        let beta = try weight("\(layer.name).beta", shape: perChannel, blob: try weights.raw(count: channels, layer: layer.name), layer: layer)
        scaleShift(restored, gamma: gamma, beta: beta, output: output, layer: layer)
    }

    /// Over the last axis: (x − mean) / √(var + ε) when `centred`, else x / √(mean(x²) + ε).
    private mutating func normalize(_ input: String, eps: Float, centred: Bool, output: String, layer: NCNNLayer) {
        var deviation = input
        if centred {
            let mean = fresh("\(output)_mean")
            deviation = fresh("\(output)_deviation")
            reduce("ReduceMean", layer: layer, input: input, axes: [-1], output: mean)
            emit("Sub", name: layer.name, inputs: [input, mean], outputs: [deviation])
        }
        let square = fresh("\(output)_square")
        let variance = fresh("\(output)_variance")
        let padded = fresh("\(output)_variance_eps")
        let root = fresh("\(output)_root")
        emit("Mul", name: layer.name, inputs: [deviation, deviation], outputs: [square])
        reduce("ReduceMean", layer: layer, input: square, axes: [-1], output: variance)
        emit("Add", name: layer.name, inputs: [variance, floats("\(layer.name).eps", shape: [], [eps])], outputs: [padded])
        emit("Sqrt", name: layer.name, inputs: [padded], outputs: [root])
        emit("Div", name: layer.name, inputs: [deviation, root], outputs: [output])
    }

    /// `input · gamma (+ beta)`.
    private mutating func scaleShift(_ input: String, gamma: String, beta: String?, output: String, layer: NCNNLayer) {
        guard let beta else {
            emit("Mul", name: layer.name, inputs: [input, gamma], outputs: [output])
            return
        }
        let scaled = fresh("\(output)_scaled")
        emit("Mul", name: layer.name, inputs: [input, gamma], outputs: [scaled])
        emit("Add", name: layer.name, inputs: [scaled, beta], outputs: [output])
    }
}
