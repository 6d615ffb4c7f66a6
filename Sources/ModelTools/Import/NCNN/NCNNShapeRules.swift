/// The rank and known sizes of each blob a layer writes, following ncnn's layer sources.
extension NCNNGraphBuilder {
    /// The shapes of `layer`'s outputs, in order, from its inputs' shapes and its parameters.
    func outputShapes(of layer: NCNNLayer) throws(NCNNImportError) -> [NCNNBlobShape] {
        let inputs = layer.inputs.map { shape(of: $0) }
        let first = inputs.first ?? .image(channels: nil)
        let same = Array(repeating: first, count: layer.outputs.count)
        switch layer.type {
        case "Input":
            let channels = try int(layer, 2, 0)
            return [.image(channels: channels > 0 ? channels : nil)]
        case "MemoryData":
            return [NCNNBlobShape(sizes: try memoryDataSizes(layer))]
        case "Convolution", "ConvolutionDepthWise":
            // Dynamic weights: the weight blob's outermost axis counts the outputs.
            let dynamic = try int(layer, 19, 0) != 0 && inputs.count > 1
            return [.image(channels: dynamic ? inputs[1].outer : try int(layer, 0, 0))]
        case "Deconvolution", "DeconvolutionDepthWise":
            return [.image(channels: try int(layer, 0, 0))]
        case "InnerProduct":
            return [NCNNBlobShape(sizes: [try int(layer, 0, 0)])]
        case "Pooling":
            // Global pooling reduces every axis but the outermost: a 3-D blob becomes a vector
            // (adaptive pooling, which ncnn checks first, keeps the image's rank).
            let adaptive = try int(layer, 7, 0) != 0
            let global = try int(layer, 4, 0) != 0
            return global && !adaptive ? [NCNNBlobShape(sizes: [first.outer])] : [.image(channels: first.outer)]
        case "PixelShuffle":
            let factor = try int(layer, 0, 1)
            return [.image(channels: first.outer.map { $0 / max(1, factor * factor) })]
        case "Interp":
            return [.image(channels: first.outer)]
        case "Padding":
            let extra = try int(layer, 7, 0) + int(layer, 8, 0)
            return [.image(channels: first.outer.map { $0 + extra })]
        case "Flatten":
            return [NCNNBlobShape(sizes: [product(of: first.sizes)])]
        case "Reshape":
            return [try reshapedShape(layer, input: first)]
        case "Permute":
            return [NCNNBlobShape(sizes: try permutation(layer, rank: first.rank).map { first.sizes[$0] })]
        case "Concat":
            return [concatenated(inputs, axis: try int(layer, 0, 0))]
        case "BinaryOp":
            return [inputs.count == 2 ? broadcast(inputs[0], inputs[1]) : first]
        case "Crop", "Slice":
            // The cut axes lose their static size; the others keep it.
            let axes = try cutAxes(layer, rank: first.rank)
            var shape = first
            for axis in axes where shape.sizes.indices.contains(axis) { shape.sizes[axis] = nil }
            return Array(repeating: shape, count: layer.outputs.count)
        case "Squeeze":
            let dropped = try squeezedAxes(layer, input: first)
            let kept = first.sizes.indices.filter { !dropped.contains($0) }.map { first.sizes[$0] }
            // ncnn squeezes everything to a 1-D blob of one element.
            return [NCNNBlobShape(sizes: kept.isEmpty ? [1] : kept)]
        case "Reduction":
            let reduced = try reducedAxes(layer, rank: first.rank)
            if try int(layer, 4, 0) != 0 {
                return [NCNNBlobShape(sizes: first.sizes.indices.map { reduced.contains($0) ? 1 : first.sizes[$0] })]
            }
            let kept = first.sizes.indices.filter { !reduced.contains($0) }.map { first.sizes[$0] }
            return [NCNNBlobShape(sizes: kept.isEmpty ? [1] : kept)]
        case "MatMul":
            // numpy's rank rules; a vector operand's axis leaves the result (ncnn keeps [1] of two).
            let ranks = (inputs.first?.rank ?? 3, inputs.dropFirst().first?.rank ?? 3)
            let rank = switch ranks {
            case (1, 1): 1
            case (1, let b): b - 1
            case (let a, 1): a - 1
            case (let a, let b): max(a, b)
            }
            return [.unknown(rank: rank)]
        case "Gemm":
            let known = { (size: Int) in size > 0 ? size : nil }
            var sizes = [known(try int(layer, 7, 0)), known(try int(layer, 8, 0))]
            if try int(layer, 14, 0) != 0 { sizes.reverse() }
            return [NCNNBlobShape(sizes: try int(layer, 11, 0) != 0 ? [sizes[0], 1, sizes[1]] : sizes)]
        case "Unfold":
            let width = try int(layer, 1, 0)
            let taps = try product(layer, [width, try int(layer, 11, width)])
            return [NCNNBlobShape(sizes: [try first.outer.map { channels throws(NCNNImportError) in try product(layer, [channels, taps]) }, nil])]
        case "ExpandDims":
            var sizes = first.sizes
            for axis in try expandedAxes(layer, rank: first.rank) { sizes.insert(1, at: axis) }
            return [NCNNBlobShape(sizes: sizes)]
        case "Tile":
            let tiling = try tiling(layer, input: first)
            var sizes: [Int?] = []
            for (size, count) in zip(tiling.expanded.sizes, tiling.repeats) {
                sizes.append(try size.map { known throws(NCNNImportError) in try product(layer, [known, count]) })
            }
            return [NCNNBlobShape(sizes: sizes)]
        default:
            // Element-wise layers, Split, Noop, Dropout, BatchNorm, Scale, Eltwise, Softmax, Flip, ShuffleChannel.
            return same
        }
    }

