import TensorCore

/// ConvTranspose over one or two spatial axes: per image and group, `W[g]ᵀ · X[g]` gives every
/// tap's contribution (a GEMM), which col2im then adds into the strided, padded output.
struct ConvTransposeKernel: Sendable {
    var geometry: ConvGeometry
    var group: Int
    var outputPadding: [Int]?
    var outputShape: [Int]?

    init(_ node: NodeContext) throws(ReferenceEngineError) {
        geometry = try ConvGeometry(node, kernel: try node.ints("kernel_shape"))
        group = try node.int("group", default: 1)
        outputPadding = try node.ints("output_padding")
        outputShape = try node.ints("output_shape")
        try node.require(group > 0, "attribute 'group' must be positive, found \(group)")
    }

    func run(_ inputs: KernelInputs, _ context: ExecutionContext) throws -> [NDArray] {
        let x = try inputs.at(0)
        let w = try inputs.at(1)
        let bias = try inputs.optional(2)?.floats()
        guard x.rank == 3 || x.rank == 4, w.rank == x.rank else {
            throw KernelError.invalid("ConvTranspose takes NCW or NCHW inputs, got \(x.shape) and weight \(w.shape)")
        }
        let two = x.rank == 4
        let xs = two ? x.shape : [x.shape[0], x.shape[1], 1, x.shape[2]]
        let ws = two ? w.shape : [w.shape[0], w.shape[1], 1, w.shape[2]]
        let (batch, channels) = (xs[0], xs[1])
        guard ws[0] == channels, channels % group == 0 else {
            throw KernelError.shapeMismatch("input \(x.shape) and weight \(w.shape) do not fit group \(group)")
        }
        let cin = channels / group
        let cout = ws[1]
        let outChannels = cout * group
        let kernel = Array(w.shape.dropFirst(2))
        let rank = kernel.count
        let strides = geometry.strides.isEmpty ? Array(repeating: 1, count: rank) : geometry.strides
        let dilations = geometry.dilations.isEmpty ? Array(repeating: 1, count: rank) : geometry.dilations
        let extra = outputPadding ?? Array(repeating: 0, count: rank)
        let spatial = Array(x.shape.dropFirst(2))
        guard strides.count == rank, dilations.count == rank, extra.count >= rank else {
            throw KernelError.invalid("strides, dilations or output_padding do not fit \(rank) axes")
        }
        if let outputShape, outputShape.count < rank {
            throw KernelError.invalid("output_shape \(outputShape) does not fit \(rank) spatial axes")
        }
        var begin = [Int](repeating: 0, count: rank)
        var output = [Int](repeating: 0, count: rank)
        for axis in 0..<rank {
            let full = strides[axis] * (spatial[axis] - 1) + extra[axis] + (kernel[axis] - 1) * dilations[axis] + 1
            if geometry.autoPad == "SAME_UPPER" || geometry.autoPad == "SAME_LOWER" {
                output[axis] = outputShape.map { $0[$0.count - rank + axis] } ?? spatial[axis] * strides[axis]
                let total = full - output[axis]
                begin[axis] = geometry.autoPad == "SAME_UPPER" ? total / 2 : total - total / 2
            } else {
                let pads = geometry.pads ?? Array(repeating: 0, count: 2 * rank)
                guard pads.count == 2 * rank else { throw KernelError.invalid("pads \(pads) do not fit \(rank) axes") }
                begin[axis] = pads[axis]
                output[axis] = outputShape.map { $0[$0.count - rank + axis] } ?? full - pads[axis] - pads[axis + rank]
            }
        }
        guard output.allSatisfy({ $0 > 0 }) else { throw KernelError.shapeMismatch("output size \(output) is not positive") }
        let (oh, ow) = two ? (output[0], output[1]) : (1, output[0])
        let (h, wd) = (xs[2], xs[3])
        let (kh, kw) = (ws[2], ws[3])
        let (sy, sx) = two ? (strides[0], strides[1]) : (1, strides[0])
        let (dy, dx) = two ? (dilations[0], dilations[1]) : (1, dilations[0])
        let (py, px) = two ? (begin[0], begin[1]) : (0, begin[0])
        let taps = cout * kh * kw
        let xv = try x.floats()
        let wv = try w.floats()
        var result = [Float](repeating: 0, count: batch * outChannels * oh * ow)
        var columns = [Float](repeating: 0, count: taps * h * wd)
        xv.withUnsafeBufferPointer { xb in
            wv.withUnsafeBufferPointer { wb in
                guard let xp = xb.baseAddress, let wp = wb.baseAddress else { return }
                for n in 0..<batch {
                    for g in 0..<group {
                        columns.withUnsafeMutableBufferPointer { cb in
                            guard let cp = cb.baseAddress else { return }
                            let weights = MatrixView(base: wp + g * cin * taps, rowStride: 1, columnStride: taps)
                            let image = MatrixView(xp + (n * channels + g * cin) * h * wd, columns: h * wd)
                            GEMM.multiply(
                                m: taps, n: h * wd, k: cin, a: weights, b: image, c: cp, ldc: h * wd, accumulate: false,
                                context: context)
                        }
                        let base = (n * outChannels + g * cout) * oh * ow
                        for row in 0..<taps {
                            let (c, tap) = (row / (kh * kw), row % (kh * kw))
                            let (ky, kx) = (tap / kw, tap % kw)
                            for iy in 0..<h {
                                let oy = iy * sy - py + ky * dy
                                if oy < 0 || oy >= oh { continue }
                                for ix in 0..<wd {
                                    let ox = ix * sx - px + kx * dx
                                    if ox < 0 || ox >= ow { continue }
                                    result[base + (c * oh + oy) * ow + ox] += columns[(row * h + iy) * wd + ix]
                                }
                            }
                        }
                    }
                }
            }
        }
        if let bias {
            guard bias.count == outChannels else { throw KernelError.shapeMismatch("bias has \(bias.count) values for \(outChannels) channels") }
            for n in 0..<batch {
                for c in 0..<outChannels {
                    for i in 0..<(oh * ow) { result[(n * outChannels + c) * oh * ow + i] += bias[c] }
                }
            }
        }
        return [NDArray(floats: result, shape: [batch, outChannels] + output, type: x.dataType)]
    }
}
