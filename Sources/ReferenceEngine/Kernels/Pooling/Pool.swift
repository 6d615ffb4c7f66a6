import Foundation
import TensorCore

/// MaxPool, AveragePool and LpPool over one to three spatial axes (fewer axes run as three with
/// size 1), one (image, channel) plane per parallel task.
struct PoolKernel: Sendable {
    enum Mode: Sendable { case max, average(includePad: Bool), lp(Float) }

    var mode: Mode
    var geometry: ConvGeometry
    var columnMajorIndices: Bool

    init(_ node: NodeContext, mode: Mode) throws(ReferenceEngineError) {
        self.mode = mode
        guard let kernel = try node.ints("kernel_shape") else { throw node.invalid("attribute 'kernel_shape' is required") }
        geometry = try ConvGeometry(node, kernel: kernel, ceilMode: try node.int("ceil_mode", default: 0) != 0)
        columnMajorIndices = try node.int("storage_order", default: 0) != 0
    }

    func run(_ inputs: KernelInputs, _ context: ExecutionContext, wantIndices: Bool) throws -> [NDArray] {
        let x = try inputs.at(0)
        guard x.rank >= 3, x.rank <= 5 else { throw KernelError.invalid("pooling takes 1 to 3 spatial axes, got \(x.shape)") }
        let spatial = Array(x.shape.dropFirst(2))
        let (begin, _, output) = try geometry.resolve(input: spatial)
        let pad = 3 - spatial.count
        // SIMD3 rather than arrays: the window loops below read these per tap, and vectors in
        // registers cost no retain or bounds-checked load.
        func three(_ v: [Int], _ fill: Int) -> SIMD3<Int> {
            let padded = Array(repeating: fill, count: pad) + v
            return SIMD3(padded[0], padded[1], padded[2])
        }
        let (inSize, outSize) = (three(spatial, 1), three(output, 1))
        let (k, s, d, b) = (three(geometry.kernel, 1), three(geometry.resolvedStrides, 1), three(geometry.resolvedDilations, 1), three(begin, 0))
        // Where the padded input ends: windows may run past it only in ceil mode, and those
        // positions count for no divisor.
        let (_, end, _) = try geometry.resolve(input: spatial)
        let padEnd = three(end, 0)
        let planes = x.shape[0] * x.shape[1]
        let inPlane = inSize[0] * inSize[1] * inSize[2]
        let outPlane = outSize[0] * outSize[1] * outSize[2]
        // Integer inputs (uint8 images) pool exactly in float32 and convert back.
        let values = try x.floatValues()
        var result = [Float](repeating: 0, count: planes * outPlane)
        var indices = [Int64](repeating: 0, count: wantIndices ? planes * outPlane : 0)
        if case .max = mode, !wantIndices, pad == 1, d == SIMD3(1, 1, 1) {
            Self.max2D(
                values, into: &result, planes: planes, input: (inSize[1], inSize[2]), output: (outSize[1], outSize[2]),
                kernel: (k[1], k[2]), strides: (s[1], s[2]), pads: (b[1], b[2]), context: context)
        } else {
            let mode = self.mode
            let columnMajor = columnMajorIndices
            values.withUnsafeBufferPointer { vb in
                result.withUnsafeMutableBufferPointer { rb in
                    indices.withUnsafeMutableBufferPointer { ib in
                        guard let vp = vb.baseAddress, let rp = rb.baseAddress else { return }
                        let ip = wantIndices ? ib.baseAddress : nil
                        context.parallelFor(planes) { range in
                            for plane in range {
                                let source = vp + plane * inPlane
                                var o = plane * outPlane
                                for oz in 0..<outSize[0] {
                                    for oy in 0..<outSize[1] {
                                        for ox in 0..<outSize[2] {
                                            let (startZ, startY, startX) = (oz * s[0] - b[0], oy * s[1] - b[1], ox * s[2] - b[2])
                                            var best = -Float.infinity
                                            var bestIndex = -1
                                            var total: Float = 0
                                            var counted = 0
                                            var padded = 0
                                            for kz in 0..<k[0] {
                                                let z = startZ + kz * d[0]
                                                for ky in 0..<k[1] {
                                                    let y = startY + ky * d[1]
                                                    for kx in 0..<k[2] {
                                                        let xx = startX + kx * d[2]
                                                        let inPadded = z < inSize[0] + padEnd[0] && y < inSize[1] + padEnd[1] && xx < inSize[2] + padEnd[2]
                                                        if inPadded { padded += 1 }
                                                        guard z >= 0, z < inSize[0], y >= 0, y < inSize[1], xx >= 0, xx < inSize[2] else { continue }
                                                        let offset = (z * inSize[1] + y) * inSize[2] + xx
                                                        let v = source[offset]
                                                        switch mode {
                                                        case .max:
                                                            if v > best || bestIndex < 0 {
                                                                best = v
                                                                bestIndex = offset
                                                            }
                                                        case .average: total += v
                                                        case .lp(let p): total += Foundation.pow(abs(v), p)
                                                        }
                                                        counted += 1
                                                    }
                                                }
                                            }
                                            switch mode {
                                            case .max:
                                                rp[o] = best
                                                if let ip {
                                                    let flat: Int
                                                    if columnMajor {
                                                        let (z, r) = (bestIndex / (inSize[1] * inSize[2]), bestIndex % (inSize[1] * inSize[2]))
                                                        let (y, xx) = (r / inSize[2], r % inSize[2])
                                                        flat = ((xx * inSize[1] + y) * inSize[0] + z)
                                                    } else {
                                                        flat = bestIndex
                                                    }
                                                    ip[o] = Int64(plane * inPlane + flat)
                                                }
                                            case .average(let includePad):
                                                rp[o] = total / Float(max(1, includePad ? padded : counted))
                                            case .lp(let p):
                                                rp[o] = Foundation.pow(total, 1 / p)
                                            }
                                            o += 1
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let shape = Array(x.shape.prefix(2)) + output
        var outputs = [NDArray(floats: result, shape: shape)]
        outputs[0] = x.isInt ? try CastKernels.cast(outputs[0], to: x.dataType) : NDArray(floats: result, shape: shape, type: x.dataType)
        if wantIndices { outputs.append(NDArray(ints: indices, shape: shape)) }
        return outputs
    }
}

extension PoolKernel {
    /// MaxPool over two axes without dilation or indices (the stem of most CNNs), each window's
    /// bounds clamped to the image once rather than tested per tap.
    private static func max2D(
        _ values: [Float], into result: inout [Float], planes: Int, input: (h: Int, w: Int), output: (h: Int, w: Int),
        kernel: (h: Int, w: Int), strides: (h: Int, w: Int), pads: (top: Int, left: Int), context: ExecutionContext
    ) {
        values.withUnsafeBufferPointer { vb in
            result.withUnsafeMutableBufferPointer { rb in
                guard let vp = vb.baseAddress, let rp = rb.baseAddress else { return }
                context.parallelFor(planes) { range in
                    for plane in range {
                        let source = vp + plane * input.h * input.w
                        var out = rp + plane * output.h * output.w
                        for oy in 0..<output.h {
                            let top = oy * strides.h - pads.top
                            let (y0, y1) = (max(0, top), min(input.h, top + kernel.h))
                            for ox in 0..<output.w {
                                let left = ox * strides.w - pads.left
                                let (x0, x1) = (max(0, left), min(input.w, left + kernel.w))
                                // A window wholly in the padding (ceil mode) has no value: -inf.
                                var best = -Float.infinity
                                if y0 < y1, x0 < x1 {
                                    best = source[y0 * input.w + x0]
                                    for y in y0..<y1 {
                                        let row = source + y * input.w
                                        for x in x0..<x1 where row[x] > best { best = row[x] }
                                    }
                                }
                                out.pointee = best
                                out += 1
                            }
                        }
                    }
                }
            }
        }
    }
}

extension OperatorRegistry {
    /// Pooling, windowed and global.
    mutating func registerPooling() {
        register("MaxPool") { node throws(ReferenceEngineError) in
            let kernel = try PoolKernel(node, mode: .max)
            let wantIndices = node.outputCount > 1
            return { inputs, context in try kernel.run(inputs, context, wantIndices: wantIndices) }
        }
        register("AveragePool") { node throws(ReferenceEngineError) in
            let kernel = try PoolKernel(node, mode: .average(includePad: try node.int("count_include_pad", default: 0) != 0))
            return { inputs, context in try kernel.run(inputs, context, wantIndices: false) }
        }
        register("LpPool") { node throws(ReferenceEngineError) in
            let kernel = try PoolKernel(node, mode: .lp(Float(try node.int("p", default: 2))))
            return { inputs, context in try kernel.run(inputs, context, wantIndices: false) }
        }
        register("GlobalAveragePool") { _ in GlobalPool.kernel { values in values.reduce(0, +) / Float(max(1, values.count)) } }
        register("GlobalMaxPool") { _ in GlobalPool.kernel { values in values.max() ?? 0 } }
        register("GlobalLpPool") { node throws(ReferenceEngineError) in
            let p = Float(try node.int("p", default: 2))
            return GlobalPool.kernel { values in Foundation.pow(values.reduce(0) { $0 + Foundation.pow(abs($1), p) }, 1 / p) }
        }
    }
}

/// Pools that reduce each (image, channel) plane to one value.
enum GlobalPool {
    static func kernel(_ reduce: @escaping @Sendable (ArraySlice<Float>) -> Float) -> Kernel {
        { inputs, _ in
            let x = try inputs.at(0)
            guard x.rank >= 2 else { throw KernelError.invalid("global pooling needs NC… input, got \(x.shape)") }
            let values = try x.floats()
            let plane = x.shape.dropFirst(2).product
            let planes = x.shape[0] * x.shape[1]
            let result = (0..<planes).map { reduce(values[($0 * plane)..<(($0 + 1) * plane)]) }
            return [NDArray(floats: result, shape: Array(x.shape.prefix(2)) + Array(repeating: 1, count: x.rank - 2), type: x.dataType)]
        }
    }
}
