import Foundation
import ONNXModel

/// One size of an ONNX Reshape target: fixed, or copied from an input axis.
private enum ReshapePiece {
    case size(Int64)
    case copy(Int)

    var copied: Int? { if case .copy(let axis) = self { axis } else { nil } }
    var fixed: Int64 { if case .size(let size) = self { size } else { 0 } }
}

/// Layers that reshape, reorder, constant-fill or normalize whole tensors, for blobs of any rank
/// (``NCNNBlobShape``).
extension NCNNGraphBuilder {
    /// Reshape (`0=w 1=h 11=d 2=c`): the given sizes set the output's rank; 0 keeps the input's
    /// size of the same name (w for w, c for c, whatever the ranks), -1 is inferred. ncnn blobs are
    /// dense row-major, as ONNX tensors are, so the values keep their order. A shape expression
    /// (`6=`, width first, over the input blobs' sizes) replaces the four.
    mutating func reshape(_ layer: NCNNLayer) throws(NCNNImportError) {
        let shapeExpression = try expressionList(layer, 6)
        try expect(layer, inputs: shapeExpression == nil ? 1...1 : 1...10)
        if try int(layer, 3, 0) != 0 { throw fail(layer, "the legacy permute flag (3=1) is not supported") }
        let input = value(layer.inputs[0])
        if let shapeExpression {
            // Listed width first; ONNX wants the batch axis (0: copied) and then outermost first.
            let sizes = try buildIntegers(layer, shapeExpression)
            let target = fresh("\(layer.name)_shape")
            emit("Concat", name: layer.name, inputs: [int64s("\(layer.name).batch", [0])] + sizes.reversed(), outputs: [target],
                 attributes: [Attribute(name: "axis", value: .int(0))])
            emit("Reshape", name: layer.name, inputs: [input, target], outputs: [layer.outputs[0]])
            return
        }
        let inputShape = shape(of: layer.inputs[0])
        let targets = try reshapeTargets(layer)
        // Each target size, fixed or copied from an ONNX input axis (the batch axis always is).
        var pieces: [ReshapePiece] = [.copy(0)]
        for target in targets {
            guard target.size == 0 else {
                pieces.append(.size(Int64(target.size)))
                continue
            }
            guard let index = NCNNBlobShape.index(of: target.axis, rank: inputShape.rank) else {
                throw fail(layer, "size 0 copies the input's '\(target.axis)', which a \(inputShape.rank)-D blob does not have")
            }
            pieces.append(inputShape.sizes[index].map { .size(Int64($0)) } ?? .copy(index + 1))
        }
        let shapeName: String
        // ONNX's Reshape copies a size given as 0 from the same position, so the target stays a
        // constant unless a size moves to another position.
        if pieces.indices.allSatisfy({ pieces[$0].copied == nil || pieces[$0].copied == $0 }) {
            shapeName = int64s("\(layer.name).shape", pieces.map { $0.copied == nil ? $0.fixed : 0 })
        } else {
            let inputSizes = fresh("\(layer.name)_input_shape")
            emit("Shape", name: layer.name, inputs: [input], outputs: [inputSizes])
            var parts: [String] = []
            for piece in pieces {
                if let axis = piece.copied {
                    parts.append(fresh("\(layer.name)_size"))
                    emit("Gather", name: layer.name, inputs: [inputSizes, int64s("\(layer.name).index", [Int64(axis)])], outputs: [parts[parts.count - 1]])
                } else {
                    parts.append(int64s("\(layer.name).size", [piece.fixed]))
                }
            }
            shapeName = fresh("\(layer.name)_shape")
            emit("Concat", name: layer.name, inputs: parts, outputs: [shapeName], attributes: [Attribute(name: "axis", value: .int(0))])
        }
        emit("Reshape", name: layer.name, inputs: [input, shapeName], outputs: [layer.outputs[0]])
    }

    /// Flatten: everything after the batch axis becomes one axis.
    mutating func flatten(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        emit("Flatten", name: layer.name, inputs: [value(layer.inputs[0])], outputs: [layer.outputs[0]],
             attributes: [Attribute(name: "axis", value: .int(1))])
    }

    /// Permute (`0=order_type`), for 1-D to 3-D blobs (see ``permutation(_:rank:)``).
    mutating func permute(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let order = try permutation(layer, rank: shape(of: layer.inputs[0]).rank)
        emit("Transpose", name: layer.name, inputs: [value(layer.inputs[0])], outputs: [layer.outputs[0]],
             attributes: [Attribute(name: "perm", value: .ints([0] + order.map { Int64($0 + 1) }))])
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

    /// Scale (`0=scale_data_size 1=bias_term`): multiplies along the outermost axis (each element
    /// of a vector, each row of a 2-D blob, each channel), then adds the bias. With
    /// `0=-233` the factors come from a second blob, a vector as long as that axis.
    mutating func scale(_ layer: NCNNLayer) throws(NCNNImportError) {
        let size = try int(layer, 0, 0)
        let fromBlob = size == -233
        try expect(layer, inputs: fromBlob ? 2...2 : 1...1)
        let rank = shape(of: layer.inputs[0]).rank
        let trailingUnits = [Int](repeating: 1, count: rank - 1)
        let factor: String
        if fromBlob {
            // ncnn loads no bias in this form, and reads it anyway when bias_term is set.
            if try int(layer, 1, 0) != 0 { throw fail(layer, "bias_term with a scale blob (0=-233) has no bias to read") }
            let vector = value(layer.inputs[1])
            guard rank > 1 else {
                emit("Mul", name: layer.name, inputs: [value(layer.inputs[0]), vector], outputs: [layer.outputs[0]])
                return
            }
            factor = fresh("\(layer.name)_factor")
            emit("Unsqueeze", name: layer.name, inputs: [vector, int64s("\(layer.name).axes", (2...rank).map(Int64.init))],
                 outputs: [factor])
        } else {
            guard size > 0 else { throw fail(layer, "scale_data_size must be positive, or -233 for a scale blob") }
            let shape = size == 1 ? [1] : [size] + trailingUnits
            factor = try weight("\(layer.name).scale", shape: shape, blob: try weights.raw(count: size, layer: layer.name), layer: layer)
            if try int(layer, 1, 0) != 0 {
                let bias = try weight("\(layer.name).bias", shape: shape, blob: try weights.raw(count: size, layer: layer.name), layer: layer)
                let scaled = fresh("\(layer.outputs[0])_scaled")
                emit("Mul", name: layer.name, inputs: [value(layer.inputs[0]), factor], outputs: [scaled])
                emit("Add", name: layer.name, inputs: [scaled, bias], outputs: [layer.outputs[0]])
                return
            }
        }
        emit("Mul", name: layer.name, inputs: [value(layer.inputs[0]), factor], outputs: [layer.outputs[0]])
    }

    /// MemoryData (`0=w 1=h 11=d 2=c 21=load_type`): a constant blob stored in the `.bin`, raw
    /// float32 unless `21=0` asks for a flagged blob. It gets a batch axis of 1.
    mutating func memoryData(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 0...0)
        let sizes = try memoryDataSizes(layer)
        let count = try product(layer, sizes)
        let blob = try int(layer, 21, 1) == 0
            ? try weights.tagged(count: count, layer: layer.name) : try weights.raw(count: count, layer: layer.name)
        alias(layer.outputs[0], to: try weight("\(layer.name).data", shape: [1] + sizes, blob: blob, layer: layer))
    }
}
