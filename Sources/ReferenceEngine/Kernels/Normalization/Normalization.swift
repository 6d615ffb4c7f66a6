import Foundation
import TensorCore

/// BatchNormalization, InstanceNormalization, LayerNormalization, LRN and
/// MeanVarianceNormalization.
enum Normalization {
    /// Inference-mode BatchNormalization (and training mode, which normalises with the batch's
    /// own statistics and returns the updated running ones).
    static func batch(_ node: NodeContext) throws(ReferenceEngineError) -> Kernel {
        let epsilon = try node.float("epsilon", default: 1e-5)
        let momentum = try node.float("momentum", default: 0.9)
        let training = try node.int("training_mode", default: 0) != 0
        return { inputs, context in
            let x = try inputs.at(0)
            guard x.rank >= 2 else { throw KernelError.invalid("BatchNormalization needs N×C… input, got \(x.shape)") }
            let channels = x.shape[1]
            let plane = x.shape.dropFirst(2).product
            let batch = x.shape[0]
            let values = try x.floats()
            let scale = try inputs.at(1).floatValues()
            let bias = try inputs.at(2).floatValues()
            var mean = try inputs.at(3).floatValues()
            var variance = try inputs.at(4).floatValues()
            guard [scale.count, bias.count, mean.count, variance.count].allSatisfy({ $0 == channels }) else {
                throw KernelError.shapeMismatch("scale, B, mean and var must have \(channels) values")
            }
            var runningMean = mean
            var runningVariance = variance
            if training {
                for c in 0..<channels {
                    var sum: Float = 0
                    var squares: Float = 0
                    for n in 0..<batch {
                        for v in values[((n * channels + c) * plane)..<((n * channels + c + 1) * plane)] {
                            sum += v
                            squares += v * v
                        }
                    }
                    let count = Float(max(1, batch * plane))
                    mean[c] = sum / count
                    variance[c] = squares / count - mean[c] * mean[c]
                    runningMean[c] = runningMean[c] * momentum + mean[c] * (1 - momentum)
                    runningVariance[c] = runningVariance[c] * momentum + variance[c] * (1 - momentum)
                }
            }
            let factors = (0..<channels).map { scale[$0] / (variance[$0] + epsilon).squareRoot() }
            let shifts = (0..<channels).map { bias[$0] - mean[$0] * factors[$0] }
            var result = context.floats(values.count)
            values.withUnsafeBufferPointer { vb in
                result.withUnsafeMutableBufferPointer { rb in
                    guard let vp = vb.baseAddress, let rp = rb.baseAddress else { return }
                    context.parallelFor(batch * channels) { range in
                        for index in range {
                            let (f, s) = (factors[index % channels], shifts[index % channels])
                            var i = index * plane
                            let end = i + plane
                            while i < end {
                                rp[i] = vp[i] * f + s
                                i += 1
                            }
                        }
                    }
                }
            }
            var outputs = [NDArray(floats: result, shape: x.shape, type: x.dataType)]
            if training {
                outputs.append(NDArray(floats: runningMean, shape: [channels], type: x.dataType))
                outputs.append(NDArray(floats: runningVariance, shape: [channels], type: x.dataType))
            }
            return outputs
        }
    }

    /// Normalises each row of `width` values to zero mean and unit variance.
    static func standardize(_ values: [Float], width: Int, epsilon: Float) -> (values: [Float], means: [Float], inverseDeviations: [Float]) {
        let rows = width == 0 ? 0 : values.count / width
        var result = values
        var means = [Float](repeating: 0, count: rows)
        var inverse = [Float](repeating: 0, count: rows)
        for row in 0..<rows {
            let slice = values[(row * width)..<((row + 1) * width)]
            let mean = slice.reduce(0, +) / Float(width)
            let variance = slice.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(width)
            let factor = 1 / (variance + epsilon).squareRoot()
            for i in (row * width)..<((row + 1) * width) { result[i] = (values[i] - mean) * factor }
            means[row] = mean
            inverse[row] = factor
        }
        return (result, means, inverse)
    }