    /// The axes (outermost first) Squeeze removes: those listed in `3=axes`, or flagged by
    /// `0=w 1=h 11=d 2=c`, whose size is 1. ncnn checks the sizes at run time, so each must be fixed
    /// by the `.param` for the output's rank to be known.
    func squeezedAxes(_ layer: NCNNLayer, input: NCNNBlobShape) throws(NCNNImportError) -> [Int] {
        let listed = try intArray(layer, 3)
        var candidates: [Int] = []
        if listed.isEmpty {
            for (id, name) in [(0, Character("w")), (1, "h"), (11, "d"), (2, "c")] where try int(layer, id, 0) != 0 {
                if let index = NCNNBlobShape.index(of: name, rank: input.rank), input.sizes.indices.contains(index) { candidates.append(index) }
            }
        } else {
            for axis in listed {
                let index = axis < 0 ? axis + input.rank : axis
                guard input.sizes.indices.contains(index) else { throw fail(layer, "axis \(axis) is outside a \(input.rank)-D blob") }
                candidates.append(index)
            }
        }
        var dropped: [Int] = []
        for index in Set(candidates).sorted() {
            guard let size = input.sizes[index] else {
                throw fail(layer, "whether axis \(index) is squeezed depends on the input's size, which the .param does not fix")
            }
            if size == 1 { dropped.append(index) }
        }
        return dropped
    }

    /// The axes (outermost first) Reduction (`1=reduce_all 3=axes 5=fixbug0`) reduces: all, or
    /// those listed; a vector always loses its one axis.
    func reducedAxes(_ layer: NCNNLayer, rank: Int) throws(NCNNImportError) -> [Int] {
        if try int(layer, 1, 1) != 0 || rank == 1 { return Array(0..<rank) }
        let listed = try intArray(layer, 3)
        // ncnn refuses to load listed axes without the flag: older files counted a batch axis.
        guard try int(layer, 5, 0) != 0 || listed.isEmpty else { throw fail(layer, "axes without 5=1 count a batch axis; regenerate the .param") }
        var axes: Set<Int> = []
        for axis in listed {
            let index = axis < 0 ? axis + rank : axis
            guard (0..<rank).contains(index) else { throw fail(layer, "axis \(axis) is outside a \(rank)-D blob") }
            axes.insert(index)
        }
        guard !axes.isEmpty else { throw fail(layer, "Reduction over no axis is not supported") }
        return axes.sorted()
    }

