import TensorCore

/// Conv over one or two spatial axes: per image and group, `W[g] · patches` as one GEMM with
/// the patches packed straight from the image, then the bias and any fused nodes (``epilogue``);
/// or, for the 3×3 convolutions the plan prepared, ``WinogradConv`` with the epilogue inside.
struct ConvKernel: Sendable {
    var geometry: ConvGeometry
    var group: Int
    var epilogue: ConvEpilogue
    /// The Winograd kernel with its transformed weights, when the plan chose it.
    var winograd: WinogradConv?

    /// - Parameters:
    ///   - weight: the constant weight as the plan will feed it, when Winograd may prepare it
    ///     (``WinogradConv`` decides); `nil` keeps the direct kernel.
    ///   - winogradTile: the Winograd output tile, 4 or 6.
    init(
        _ node: NodeContext, epilogue: ConvEpilogue = ConvEpilogue(), weight: NDArray? = nil, winogradTile: Int = 4
    ) throws(ReferenceEngineError) {
        geometry = try ConvGeometry(node, kernel: try node.ints("kernel_shape"))
        group = try node.int("group", default: 1)
        self.epilogue = epilogue
        try node.require(group > 0, "attribute 'group' must be positive, found \(group)")
        winograd = WinogradConv(tile: winogradTile, geometry: geometry, group: group, weight: weight)
    }

    func run(_ inputs: KernelInputs, _ context: ExecutionContext) throws -> [NDArray] {
        let x = try inputs.at(0)
        // The plan feeds no weight to a step whose Winograd kernel holds it transformed.
        let w = inputs.optional(1)
        guard let weightShape = w?.shape ?? winograd.map({ [$0.outChannels, $0.inChannels, 3, 3] }) else {
            throw KernelError.missingInput(1)
        }
        let bias = try inputs.optional(2)?.floats()
        guard x.rank == 3 || x.rank == 4, weightShape.count == x.rank else {
            throw KernelError.invalid("Conv takes NCW or NCHW inputs with a weight of the same rank, got \(x.shape) and \(weightShape)")
        }
        // One spatial axis runs as two, with a height of 1.
        let xs = x.rank == 3 ? [x.shape[0], x.shape[1], 1, x.shape[2]] : x.shape
        let ws = weightShape.count == 3 ? [weightShape[0], weightShape[1], 1, weightShape[2]] : weightShape
        var geometry = self.geometry
        if geometry.kernel.isEmpty { geometry.kernel = Array(weightShape.dropFirst(2)) }
        let (batch, channels, outChannels) = (xs[0], xs[1], ws[0])
        guard channels % group == 0, outChannels % group == 0, ws[1] == channels / group else {
            throw KernelError.shapeMismatch("input \(x.shape) and weight \(weightShape) do not fit group \(group)")
        }
        guard Array(weightShape.dropFirst(2)) == geometry.kernel else {
            throw KernelError.shapeMismatch("kernel_shape \(geometry.kernel) differs from the weight's \(weightShape)")
        }
        if let bias, bias.count != outChannels { throw KernelError.shapeMismatch("bias has \(bias.count) values for \(outChannels) channels") }
        let residual = try epilogue.residual.map { index throws(KernelError) in try inputs.at(index) }
        let spatial = Array(x.shape.dropFirst(2))
        let (begin, _, output) = try geometry.resolve(input: spatial)
        let strides = geometry.resolvedStrides
        let dilations = geometry.resolvedDilations
        let two = x.rank == 4
        let (oh, ow) = two ? (output[0], output[1]) : (1, output[0])
        let outShape = [batch, outChannels] + output
        // A residual that only broadcasts to the output is added after the bias, by broadcasting.
        let inPlace = residual.map { $0.shape == outShape } ?? true
        let residualValues = try residual.map { value throws(KernelError) in try value.floats() }
        let xv = try x.floats()
        var result = context.floats(outShape.product)
        if let winograd, two, group == 1, ws == [winograd.outChannels, winograd.inChannels, 3, 3] {
            // In place, the whole epilogue runs in the output transform; a broadcast residual
            // leaves it to the passes below, the bias included.
            try xv.withUnsafeBufferPointer { xb throws(KernelError) in
                try result.withUnsafeMutableBufferPointer { ob throws(KernelError) in
                    try (residualValues ?? []).withUnsafeBufferPointer { rb throws(KernelError) in
                        guard let xp = xb.baseAddress, let op = ob.baseAddress else { return }
                        for n in 0..<batch {
                            try winograd.run(
                                input: xp + n * channels * xs[2] * xs[3], height: xs[2], width: xs[3],
                                output: op + n * outChannels * oh * ow, outHeight: oh, outWidth: ow, padTop: begin[0],
                                padLeft: begin[1], bias: inPlace ? bias : nil,
                                residual: inPlace && residualValues != nil ? rb.baseAddress.map { $0 + n * outChannels * oh * ow } : nil,
                                activation: inPlace ? epilogue.activation : nil, context: context)
                        }
                    }
                }
            }
            if inPlace { return [NDArray(floats: result, shape: outShape, type: x.dataType)] }
        } else {
            guard let w else { throw KernelError.missingInput(1) }
            product(x: xv, w: try w.floats(), into: &result, batch: batch, channels: channels, outChannels: outChannels, xs: xs, ws: ws,
                    output: (oh, ow), begin: begin, strides: strides, dilations: dilations, two: two, context: context)
        }
        guard let residual, let residualValues, !inPlace else {
            epilogue.apply(to: &result, shape: outShape, bias: bias, residual: residualValues, context: context)
            return [NDArray(floats: result, shape: outShape, type: x.dataType)]
        }
        ConvEpilogue().apply(to: &result, shape: outShape, bias: bias, residual: nil, context: context)
        var (sum, shape) = try Broadcast.binary(result, outShape, residualValues, residual.shape, context: context, HotFunctions.Add())
        // The broadcast may have added leading axes; the channel axis keeps its place from the end.
        ConvEpilogue(activation: epilogue.activation).apply(
            to: &sum, shape: shape, channelAxis: shape.count - outShape.count + 1, bias: nil, residual: nil, context: context)
        return [NDArray(floats: sum, shape: shape, type: x.dataType)]
    }

