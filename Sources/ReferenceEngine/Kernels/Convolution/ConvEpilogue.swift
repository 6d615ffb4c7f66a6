/// What a convolution does to each output plane after the product: add the bias, then whatever
/// the plan fused into it (see `ConvFusion`), all in one pass while the plane is fresh, instead of
/// one pass and one buffer per node.
struct ConvEpilogue: Sendable {
    /// The activation applied last.
    enum Activation: Sendable {
        case relu
        /// LeakyRelu, and PRelu whose slope is one value for all channels.
        case leakyRelu(alpha: Float)
        /// PRelu with one slope per output channel.
        case prelu(slopes: [Float])
        case clip(min: Float, max: Float)
    }

    /// Input index of a tensor added to the output (the residual of a fused Add or Sum).
    var residual: Int?
    var activation: Activation?

    var isEmpty: Bool { residual == nil && activation == nil }

    init(residual: Int? = nil, activation: Activation? = nil) {
        self.residual = residual
        self.activation = activation
    }

    /// Finishes `values` (shaped `shape`, N×C×… with the channels on `channelAxis`) in place, one
    /// (image, channel) plane per task: `act(v + bias[c] + residual)`. `residual`, when given, has
    /// the output's shape; the ``residual`` index only tells the kernel where to find it.
    func apply(
        to values: inout [Float], shape: [Int], channelAxis: Int = 1, bias: [Float]?, residual: [Float]?,
        context: ExecutionContext
    ) {
        let channels = shape[channelAxis]
        let plane = shape.dropFirst(channelAxis + 1).product
        guard bias != nil || residual != nil || activation != nil, plane > 0 else { return }
        let bias = bias ?? []
        let hasResidual = residual != nil
        let residual = residual ?? []
        values.withUnsafeMutableBufferPointer { buffer in
            residual.withUnsafeBufferPointer { added in
                guard let base = buffer.baseAddress else { return }
                // An empty array may still hand out a base address.
                let addedBase = hasResidual ? added.baseAddress : nil
                context.parallelFor(buffer.count / plane, minimumChunk: max(1, 16384 / plane)) { range in
                    for index in range {
                        let channel = index % channels
                        finish(
                            base + index * plane, count: plane, channel: channel, bias: bias.isEmpty ? 0 : bias[channel],
                            residual: addedBase.map { $0 + index * plane })
                    }
                }
            }
        }
    }

    @inline(__always)
    private func finish(
        _ plane: UnsafeMutablePointer<Float>, count: Int, channel: Int, bias: Float, residual: UnsafePointer<Float>?
    ) {
        switch activation {
        case nil: Self.apply(Identity(), plane, count, bias, residual)
        case .relu: Self.apply(HotFunctions.Relu(), plane, count, bias, residual)
        case .leakyRelu(let alpha): Self.apply(Leaky(alpha: alpha), plane, count, bias, residual)
        case .prelu(let slopes): Self.apply(Leaky(alpha: slopes[channel]), plane, count, bias, residual)
        case .clip(let low, let high): Self.apply(Clamp(low: low, high: high), plane, count, bias, residual)
        }
    }

    @inline(__always)
    private static func apply<F: UnaryFunction>(
        _ f: F, _ p: UnsafeMutablePointer<Float>, _ count: Int, _ bias: Float, _ residual: UnsafePointer<Float>?
    ) where F.Input == Float, F.Output == Float {
        if let residual {
            for i in 0..<count { p[i] = f(p[i] + bias + residual[i]) }
        } else {
            for i in 0..<count { p[i] = f(p[i] + bias) }
        }
    }

    private struct Identity: UnaryFunction {
        func callAsFunction(_ x: Float) -> Float { x }
    }

    private struct Leaky: UnaryFunction {
        let alpha: Float
        func callAsFunction(_ x: Float) -> Float { x >= 0 ? x : x * alpha }
    }

    private struct Clamp: UnaryFunction {
        let low: Float
        let high: Float
        func callAsFunction(_ x: Float) -> Float { min(high, max(low, x)) }
    }
}
