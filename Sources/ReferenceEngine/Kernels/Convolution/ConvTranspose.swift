import TensorCore

/// ConvTranspose over one to three spatial axes (fewer run as three of size 1): per image and
/// group, `W[g]ᵀ · X[g]` gives every tap's contribution (a GEMM), which col2im then adds into
/// the strided, padded output.
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
        guard (3...5).contains(x.rank), w.rank == x.rank else {
            throw KernelError.invalid("ConvTranspose takes 1 to 3 spatial axes, got \(x.shape) and weight \(w.shape)")
        }
        let lift = 5 - x.rank
        func three(_ v: [Int], _ fill: Int) -> [Int] { Array(repeating: fill, count: lift) + v }
        let xs = Array(x.shape.prefix(2)) + three(Array(x.shape.dropFirst(2)), 1)
        let ws = Array(w.shape.prefix(2)) + three(Array(w.shape.dropFirst(2)), 1)
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
        let (o3, i3, k3) = (three(output, 1), Array(xs.dropFirst(2)), Array(ws.dropFirst(2)))
        let (s3, d3, p3) = (three(strides, 1), three(dilations, 1), three(begin, 0))
        let inPlane = i3.product
        let outPlane = o3.product
        let window = k3.product
        let taps = cout * window
        let xv = try x.floats()
        let wv = try w.floats()
        var result = [Float](repeating: 0, count: batch * outChannels * outPlane)
        var columns = [Float](repeating: 0, count: taps * inPlane)
        xv.withUnsafeBufferPointer { xb in
            wv.withUnsafeBufferPointer { wb in
                guard let xp = xb.baseAddress, let wp = wb.baseAddress else { return }
                for n in 0..<batch {
                    for g in 0..<group {
                        columns.withUnsafeMutableBufferPointer { cb in
                            guard let cp = cb.baseAddress else { return }
                            let weights = MatrixView(base: wp + g * cin * taps, rowStride: 1, columnStride: taps)
                            let image = MatrixView(xp + (n * channels + g * cin) * inPlane, columns: inPlane)
                            GEMM.multiply(
                                m: taps, n: inPlane, k: cin, a: weights, b: image, c: cp, ldc: inPlane, accumulate: false,
                                context: context)
                        }
                        let base = (n * outChannels + g * cout) * outPlane
                        for row in 0..<taps {
                            let (c, tap) = (row / window, row % window)
                            let (kz, ky, kx) = (tap / (k3[1] * k3[2]), (tap / k3[2]) % k3[1], tap % k3[2])
                            for iz in 0..<i3[0] {
                                let oz = iz * s3[0] - p3[0] + kz * d3[0]
                                if oz < 0 || oz >= o3[0] { continue }
                                for iy in 0..<i3[1] {
                                    let oy = iy * s3[1] - p3[1] + ky * d3[1]
                                    if oy < 0 || oy >= o3[1] { continue }
                                    for ix in 0..<i3[2] {
                                        let ox = ix * s3[2] - p3[2] + kx * d3[2]
                                        if ox < 0 || ox >= o3[2] { continue }
                                        result[base + c * outPlane + (oz * o3[1] + oy) * o3[2] + ox] +=
                                            columns[row * inPlane + (iz * i3[1] + iy) * i3[2] + ix]
                                    }
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
                    for i in 0..<outPlane { result[(n * outChannels + c) * outPlane + i] += bias[c] }
                }
            }
        }
        return [NDArray(floats: result, shape: [batch, outChannels] + output, type: x.dataType)]
    }
}
