import Foundation
import ONNXModel

/// Crop and Slice: both cut blobs along axes whose meaning follows the blob's rank.
extension NCNNGraphBuilder {
    /// An ONNX Slice end that means "to the end of the axis".
    private static let toEnd = Int64.max

    /// ncnn's offset, size and trailing-offset parameter ids for each named axis.
    private static let cropIDs: [Character: (offset: Int, size: Int, trailing: Int)] = [
        "w": (0, 3, 6), "h": (1, 4, 7), "d": (13, 14, 15), "c": (2, 5, 8),
    ]

    /// Crop in its three forms: numpy-style (`9=starts 10=ends 11=axes`, negative values counted
    /// from the end, an end of 0 or -233 meaning "to the end"); offsets (`0/1/13/2` = w/h/d/c
    /// offset, `3/4/14/5` = size, -233 for "the rest", `6/7/15/8` = offset kept from the end); and
    /// with a second, reference blob whose sizes become the output's, starting at the offsets.
    mutating func crop(_ layer: NCNNLayer) throws(NCNNImportError) {
        let startExpressions = try expressionList(layer, 19)
        let endExpressions = try expressionList(layer, 20)
        if startExpressions != nil || endExpressions != nil {
            guard let startExpressions, let endExpressions else {
                throw fail(layer, "start and end expressions (19=, 20=) come together; ncnn ignores one alone")
            }
            return try cropByExpressions(layer, starts: startExpressions, ends: endExpressions)
        }
        try expect(layer, inputs: 1...2)
        let input = value(layer.inputs[0])
        let shape = shape(of: layer.inputs[0])
        let starts = try intArray(layer, 9)
        let ends = try intArray(layer, 10)
        if !starts.isEmpty || !ends.isEmpty {
            try expect(layer, inputs: 1...1)
            guard starts.count == ends.count else { throw fail(layer, "starts and ends differ in length") }
            let listed = try intArray(layer, 11)
            let axes = listed.isEmpty ? Array(0..<starts.count) : listed
            guard axes.count == starts.count else { throw fail(layer, "axes and starts differ in length") }
            let bounds = zip(starts, ends).map { start, end in
                (Int64(start == -233 ? 0 : start), end == -233 || end == 0 ? Self.toEnd : Int64(end))
            }
            var onnxAxes: [Int] = []
            for axis in axes { onnxAxes.append(try onnxAxis(axis, rank: shape.rank, layer: layer)) }
            try slice(layer, input, axes: onnxAxes, starts: bounds.map(\.0), ends: bounds.map(\.1), output: layer.outputs[0])
            return
        }
        let names = Array("cdhw").filter { NCNNBlobShape.index(of: $0, rank: shape.rank) != nil }
        if layer.inputs.count == 2 {
            try cropToReference(layer, input: input, names: names)
            return
        }
        var axes: [Int] = []
        var begins: [Int64] = []
        var stops: [Int64] = []
        // A size and a trailing offset together end at whichever comes first: a second Slice.
        var limits: [(axis: Int, size: Int64)] = []
        for name in names {
            guard let ids = Self.cropIDs[name], let index = NCNNBlobShape.index(of: name, rank: shape.rank) else { continue }
            let offset = try int(layer, ids.offset, 0)
            let size = try int(layer, ids.size, 0)
            let trailing = try int(layer, ids.trailing, 0)
            guard offset >= 0, trailing >= 0 else { throw fail(layer, "crop offsets must be non-negative") }
            guard size == -233 || size > 0 else {
                throw fail(layer, "crop size \(size) for '\(name)' leaves nothing (ncnn itself gives an empty blob)")
            }
            axes.append(index + 1)
            begins.append(Int64(offset))
            if size != -233 && trailing == 0 {
                let (end, overflow) = offset.addingReportingOverflow(size)
                guard !overflow else { throw fail(layer, "crop window overflows") }
                stops.append(Int64(end))
            } else {
                stops.append(trailing > 0 ? -Int64(trailing) : Self.toEnd)
                if size != -233 { limits.append((index + 1, Int64(size))) }
            }
        }
        guard !limits.isEmpty else {
            try slice(layer, input, axes: axes, starts: begins, ends: stops, output: layer.outputs[0])
            return
        }
        let cut = fresh("\(layer.outputs[0])_cut")
        try slice(layer, input, axes: axes, starts: begins, ends: stops, output: cut)
        try slice(layer, cut, axes: limits.map(\.axis), starts: limits.map { _ in 0 }, ends: limits.map(\.size),
                  output: layer.outputs[0])
    }

