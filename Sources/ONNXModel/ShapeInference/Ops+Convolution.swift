import TensorCore

/// Convolutions and the pixel-shuffle pair (`DepthToSpace`, `SpaceToDepth`).
enum ConvolutionOps {
    static func conv(_ context: inout InferenceContext) throws -> [ValueType?] {
        [try convolution(context, data: 0, weight: 1, bias: 2, element: context.element(0))]
    }

    /// `ConvInteger(x, w, x_zero_point, w_zero_point)`: int32 accumulators.
    static func convInteger(_ context: inout InferenceContext) throws -> [ValueType?] {
        [try convolution(context, data: 0, weight: 1, bias: nil, element: .int32)]
    }

    /// `QLinearConv(x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B)`: the output zero point's type.
    static func qlinearConv(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(7) ?? context.element(0)
        return [try convolution(context, data: 0, weight: 3, bias: 8, element: element)]
    }

    /// `DeformConv(X, W, offset, B, mask)`: shaped like a convolution.
    static func deformConv(_ context: inout InferenceContext) throws -> [ValueType?] {
        [try convolution(context, data: 0, weight: 1, bias: 3, element: context.element(0))]
    }

    /// `[N, C, D…] * [M, C/group, K…] → [N, M, O…]`.
    private static func convolution(
        _ context: InferenceContext, data: Int, weight: Int, bias: Int?, element: DataType?
    ) throws -> ValueType {
        guard let x = context.dims(data) else { return .tensor(element, nil) }
        guard x.count >= 2 else { throw context.invalid("input has rank \(x.count), expected at least 2") }
        let spatialRank = x.count - 2
        let group = try context.int("group", default: 1)
        guard group >= 1 else { throw context.invalid("attribute 'group' is \(group), expected at least 1") }
        let w = context.dims(weight)
        if let w {
            guard w.count == x.count else {
                throw context.invalid("weight has rank \(w.count), the input has rank \(x.count)")
            }
            if let inputChannels = x[1].value, let perGroup = w[1].value {
                let (expected, overflow) = perGroup.multipliedReportingOverflow(by: group)
                guard !overflow, expected == inputChannels else {
                    throw context.invalid(
                        "input has \(inputChannels) channels, the weight expects \(perGroup) per group × \(group) groups")
                }
            }
            if let outputChannels = w[0].value, outputChannels % group != 0 {
                throw context.invalid("weight has \(outputChannels) output channels, not divisible by group \(group)")
            }
        }
        let outputChannels = w?[0] ?? .unknown
        if let bias, let b = context.dims(bias) {
            guard b.count == 1 else { throw context.invalid("bias has rank \(b.count), expected 1") }
            guard b[0].unified(with: outputChannels) != nil else {
                throw context.invalid("bias has \(b[0]) values for \(outputChannels) output channels")
            }
        }
        let weightKernel = w.flatMap { Array($0.dropFirst(2)).staticValues }
        guard weightKernel != nil || context.attribute("kernel_shape") != nil else {
            return .tensor(element, [x[0], outputChannels] + Array(repeating: .unknown, count: spatialRank))
        }
        let window = try ConvolutionWindow(context, spatialRank: spatialRank, kernel: weightKernel)
        let spatial = try window.outputSizes(Array(x.dropFirst(2)), context: context)
        return .tensor(element, [x[0], outputChannels] + spatial)
    }

