import Foundation
import ONNXModel

/// Layers that move values without computing: ShuffleChannel, Squeeze, ExpandDims, Flip and Tile.
/// Their output shapes follow ``NCNNGraphBuilder/outputShapes(of:)``; axes are counted outermost
/// first without the batch axis, so ONNX's axis is one more.
extension NCNNGraphBuilder {
    /// ShuffleChannel (`0=group 1=reverse`): channel i·(C/g) + j moves to j·g + i, a transpose of
    /// the channels seen as [g, C/g]; `reverse` uses C/g groups, undoing the shuffle. Where the
    /// `.param` does not fix C, the graph divides it at run time.
    mutating func shuffleChannel(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let group = try int(layer, 0, 1)
        let reverse = try int(layer, 1, 0) != 0
        let shape = shape(of: layer.inputs[0])
        // ncnn sees a 1-D or 2-D blob as one channel, which only one group divides.
        guard shape.rank >= 3 else { throw fail(layer, "ShuffleChannel of a \(shape.rank)-D blob is not supported") }
        guard group > 0, shape.outer.map({ $0 > 0 && $0 % group == 0 }) ?? true else {
            throw fail(layer, "\(shape.outer.map(String.init) ?? "?") channels do not split into \(group) groups")
        }
        let input = value(layer.inputs[0])
        let output = layer.outputs[0]
        let inputShape = fresh("\(layer.name)_shape")
        emit("Shape", name: layer.name, inputs: [input], outputs: [inputShape])
        // The channels as [groups, per group], spatial axes merged: [N, groups, C / groups, -1].
        let target: String
        if let channels = shape.outer {
            let groups = reverse ? channels / group : group
            target = int64s("\(layer.name).groups", [0, Int64(groups), Int64(channels / groups), -1])
        } else {
            let channels = fresh("\(layer.name)_channels")
            let quotient = fresh("\(layer.name)_quotient")
            let fixed = int64s("\(layer.name).group", [Int64(group)])
            emit("Gather", name: layer.name, inputs: [inputShape, int64s("\(layer.name).channel_axis", [1])], outputs: [channels])
            emit("Div", name: layer.name, inputs: [channels, fixed], outputs: [quotient])
            target = fresh("\(layer.name)_target")
            emit("Concat", name: layer.name, inputs: [int64s("\(layer.name).batch", [0])] + (reverse ? [quotient, fixed] : [fixed, quotient])
                 + [int64s("\(layer.name).rest", [-1])], outputs: [target], attributes: [Attribute(name: "axis", value: .int(0))])
        }
        let grouped = fresh("\(output)_grouped")
        let swapped = fresh("\(output)_swapped")
        emit("Reshape", name: layer.name, inputs: [input, target], outputs: [grouped])
        emit("Transpose", name: layer.name, inputs: [grouped], outputs: [swapped], attributes: [Attribute(name: "perm", value: .ints([0, 2, 1, 3]))])
        emit("Reshape", name: layer.name, inputs: [swapped, inputShape], outputs: [output])
    }

    /// Squeeze (`3=axes`, or the flags `0=w 1=h 11=d 2=c`): drops the named axes of size 1.
    mutating func squeeze(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let shape = shape(of: layer.inputs[0])
        var dropped = try squeezedAxes(layer, input: shape)
        // ncnn leaves a 1-D blob of one element when every axis goes.
        if dropped.count == shape.rank { dropped.removeLast() }
        guard !dropped.isEmpty else { return try unary(layer, "Identity") }
        emit("Squeeze", name: layer.name, inputs: [value(layer.inputs[0]), int64s("\(layer.name).axes", dropped.map { Int64($0 + 1) })],
             outputs: [layer.outputs[0]])
    }

    /// ExpandDims (`3=axes`): inserts axes of size 1 at the listed output positions.
    mutating func expandDims(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let axes = try expandedAxes(layer, rank: shape(of: layer.inputs[0]).rank)
        guard !axes.isEmpty else { return try unary(layer, "Identity") }
        emit("Unsqueeze", name: layer.name, inputs: [value(layer.inputs[0]), int64s("\(layer.name).axes", axes.map { Int64($0 + 1) })],
             outputs: [layer.outputs[0]])
    }

    /// Flip (`0=axes`): reverses the listed axes, as a Slice with step -1.
    mutating func flip(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let rank = shape(of: layer.inputs[0]).rank
        let listed = try intArray(layer, 0)
        var axes: Set<Int64> = []
        for axis in listed {
            let index = axis < 0 ? axis + rank : axis
            guard (0..<rank).contains(index) else { throw fail(layer, "axis \(axis) is outside a \(rank)-D blob") }
            axes.insert(Int64(index + 1))
        }
        guard !axes.isEmpty else { return try unary(layer, "Identity") }
        let count = axes.count
        emit("Slice", name: layer.name, inputs: [
            value(layer.inputs[0]), int64s("\(layer.name).starts", Array(repeating: -1, count: count)),
            int64s("\(layer.name).ends", Array(repeating: Int64.min, count: count)), int64s("\(layer.name).axes", axes.sorted()),
            int64s("\(layer.name).steps", Array(repeating: -1, count: count)),
        ], outputs: [layer.outputs[0]])
    }

    /// Tile (`0=axis 1=tiles`, or `2=repeats`): repeats the blob along its axes, first giving it the
    /// output's rank (see ``tiling(_:input:)``).
    mutating func tile(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let tiling = try tiling(layer, input: shape(of: layer.inputs[0]))
        let repeats = tiling.repeats.contains { $0 != 1 }
        guard repeats || !tiling.inserted.isEmpty else { return try unary(layer, "Identity") }
        var current = value(layer.inputs[0])
        if !tiling.inserted.isEmpty {
            let expanded = repeats ? fresh("\(layer.outputs[0])_expanded") : layer.outputs[0]
            emit("Unsqueeze", name: layer.name, inputs: [current, int64s("\(layer.name).axes", tiling.inserted.map { Int64($0 + 1) })],
                 outputs: [expanded])
            current = expanded
        }
        if repeats {
            emit("Tile", name: layer.name, inputs: [current, int64s("\(layer.name).repeats", [1] + tiling.repeats.map(Int64.init))],
                 outputs: [layer.outputs[0]])
        }
    }
}