    /// Crop's two-blob form: w, h and d come from the reference blob, and c too when the reference
    /// has the input's rank (ncnn keeps the channels otherwise); the offsets come from the params.
    private mutating func cropToReference(_ layer: NCNNLayer, input: String, names: [Character]) throws(NCNNImportError) {
        if try int(layer, 0, 0) == -233 { throw fail(layer, "offsets read from the reference blob's values are not supported") }
        let inputRank = shape(of: layer.inputs[0]).rank
        let referenceRank = shape(of: layer.inputs[1]).rank
        let referenceShape = fresh("\(layer.name)_reference_shape")
        emit("Shape", name: layer.name, inputs: [value(layer.inputs[1])], outputs: [referenceShape])
        var axes: [Int64] = []
        var starts: [Int64] = []
        var ends: [String] = []
        for name in names {
            guard let ids = Self.cropIDs[name], let index = NCNNBlobShape.index(of: name, rank: inputRank) else { continue }
            if name == "c" && referenceRank != inputRank { continue }
            guard let referenceIndex = NCNNBlobShape.index(of: name, rank: referenceRank) else {
                throw fail(layer, "the reference blob (\(referenceRank)-D) has no '\(name)' axis for a \(inputRank)-D input")
            }
            let offset = try int(layer, ids.offset, 0)
            guard offset >= 0 else { throw fail(layer, "crop offsets must be non-negative") }
            let size = fresh("\(layer.name)_size_\(name)")
            let end = fresh("\(layer.name)_end_\(name)")
            emit("Gather", name: layer.name, inputs: [referenceShape, int64s("\(layer.name).index", [Int64(referenceIndex + 1)])],
                 outputs: [size])
            emit("Add", name: layer.name, inputs: [size, int64s("\(layer.name).offset", [Int64(offset)])], outputs: [end])
            axes.append(Int64(index + 1))
            starts.append(Int64(offset))
            ends.append(end)
        }
        let endList = fresh("\(layer.name)_ends")
        emit("Concat", name: layer.name, inputs: ends, outputs: [endList], attributes: [Attribute(name: "axis", value: .int(0))])
        emit("Slice", name: layer.name, inputs: [
            input, int64s("\(layer.name).starts", starts), endList, int64s("\(layer.name).axes", axes),
        ], outputs: [layer.outputs[0]])
    }

    /// Crop by expressions (`19=starts 20=ends 21=axes`, pnnx's form): per axis ncnn takes
    /// `[start, end)` with -233 meaning the axis's own bound, a negative start counted from the
    /// end and an end of 0 or less too. Starts and ends are computed in the graph; the axes must
    /// be plain numbers (all axes in order when absent).
    private mutating func cropByExpressions(
        _ layer: NCNNLayer, starts: [NCNNExpression], ends: [NCNNExpression]
    ) throws(NCNNImportError) {
        try expect(layer, inputs: 1...10)
        let rank = shape(of: layer.inputs[0]).rank
        var axes: [Int] = []
        for item in try expressionList(layer, 21) ?? [] {
            guard case .int(let axis) = item else { throw fail(layer, "axes expression item '\(item)' must be a number") }
            axes.append(try onnxAxis(axis, rank: rank, layer: layer))
        }
        if axes.isEmpty { axes = Array(1...rank) }
        guard starts.count >= axes.count, ends.count >= axes.count else {
            throw fail(layer, "\(axes.count) axes need as many starts and ends, found \(starts.count) and \(ends.count)")
        }
        let input = value(layer.inputs[0])
        let startValues = try buildIntegers(layer, Array(starts.prefix(axes.count)))
        let endValues = try buildIntegers(layer, Array(ends.prefix(axes.count)))
        let inputShape = fresh("\(layer.name)_shape")
        emit("Shape", name: layer.name, inputs: [input], outputs: [inputShape])
        let special = int64s("\(layer.name).whole", [-233])
        let zero = int64s("\(layer.name).zero", [0])
        var bounds: (starts: [String], ends: [String]) = ([], [])
        for (index, axis) in axes.enumerated() {
            let length = fresh("\(layer.name)_length")
            emit("Gather", name: layer.name, inputs: [inputShape, int64s("\(layer.name).axis", [Int64(axis)])], outputs: [length])
            // start: -233 → 0; a negative start counts from the end, as Slice's does.
            let startIsWhole = fresh("\(layer.name)_start_whole")
            let start = fresh("\(layer.name)_start")
            emit("Equal", name: layer.name, inputs: [startValues[index], special], outputs: [startIsWhole])
            emit("Where", name: layer.name, inputs: [startIsWhole, zero, startValues[index]], outputs: [start])
            // end: -233 → the length; then an end ≤ 0 counts from the end (Slice's 0 would be 0).
            let endIsWhole = fresh("\(layer.name)_end_whole")
            let end = fresh("\(layer.name)_end")
            let endIsPositive = fresh("\(layer.name)_end_positive")
            let fromEnd = fresh("\(layer.name)_end_from_back")
            let resolved = fresh("\(layer.name)_end_resolved")
            emit("Equal", name: layer.name, inputs: [endValues[index], special], outputs: [endIsWhole])
            emit("Where", name: layer.name, inputs: [endIsWhole, length, endValues[index]], outputs: [end])
            emit("Greater", name: layer.name, inputs: [end, zero], outputs: [endIsPositive])
            emit("Add", name: layer.name, inputs: [length, end], outputs: [fromEnd])
            emit("Where", name: layer.name, inputs: [endIsPositive, end, fromEnd], outputs: [resolved])
            bounds.starts.append(start)
            bounds.ends.append(resolved)
        }
        let startList = fresh("\(layer.name)_starts")
        let endList = fresh("\(layer.name)_ends")
        let joined = [Attribute(name: "axis", value: .int(0))]
        emit("Concat", name: layer.name, inputs: bounds.starts, outputs: [startList], attributes: joined)
        emit("Concat", name: layer.name, inputs: bounds.ends, outputs: [endList], attributes: joined)
        emit("Slice", name: layer.name, inputs: [input, startList, endList, int64s("\(layer.name).axes", axes.map(Int64.init))],
             outputs: [layer.outputs[0]])
    }