    /// `ConvTranspose(X, W, B)`: `[N, C, D…] * [C, M/group, K…] → [N, M, O…]` with
    /// `O = stride * (D - 1) + output_padding + (K - 1) * dilation + 1 - pads`, `D * stride` under
    /// SAME padding, or `output_shape`.
    static func convTranspose(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        guard let x = context.dims(0) else { return [.tensor(element, nil)] }
        guard x.count >= 2 else { throw context.invalid("input has rank \(x.count), expected at least 2") }
        let spatialRank = x.count - 2
        let group = try context.int("group", default: 1)
        guard group >= 1 else { throw context.invalid("attribute 'group' is \(group), expected at least 1") }
        let w = context.dims(1)
        if let w {
            guard w.count == x.count else {
                throw context.invalid("weight has rank \(w.count), the input has rank \(x.count)")
            }
            if let inputChannels = x[1].value, let weightChannels = w[0].value, inputChannels != weightChannels {
                throw context.invalid("input has \(inputChannels) channels, the weight expects \(weightChannels)")
            }
        }
        let outputChannels = try w.map { try $0[1].multiplied(by: group) } ?? .unknown
        let weightKernel = w.flatMap { Array($0.dropFirst(2)).staticValues }
        guard weightKernel != nil || context.attribute("kernel_shape") != nil else {
            return [.tensor(element, [x[0], outputChannels] + Array(repeating: .unknown, count: spatialRank))]
        }
        let window = try ConvolutionWindow(context, spatialRank: spatialRank, kernel: weightKernel)
        if let requested = try context.ints("output_shape") {
            // Spatial sizes only; a full N, C, spatial list is accepted too.
            guard requested.count == spatialRank || requested.count == spatialRank + 2 else {
                throw context.invalid("attribute 'output_shape' has \(requested.count) values, expected \(spatialRank)")
            }
            let spatial = requested.suffix(spatialRank).map(Dim.value)
            return [.tensor(element, [x[0], outputChannels] + spatial)]
        }
        let outputPadding = try context.ints("output_padding", count: spatialRank, minimum: 0, default: 0)
        var spatial: [Dim] = []
        for axis in 0..<spatialRank {
            let stride = window.strides[axis]
            let extent = try window.effectiveKernel(axis)
            let full = try x[axis + 2].subtracting(1).multiplied(by: stride)
                .adding(.value(outputPadding[axis])).adding(.value(extent))
            if window.autoPad == .sameUpper || window.autoPad == .sameLower {
                // SAME pads so that the output is `D * stride`; when even the unpadded output is
                // shorter, padding cannot be negative and the unpadded size stays (ONNX Runtime's rule).
                let reach = try Dim.value(extent).adding(.value(outputPadding[axis]))
                spatial.append((reach.value ?? 0) >= stride ? try x[axis + 2].multiplied(by: stride) : full)
            } else {
                let padding = try Dim.value(window.pads[axis]).adding(.value(window.pads[axis + spatialRank]))
                spatial.append(try full.subtracting(padding))
            }
        }
        return [.tensor(element, [x[0], outputChannels] + spatial)]
    }

    /// `DepthToSpace`: `[N, C, H, W] → [N, C/b², H·b, W·b]`.
    static func depthToSpace(_ context: inout InferenceContext) throws -> [ValueType?] {
        let block = try blockSize(context)
        guard let x = try context.requireRank(0, 4, what: "input") else { return [.tensor(context.element(0), nil)] }
        let square = try Dim.value(block).multiplied(by: block)
        if let channels = x[1].value, let area = square.value, channels % area != 0 {
            throw context.invalid("input has \(channels) channels, not divisible by blocksize² = \(area)")
        }
        let channels = x[1].value.map { Dim.value($0 / (square.value ?? 1)) } ?? x[1].exactlyDivided(by: square)
        return [
            .tensor(
                context.element(0),
                [x[0], channels, try x[2].multiplied(by: block), try x[3].multiplied(by: block)])
        ]
    }

    /// `SpaceToDepth`: `[N, C, H, W] → [N, C·b², H/b, W/b]`.
    static func spaceToDepth(_ context: inout InferenceContext) throws -> [ValueType?] {
        let block = try blockSize(context)
        guard let x = try context.requireRank(0, 4, what: "input") else { return [.tensor(context.element(0), nil)] }
        for axis in 2...3 {
            if let size = x[axis].value, size % block != 0 {
                throw context.invalid("input dimension \(size) is not divisible by blocksize \(block)")
            }
        }
        let channels = try x[1].multiplied(by: Dim.value(block).multiplied(by: block))
        return [
            .tensor(context.element(0), [x[0], channels, x[2].floorDivided(by: block), x[3].floorDivided(by: block)])
        ]
    }

    private static func blockSize(_ context: InferenceContext) throws -> Int {
        guard let block = try context.int("blocksize") else { throw context.invalid("attribute 'blocksize' is missing") }
        guard block >= 1 else { throw context.invalid("attribute 'blocksize' is \(block), expected at least 1") }
        return block
    }
}
