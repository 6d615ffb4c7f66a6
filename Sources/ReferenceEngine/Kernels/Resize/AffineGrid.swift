import TensorCore

/// AffineGrid (opset 20): the sampling grid GridSample takes, for a batch of affine matrices
/// theta [N, 2, 3] (or [N, 3, 4] in 3-D) and an output size [N, C, H, W] (or [N, C, D, H, W]).
/// Each output point's normalised coordinates (x along W first; the pixel centres in [-1, 1], or
/// the corner pixels at ±1 with `align_corners`), extended by 1, are multiplied by theta:
/// output [N, H, W, 2] (or [N, D, H, W, 3]).
struct AffineGridKernel {
    let alignCorners: Bool

    init(_ node: NodeContext) throws(ReferenceEngineError) { alignCorners = try node.int("align_corners", default: 0) != 0 }

    func run(_ inputs: KernelInputs) throws(KernelError) -> NDArray {
        let theta = try inputs.at(0)
        let size = try inputs.at(1).intValues().map(Int.init)
        guard size.count == 4 || size.count == 5 else { throw .shapeMismatch("size must have 4 or 5 values, got \(size)") }
        let spatial = Array(size.dropFirst(2))
        let dims = spatial.count
        let batch = size[0]
        guard theta.shape == [batch, dims, dims + 1] else {
            throw .shapeMismatch("theta must be [\(batch), \(dims), \(dims + 1)] for size \(size), got \(theta.shape)")
        }
        guard spatial.allSatisfy({ $0 > 0 }) else { throw .invalid("size \(size) must be positive") }
        // Coordinates per axis, in the order x (last axis), y, z.
        let axes = spatial.reversed().map { extent in (0..<extent).map { coordinate(Float($0), extent: extent) } }
        let matrices = try theta.floatValues()
        let points = spatial.reduce(1, *)
        var result = [Float](repeating: 0, count: batch * points * dims)
        var index = [Int](repeating: 0, count: dims)
        for point in 0..<points {
            var rest = point
            for axis in 0..<dims {
                index[axis] = rest % spatial[dims - 1 - axis]
                rest /= spatial[dims - 1 - axis]
            }
            for n in 0..<batch {
                for row in 0..<dims {
                    let base = (n * dims + row) * (dims + 1)
                    var sum = matrices[base + dims]
                    for axis in 0..<dims { sum += matrices[base + axis] * axes[axis][index[axis]] }
                    result[(n * points + point) * dims + row] = sum
                }
            }
        }
        return NDArray(floats: result, shape: [batch] + spatial + [dims], type: theta.dataType)
    }

    private func coordinate(_ position: Float, extent: Int) -> Float {
        if alignCorners { return extent > 1 ? -1 + 2 * position / Float(extent - 1) : -1 }
        return -1 + (2 * position + 1) / Float(extent)
    }
}

extension OperatorRegistry {
    mutating func registerAffineGrid() {
        register("AffineGrid", since: 20) { node throws(ReferenceEngineError) in
            let kernel = try AffineGridKernel(node)
            return { inputs, _ in [try kernel.run(inputs)] }
        }
    }
}