    /// Slice (`0=slices 1=axis 2=indices`): consecutive pieces along one axis, sized by `slices`
    /// (-233: an equal share of what is left) or bounded by `indices` (the last piece takes the
    /// rest).
    mutating func slice(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1, outputs: layer.outputs.count)
        guard !layer.outputs.isEmpty else { throw fail(layer, "Slice needs at least one output") }
        let input = value(layer.inputs[0])
        let shape = shape(of: layer.inputs[0])
        let axis = try int(layer, 1, 0)
        let onnx = try onnxAxis(axis, rank: shape.rank, layer: layer)
        let count = layer.outputs.count
        let indices = try intArray(layer, 2)
        let sizes = try intArray(layer, 0)
        var bounds: [(start: Int64, end: Int64)] = []
        if !indices.isEmpty {
            guard indices.count >= count - 1 else { throw fail(layer, "\(indices.count) indices for \(count) outputs") }
            var start: Int64 = 0
            for index in 0..<count {
                let end = index == count - 1 ? Self.toEnd : Int64(indices[index])
                bounds.append((start, end))
                start = end
            }
        } else {
            guard sizes.count == count else { throw fail(layer, "\(sizes.count) slice sizes for \(count) outputs") }
            let length = shape.sizes[onnx - 1]
            var start = 0
            for (index, size) in sizes.enumerated() {
                var piece = size
                if size == -233 {
                    if index == count - 1 {
                        bounds.append((Int64(start), Self.toEnd))
                        continue
                    }
                    // Nothing is emitted before the bounds are known, so the graph can take over here.
                    guard let length else { return try sliceInShares(layer, input, axis: onnx, sizes: sizes) }
                    piece = (length - start) / (count - index)
                }
                guard piece >= 0 else { throw fail(layer, "slice size \(size) is not supported") }
                bounds.append((Int64(start), Int64(start + piece)))
                start += piece
            }
        }
        for (output, bound) in zip(layer.outputs, bounds) {
            try slice(layer, input, axes: [onnx], starts: [bound.start], ends: [bound.end], output: output)
        }
    }

    /// Slice sizes with equal shares (-233) along an axis whose length only the input decides:
    /// ncnn gives each share `(length − start) / outputs left` with integer division, so the
    /// bounds are computed in the graph from the input's shape, piece after piece.
    private mutating func sliceInShares(_ layer: NCNNLayer, _ input: String, axis: Int, sizes: [Int]) throws(NCNNImportError) {
        let shape = fresh("\(layer.name)_shape")
        let length = fresh("\(layer.name)_length")
        let axes = int64s("\(layer.name).axes", [Int64(axis)])
        emit("Shape", name: layer.name, inputs: [input], outputs: [shape])
        emit("Gather", name: layer.name, inputs: [shape, axes], outputs: [length])
        var start = int64s("\(layer.name).start", [0])
        for (index, (size, output)) in zip(sizes, layer.outputs).enumerated() {
            let piece: String
            if size == -233 {
                let rest = fresh("\(layer.name)_rest")
                piece = fresh("\(layer.name)_share")
                emit("Sub", name: layer.name, inputs: [length, start], outputs: [rest])
                emit("Div", name: layer.name, inputs: [rest, int64s("\(layer.name).outputs_left", [Int64(sizes.count - index)])],
                     outputs: [piece])
            } else {
                guard size >= 0 else { throw fail(layer, "slice size \(size) is not supported") }
                piece = int64s("\(layer.name).size", [Int64(size)])
            }
            let end = fresh("\(layer.name)_end")
            emit("Add", name: layer.name, inputs: [start, piece], outputs: [end])
            emit("Slice", name: layer.name, inputs: [input, start, end, axes], outputs: [output])
            start = end
        }
    }

    /// ncnn's axis (negative counts from the end) as the ONNX axis, after the batch axis.
    private func onnxAxis(_ axis: Int, rank: Int, layer: NCNNLayer) throws(NCNNImportError) -> Int {
        let positive = axis < 0 ? axis + rank : axis
        guard (0..<rank).contains(positive) else { throw fail(layer, "axis \(axis) is outside a \(rank)-D blob") }
        return positive + 1
    }

    private mutating func slice(
        _ layer: NCNNLayer, _ input: String, axes: [Int], starts: [Int64], ends: [Int64], output: String
    ) throws(NCNNImportError) {
        emit("Slice", name: layer.name, inputs: [
            input, int64s("\(layer.name).starts", starts), int64s("\(layer.name).ends", ends),
            int64s("\(layer.name).axes", axes.map(Int64.init)),
        ], outputs: [output])
    }
}