    static func instance(_ node: NodeContext) throws(ReferenceEngineError) -> Kernel {
        let epsilon = try node.float("epsilon", default: 1e-5)
        return { inputs, _ in
            let x = try inputs.at(0)
            guard x.rank >= 3 else { throw KernelError.invalid("InstanceNormalization needs N×C×… input, got \(x.shape)") }
            let scale = try inputs.at(1).floatValues()
            let bias = try inputs.at(2).floatValues()
            let channels = x.shape[1]
            guard scale.count == channels, bias.count == channels else { throw KernelError.shapeMismatch("scale and B need \(channels) values") }
            let plane = x.shape.dropFirst(2).product
            var (result, _, _) = standardize(try x.floats(), width: plane, epsilon: epsilon)
            for i in result.indices {
                let c = (i / max(plane, 1)) % channels
                result[i] = result[i] * scale[c] + bias[c]
            }
            return [NDArray(floats: result, shape: x.shape, type: x.dataType)]
        }
    }

    static func layer(_ node: NodeContext) throws(ReferenceEngineError) -> Kernel {
        let axis = try node.int("axis", default: -1)
        let epsilon = try node.float("epsilon", default: 1e-5)
        return { inputs, context in
            let x = try inputs.at(0)
            let a = try ShapeMath.axis(axis, rank: x.rank)
            let width = x.shape[a...].product
            let (normalized, means, inverse) = standardize(try x.floats(), width: width, epsilon: epsilon)
            let scale = try inputs.at(1)
            var result = try ElementwiseKernels.combine(
                NDArray(floats: normalized, shape: x.shape, type: x.dataType), scale, context: context, float: HotFunctions.Mul(), int: nil)
            if let bias = inputs.optional(2) {
                result = try ElementwiseKernels.combine(result, bias, context: context, float: HotFunctions.Add(), int: nil)
            }
            let statsShape = x.shape.enumerated().map { $0.offset < a ? $0.element : 1 }
            return [result, NDArray(floats: means, shape: statsShape), NDArray(floats: inverse, shape: statsShape)]
        }
    }

    static func lrn(_ node: NodeContext) throws(ReferenceEngineError) -> Kernel {
        let alpha = try node.float("alpha", default: 1e-4)
        let beta = try node.float("beta", default: 0.75)
        let bias = try node.float("bias", default: 1)
        guard let size = try node.int("size"), size > 0 else { throw node.invalid("attribute 'size' must be positive") }
        return { inputs, context in
            let x = try inputs.at(0)
            guard x.rank >= 2 else { throw KernelError.invalid("LRN needs N×C×… input, got \(x.shape)") }
            let (batch, channels) = (x.shape[0], x.shape[1])
            let plane = x.shape.dropFirst(2).product
            let values = try x.floats()
            var result = [Float](repeating: 0, count: values.count)
            let (before, after) = ((size - 1) / 2, size / 2)
            result.withUnsafeMutableBufferPointer { rb in
                values.withUnsafeBufferPointer { vb in
                    guard let rp = rb.baseAddress, let vp = vb.baseAddress else { return }
                    context.parallelFor(batch * channels) { range in
                        for index in range {
                            let (n, c) = (index / channels, index % channels)
                            let low = max(0, c - before)
                            let high = min(channels - 1, c + after)
                            for i in 0..<plane {
                                var sum: Float = 0
                                for j in low...high {
                                    let v = vp[(n * channels + j) * plane + i]
                                    sum += v * v
                                }
                                let o = index * plane + i
                                rp[o] = vp[o] / Foundation.pow(bias + alpha / Float(size) * sum, beta)
                            }
                        }
                    }
                }
            }
            return [NDArray(floats: result, shape: x.shape, type: x.dataType)]
        }
    }

    static func meanVariance(_ node: NodeContext) throws(ReferenceEngineError) -> Kernel {
        let axes = try node.ints("axes") ?? [0, 2, 3]
        return { inputs, _ in
            let x = try inputs.at(0)
            let set = try Set(axes.map { a throws(KernelError) in try ShapeMath.axis(a, rank: x.rank) })
            let kept = (0..<x.rank).filter { !set.contains($0) }
            let order = kept + set.sorted()
            let (moved, _, width) = Reduce.rows(x, axes: set)
            let (normalized, _, _) = standardize(try moved.floats(), width: width, epsilon: 1e-9)
            let back = order.indices.map { order.firstIndex(of: $0) ?? 0 }
            let result = NDArray(floats: normalized, shape: order.map { x.shape[$0] }, type: x.dataType)
            return [order == Array(0..<x.rank) ? result : result.transposed(back)]
        }
    }
}
