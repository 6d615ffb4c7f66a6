import Foundation
import TensorCore

/// GridSample (opsets 16 and 20+): samples X (N, C, d1…dr) at the normalized positions of the
/// grid (N, o1…or, r) by nearest, N-linear or N-cubic interpolation, in any number of spatial
/// axes. The grid's last axis lists coordinates innermost axis first (x, then y, …).
///
/// A coordinate outside the image is first moved in (clamped for `border`, reflected for
/// `reflection`); each interpolation tap is then read under the same padding rule, `zeros`
/// reading 0 outside.
struct GridSampleKernel {
    enum Mode: Sendable { case nearest, linear, cubic }
    enum Padding: String, Sendable, CaseIterable { case zeros, border, reflection }

    let mode: Mode
    let padding: Padding
    let alignCorners: Bool

    init(_ node: NodeContext) throws(ReferenceEngineError) {
        // Opset 16 spelled the modes bilinear and bicubic.
        let name = try node.choice("mode", default: node.sinceVersion >= 20 ? "linear" : "bilinear",
                                   in: ["nearest", "linear", "bilinear", "cubic", "bicubic"])
        mode = name == "nearest" ? .nearest : (name.hasSuffix("cubic") ? .cubic : .linear)
        padding = Padding(rawValue: try node.choice("padding_mode", default: "zeros", in: Padding.allCases.map(\.rawValue)))!
        alignCorners = try node.int("align_corners", default: 0) != 0
    }

    /// `value` reflected at the borders `low` and `high` until it lies between them.
    static func reflect(_ value: Float, low: Float, high: Float) -> Float {
        let range = high - low
        guard range > 0 else { return low }
        if value < low {
            let distance = low - value
            let folds = Int(distance / range)
            let rest = distance - Float(folds) * range
            return folds % 2 == 0 ? low + rest : high - rest
        }
        if value > high {
            let distance = value - high
            let folds = Int(distance / range)
            let rest = distance - Float(folds) * range
            return folds % 2 == 0 ? high - rest : low + rest
        }
        return value
    }

    /// Keys' cubic convolution weights (a = −0.75) of the four taps around fraction `t`.
    static func cubicWeights(_ t: Float) -> [Float] {
        let a: Float = -0.75
        func near(_ x: Float) -> Float { ((a + 2) * x - (a + 3)) * x * x + 1 }
        func far(_ x: Float) -> Float { ((a * x - 5 * a) * x + 8 * a) * x - 4 * a }
        return [far(t + 1), near(t), near(1 - t), far(2 - t)]
    }

    func run(_ inputs: KernelInputs) throws(KernelError) -> NDArray {
        let x = try inputs.at(0)
        let gridInput = try inputs.at(1)
        let rank = x.rank - 2
        guard rank >= 1, gridInput.rank == rank + 2, gridInput.shape[0] == x.shape[0], gridInput.shape.last == rank else {
            throw .shapeMismatch("grid \(gridInput.shape) does not fit X \(x.shape): expected (N, …, \(max(rank, 0)))")
        }
        let values = try x.floats()
        let grid = try gridInput.floatValues()
        let (batch, channels) = (x.shape[0], x.shape[1])
        let sizes = Array(x.shape[2...])
        let strides = ShapeMath.strides(sizes)
        let plane = sizes.product
        let outputShape = Array(gridInput.shape[1..<(rank + 1)])
        let points = outputShape.product
        var result = [Float](repeating: 0, count: batch * channels * points)
        let low = sizes.map { _ in alignCorners ? Float(0) : -0.5 }
        let high = sizes.map { alignCorners ? Float($0 - 1) : Float($0) - 0.5 }

        /// The index a tap reads along `axis`, or nil where `zeros` padding reads 0.
        func tapIndex(_ index: Int, axis: Int) -> Int? {
            let size = sizes[axis]
            if index >= 0 && index < size { return index }
            switch padding {
            case .zeros: return nil
            case .border: return min(max(index, 0), size - 1)
            case .reflection: return Int(Self.reflect(Float(index), low: low[axis], high: high[axis]))
            }
        }

        for n in 0..<batch {
            for point in 0..<points {
                // Per axis, the taps as (offset into the plane, weight).
                var taps: [[(offset: Int, weight: Float)]] = []
                for axis in 0..<rank {
                    let normalized = grid[(n * points + point) * rank + (rank - 1 - axis)]
                    let size = Float(sizes[axis])
                    var coordinate = alignCorners ? (normalized + 1) / 2 * (size - 1) : ((normalized + 1) * size - 1) / 2
                    if mode == .nearest { coordinate = coordinate.rounded(.toNearestOrEven) }
                    if coordinate < low[axis] || coordinate > high[axis] {
                        switch padding {
                        case .zeros: break
                        case .border: coordinate = min(max(coordinate, 0), size - 1)
                        case .reflection: coordinate = Self.reflect(coordinate, low: low[axis], high: high[axis])
                        }
                    }
                    var axisTaps: [(Int, Float)] = []
                    func add(_ index: Int, _ weight: Float) {
                        if let resolved = tapIndex(index, axis: axis) { axisTaps.append((resolved * strides[axis], weight)) }
                    }
                    switch mode {
                    case .nearest:
                        add(Int(coordinate), 1)
                    case .linear:
                        let base = coordinate.rounded(.down)
                        let t = coordinate - base
                        add(Int(base), 1 - t)
                        add(Int(base) + 1, t)
                    case .cubic:
                        let base = coordinate.rounded(.down)
                        for (k, weight) in Self.cubicWeights(coordinate - base).enumerated() { add(Int(base) - 1 + k, weight) }
                    }
                    taps.append(axisTaps)
                }
                for c in 0..<channels {
                    let source = (n * channels + c) * plane
                    var total: Float = 0
                    // Every combination of one tap per axis, weighted by the product of weights.
                    func accumulate(_ axis: Int, _ offset: Int, _ weight: Float) {
                        if axis == rank {
                            total += weight * values[source + offset]
                            return
                        }
                        for tap in taps[axis] { accumulate(axis + 1, offset + tap.offset, weight * tap.weight) }
                    }
                    accumulate(0, 0, 1)
                    result[(n * channels + c) * points + point] = total
                }
            }
        }
        return NDArray(floats: result, shape: [batch, channels] + outputShape, type: x.dataType)
    }
}

extension OperatorRegistry {
    mutating func registerGridSample() {
        register("GridSample", since: 16) { node throws(ReferenceEngineError) in
            let kernel = try GridSampleKernel(node)
            return { inputs, _ in [try kernel.run(inputs)] }
        }
    }
}
