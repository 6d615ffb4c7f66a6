import TensorCore

/// Resampling: Resize, Upsample, GridSample, AffineGrid.
enum ResizeOps {
    /// `Resize`: opset 10 takes `(X, scales)`; 11+ `(X, roi, scales, sizes)` with one of scales
    /// and sizes; 18+ adds the `axes` and `keep_aspect_ratio_policy` attributes.
    static func resize(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        let (scalesIndex, sizesIndex) = context.opset < 11 ? (1, Int?.none) : (2, Int?.some(3))
        let x = context.dims(0)
        let rank = x?.count
        var axes: [Int]?
        if context.opset >= 18, let listed = try context.ints("axes") {
            guard let rank else { return [.tensor(element, nil)] }
            axes = try context.axes(listed, rank: rank)
        }
        // An empty `sizes` or `scales` tensor stands for an omitted input (opset 11-12 style).
        if let sizesIndex, context.has(sizesIndex), context.staticLength(sizesIndex) != 0 {
            guard let sizes = context.dimValues(sizesIndex) else {
                return [.tensor(element, rank.map { Array(repeating: .unknown, count: $0) })]
            }
            if let bad = sizes.first(where: { ($0.value ?? 0) < 0 }) {
                throw context.invalid("sizes has negative value \(bad)")
            }
            let targets = axes ?? Array(0..<(rank ?? sizes.count))
            guard sizes.count == targets.count else {
                throw context.invalid("sizes has \(sizes.count) values for \(targets.count) axes")
            }
            guard let x else { return [.tensor(element, axes == nil ? sizes : nil)] }
            return [.tensor(element, try keepingAspectRatio(context, x: x, axes: targets, sizes: sizes))]
        }
        guard context.has(scalesIndex), let x else {
            return [.tensor(element, rank.map { Array(repeating: .unknown, count: $0) })]
        }
        guard let scales = context.floatValues(scalesIndex) else {
            return [.tensor(element, Array(repeating: .unknown, count: x.count))]
        }
        let targets = axes ?? Array(0..<x.count)
        guard scales.count == targets.count else {
            throw context.invalid("scales has \(scales.count) values for \(targets.count) axes")
        }
        var dims = x
        for (axis, scale) in zip(targets, scales) { dims[axis] = try scaled(x[axis], by: scale, context: context) }
        return [.tensor(element, dims)]
    }

    /// `keep_aspect_ratio_policy` "not_larger"/"not_smaller" scale every listed axis by the
    /// smallest/largest requested ratio (computed in float, rounded, as ONNX does).
    private static func keepingAspectRatio(_ context: InferenceContext, x: [Dim], axes: [Int], sizes: [Dim]) throws
        -> [Dim]
    {
        var dims = x
        let policy = context.opset >= 18 ? try context.string("keep_aspect_ratio_policy") ?? "stretch" : "stretch"
        guard policy == "not_larger" || policy == "not_smaller" else {
            for (axis, size) in zip(axes, sizes) { dims[axis] = size }
            return dims
        }
        var ratio: Float = policy == "not_larger" ? .greatestFiniteMagnitude : 0
        for (axis, size) in zip(axes, sizes) {
            guard let wanted = size.value, let have = x[axis].value, have > 0 else {
                for axis in axes { dims[axis] = .unknown }
                return dims
            }
            let r = Float(wanted) / Float(have)
            ratio = policy == "not_larger" ? min(ratio, r) : max(ratio, r)
        }
        for axis in axes {
            let size = (ratio * Float(x[axis].value ?? 0)).rounded()
            guard size.isFinite, size >= 0, size <= Float(Limits.maximumDimension) else {
                throw context.invalid("resized dimension \(size) is out of range")
            }
            dims[axis] = .value(Int(size))
        }
        return dims
    }

    /// `floor(size * scale)`, computed in float as ONNX does; symbolically exact for whole scales
    /// and for 1/2ⁿ.
    static func scaled(_ size: Dim, by scale: Double, context: InferenceContext) throws -> Dim {
        guard scale.isFinite, scale > 0 else { throw context.invalid("scale \(scale) is not positive") }
        if let value = size.value {
            let product = (Float(value) * Float(scale)).rounded(.down)
            guard product.isFinite, product <= Float(Limits.maximumDimension) else {
                throw context.invalid("scaling \(value) by \(scale) is out of range")
            }
            return .value(Int(product))
        }
        if scale >= 1, scale == scale.rounded(), scale <= Double(Limits.maximumDimension) {
            return try size.multiplied(by: Int(scale))
        }
        let inverse = 1 / scale
        if inverse == inverse.rounded(), inverse <= 1024, Int(inverse).nonzeroBitCount == 1 {
            return size.floorDivided(by: Int(inverse))
        }
        return .unknown
    }

    /// `Upsample`: `scales` attribute (opset 7-8) or input (9), `floor(size * scale)`.
    static func upsample(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        guard let x = context.dims(0) else { return [.tensor(element, nil)] }
        let scales: [Double]
        if context.opset < 9 {
            if let values = try context.floats("scales") {
                scales = values.map(Double.init)
            } else {
                // Opset 1 names the factors `height_scale` and `width_scale` for NCHW input.
                guard let h = try context.float("height_scale"), let w = try context.float("width_scale") else {
                    throw context.invalid("attribute 'scales' is missing")
                }
                scales = [1, 1, Double(h), Double(w)]
            }
        } else {
            guard let values = context.floatValues(1) else {
                return [.tensor(element, Array(repeating: .unknown, count: x.count))]
            }
            scales = values
        }
        guard scales.count == x.count else { throw context.invalid("scales has \(scales.count) values for rank \(x.count)") }
        return [.tensor(element, try zip(x, scales).map { try scaled($0, by: $1, context: context) })]
    }

    /// `GridSample(X [N, C, D…], grid [N, O…, r])`: `[N, C, O…]`.
    static func gridSample(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        guard let x = context.dims(0), let grid = context.dims(1) else { return [.tensor(element, nil)] }
        guard x.count >= 3, grid.count == x.count else {
            throw context.invalid("grid has rank \(grid.count), the input has rank \(x.count)")
        }
        guard let batch = x[0].unified(with: grid[0]) else {
            throw context.invalid("grid has batch \(grid[0]), the input \(x[0])")
        }
        return [.tensor(element, [batch, x[1]] + grid.dropFirst().dropLast())]
    }

    /// `AffineGrid(theta, size)`: `[N, H, W, 2]` or `[N, D, H, W, 3]` from the requested size.
    static func affineGrid(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        guard let size = context.dimValues(1) else { return [.tensor(element, nil)] }
        guard size.count == 4 || size.count == 5 else { throw context.invalid("size has \(size.count) values, expected 4 or 5") }
        return [.tensor(element, [size[0]] + size.dropFirst(2) + [.value(size.count - 2)])]
    }
}