    /// The axes of ExpandDims' output (outermost first) that `3=axes` inserts, each of size 1.
    func expandedAxes(_ layer: NCNNLayer, rank: Int) throws(NCNNImportError) -> [Int] {
        let listed = try intArray(layer, 3)
        let outputRank = rank + listed.count
        let axes = listed.map { $0 < 0 ? $0 + outputRank : $0 }
        guard outputRank <= 4, Set(axes).count == axes.count, axes.allSatisfy({ (0..<outputRank).contains($0) }) else {
            throw fail(layer, "axes \(listed) do not name distinct new axes of a blob of at most 4 dimensions")
        }
        return axes.sorted()
    }

    /// Tile (`0=axis 1=tiles`, or numpy-style `2=repeats`): the input with size-1 axes inserted for
    /// the output's rank (ncnn keeps each named axis — c, d, h, w — in place), and the repeat
    /// count of each output axis, outermost first.
    func tiling(_ layer: NCNNLayer, input: NCNNBlobShape) throws(NCNNImportError) -> (expanded: NCNNBlobShape, inserted: [Int], repeats: [Int]) {
        let listed = try intArray(layer, 2)
        guard listed.count <= 4, listed.allSatisfy({ $0 >= 1 }) else {
            throw fail(layer, "repeats \(listed) must be one to four positive counts")
        }
        let outputRank = max(input.rank, listed.count)
        let inputNames = NCNNBlobShape.axisNames(rank: input.rank)
        let outputNames = NCNNBlobShape.axisNames(rank: outputRank)
        var expanded = NCNNBlobShape(sizes: [])
        var inserted: [Int] = []
        for (index, name) in outputNames.enumerated() {
            if let from = inputNames.firstIndex(of: name) {
                expanded.sizes.append(input.sizes[from])
            } else {
                expanded.sizes.append(1)
                inserted.append(index)
            }
        }
        var repeats = Array(repeating: 1, count: outputRank)
        if listed.isEmpty {
            let axis = try int(layer, 0, 0)
            let tiles = try int(layer, 1, 1)
            guard repeats.indices.contains(axis), tiles >= 1 else {
                throw fail(layer, "axis \(axis) and tiles \(tiles) must name an axis of the \(input.rank)-D blob and a positive count")
            }
            repeats[axis] = tiles
        } else {
            // Listed counts are aligned with the innermost axes, as in numpy.
            repeats.replaceSubrange((outputRank - listed.count)..., with: listed)
        }
        return (expanded, inserted, repeats)
    }

    /// MemoryData's `0=w 1=h 11=d 2=c`: the highest size given sets the rank.
    func memoryDataSizes(_ layer: NCNNLayer) throws(NCNNImportError) -> [Int] {
        let w = try int(layer, 0, 0)
        let h = try int(layer, 1, 0)
        let d = try int(layer, 11, 0)
        let c = try int(layer, 2, 0)
        let sizes = d != 0 ? [c, d, h, w] : c != 0 ? [c, h, w] : h != 0 ? [h, w] : w != 0 ? [w] : [1]
        guard sizes.allSatisfy({ $0 > 0 }) else { throw fail(layer, "MemoryData sizes \(sizes) must be positive") }
        return sizes
    }

    /// ncnn's BinaryOp result: the lower-rank operand is aligned with the other's outer axes (a
    /// vector as long as the channels scales per channel), unless it is a vector matching the
    /// innermost axis instead.
    func broadcast(_ a: NCNNBlobShape, _ b: NCNNBlobShape) -> NCNNBlobShape {
        if a.rank != b.rank { return a.rank > b.rank ? a : b }
        return NCNNBlobShape(sizes: zip(a.sizes, b.sizes).map { x, y in
            if x == y { return x }
            if x == 1 { return y }
            if y == 1 { return x }
            return nil
        })
    }