    /// The direct product into `result`: per image and group, one GEMM over packed patches (or
    /// the image itself for a pointwise convolution).
    private func product(
        x: [Float], w: [Float], into result: inout [Float], batch: Int, channels: Int, outChannels: Int, xs: [Int],
        ws: [Int], output: (height: Int, width: Int), begin: [Int], strides: [Int], dilations: [Int], two: Bool,
        context: ExecutionContext
    ) {
        let (oh, ow) = output
        let cin = channels / group
        let cout = outChannels / group
        let depth = cin * ws[2] * ws[3]
        let pointwise = ws[2] == 1 && ws[3] == 1 && strides.allSatisfy { $0 == 1 } && begin.allSatisfy { $0 == 0 }
            && oh == xs[2] && ow == xs[3]
        x.withUnsafeBufferPointer { xb in
            w.withUnsafeBufferPointer { wb in
                result.withUnsafeMutableBufferPointer { ob in
                    guard let xp = xb.baseAddress, let wp = wb.baseAddress, let op = ob.baseAddress else { return }
                    for n in 0..<batch {
                        for g in 0..<group {
                            let image = xp + (n * channels + g * cin) * xs[2] * xs[3]
                            let target = op + (n * outChannels + g * cout) * oh * ow
                            let weights = MatrixView(wp + g * cout * depth, columns: depth)
                            if pointwise {
                                GEMM.multiply(
                                    m: cout, n: oh * ow, k: depth, a: weights, b: MatrixView(image, columns: oh * ow), c: target,
                                    ldc: oh * ow, accumulate: false, context: context)
                            } else {
                                let patches = PatchSource(
                                    input: image, height: xs[2], width: xs[3], kernelHeight: ws[2], kernelWidth: ws[3],
                                    strideY: two ? strides[0] : 1, strideX: strides[two ? 1 : 0],
                                    dilationY: two ? dilations[0] : 1, dilationX: dilations[two ? 1 : 0],
                                    padTop: two ? begin[0] : 0, padLeft: begin[two ? 1 : 0], outputWidth: ow)
                                GEMM.multiply(
                                    m: cout, n: oh * ow, k: depth, a: weights, b: patches, c: target, ldc: oh * ow,
                                    accumulate: false, context: context)
                            }
                        }
                    }
                }
            }
        }
    }
}