    /// Reshape's output: `0` keeps the input's size of the same name, `-1` is inferred.
    func reshapedShape(_ layer: NCNNLayer, input: NCNNBlobShape) throws(NCNNImportError) -> NCNNBlobShape {
        if let expression = try expressionList(layer, 6) {
            // A size expression lists one to four sizes, width first; literals are known now.
            guard (1...4).contains(expression.count) else {
                throw fail(layer, "a shape expression lists \(expression.count) sizes; ncnn takes one to four")
            }
            return NCNNBlobShape(sizes: expression.reversed().map { item in
                if case .int(let size) = item, size > 0 { size } else { nil }
            })
        }
        let named = try reshapeTargets(layer)
        return NCNNBlobShape(sizes: named.map { axis, size in
            switch size {
            case 0: input.size(named: axis) ?? nil
            case -1: nil
            default: size
            }
        })
    }

    /// Reshape's `0=w 1=h 11=d 2=c` as (axis name, size) pairs, outermost first; -233 omits an axis.
    func reshapeTargets(_ layer: NCNNLayer) throws(NCNNImportError) -> [(axis: Character, size: Int)] {
        let absent = -233
        let w = try int(layer, 0, absent)
        let h = try int(layer, 1, absent)
        let d = try int(layer, 11, absent)
        let c = try int(layer, 2, absent)
        let targets: [(axis: Character, size: Int)]
        if w == absent { throw fail(layer, "Reshape without a width (0=) is not supported") }
        if h == absent { targets = [("w", w)] }
        else if c == absent { targets = [("h", h), ("w", w)] }
        else if d == absent { targets = [("c", c), ("h", h), ("w", w)] }
        else { targets = [("c", c), ("d", d), ("h", h), ("w", w)] }
        guard targets.allSatisfy({ $0.size >= -1 }), targets.filter({ $0.size == -1 }).count <= 1 else {
            throw fail(layer, "reshape sizes \(targets.map(\.size)) are not supported (each must be 0, -1 once, or positive)")
        }
        return targets
    }

    /// Permute's `0=order_type` as the input axis each output axis takes, outermost first.
    func permutation(_ layer: NCNNLayer, rank: Int) throws(NCNNImportError) -> [Int] {
        let type = try int(layer, 0, 0)
        let orders: [[Int]] = switch rank {
        case 1: [[0]]
        case 2: [[0, 1], [1, 0]]
        // ncnn's six orders of a 3-D blob, as the input axis (c 0, h 1, w 2) each output axis takes.
        case 3: [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]
        default: []
        }
        guard orders.indices.contains(type) else {
            throw fail(layer, "permute order \(type) is not supported for a \(rank)-D blob")
        }
        return orders[type]
    }

    /// Concat's result: the sizes along `axis` add up where all are known.
    private func concatenated(_ inputs: [NCNNBlobShape], axis: Int) -> NCNNBlobShape {
        guard var result = inputs.first else { return .image(channels: nil) }
        let index = axis < 0 ? axis + result.rank : axis
        guard result.sizes.indices.contains(index) else { return result }
        let parts = inputs.map { $0.sizes.indices.contains(index) ? $0.sizes[index] : nil }
        result.sizes[index] = parts.contains(where: { $0 == nil }) ? nil : parts.reduce(0) { $0 + ($1 ?? 0) }
        return result
    }

    /// The axes (outermost first, non-negative) a Crop or Slice layer shortens.
    private func cutAxes(_ layer: NCNNLayer, rank: Int) throws(NCNNImportError) -> [Int] {
        if layer.type == "Slice" {
            let axis = try int(layer, 1, 0)
            return [axis < 0 ? axis + rank : axis]
        }
        let listed = try intArray(layer, 11)
        if !(try intArray(layer, 9)).isEmpty {
            let axes = listed.isEmpty ? Array(0..<(try intArray(layer, 9)).count) : listed
            return axes.map { $0 < 0 ? $0 + rank : $0 }
        }
        return Array(0..<rank)
    }

    private func product(of sizes: [Int?]) -> Int? {
        var result = 1
        for size in sizes {
            guard let size else { return nil }
            result *= size
        }
        return result
    }
}
