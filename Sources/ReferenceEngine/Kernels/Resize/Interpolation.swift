import Foundation

/// One-axis interpolation weights for Resize: for every output index, the input indices it reads
/// and their weights, following the coordinate transforms and kernels of the ONNX spec.
struct Interpolation: Sendable {
    enum Mode: String, Sendable { case nearest, linear, cubic }

    var mode: Mode
    var coordinates: String
    var nearestMode: String
    var cubicA: Float
    var excludeOutside: Bool
    /// When downsampling (scale < 1), stretch the linear or cubic kernel by 1 / scale so every
    /// input sample contributes (a low-pass filter), its weights normalised to sum to 1.
    var antialias = false

    /// Taps for output index `x` of `outSize` from an axis of `inSize`, and whether the source
    /// coordinate falls outside the crop (tf_crop_and_resize extrapolates there).
    func taps(_ x: Int, inSize: Int, outSize: Int, scale: Float, roi: (Float, Float)) -> (taps: [(Int, Float)], outside: Bool) {
        let source = original(Float(x), inSize: inSize, outSize: outSize, scale: scale, roi: roi)
        let outside = coordinates == "tf_crop_and_resize" && (source < 0 || source > Float(inSize - 1))
        switch mode {
        case .nearest:
            return ([(clamp(nearest(source), inSize), 1)], outside)
        case .linear:
            let base = source.rounded(.down)
            let r = source - base
            if antialias { return (stretched(Int(base), r, radius: 1, scale: scale, inSize: inSize) { max(0, 1 - abs($0)) }, outside) }
            return (weighted(Int(base), [1 - r, r], offset: 0, inSize: inSize), outside)
        case .cubic:
            let base = source.rounded(.down)
            let r = source - base
            let a = cubicA
            func w(_ t: Float) -> Float {
                let t = abs(t)
                if t <= 1 { return ((a + 2) * t - (a + 3)) * t * t + 1 }
                if t < 2 { return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a }
                return 0
            }
            if antialias { return (stretched(Int(base), r, radius: 2, scale: scale, inSize: inSize, w), outside) }
            return (weighted(Int(base), [w(r + 1), w(r), w(1 - r), w(2 - r)], offset: -1, inSize: inSize), outside)
        }
    }

    /// The antialiased taps: `kernel` (support ±`radius`) widened by 1 / scale when scale < 1,
    /// over every input index it reaches from `base + r`, weights normalised to sum to 1.
    private func stretched(
        _ base: Int, _ r: Float, radius: Int, scale: Float, inSize: Int, _ kernel: (Float) -> Float
    ) -> [(Int, Float)] {
        let factor = min(scale, 1)
        let start = Int((-Float(radius) / factor).rounded(.down)) + 1
        let weights = (start..<(2 - start)).map { kernel(factor * (Float($0) - r)) }
        let total = weights.reduce(0, +)
        return weighted(base, total == 0 ? weights : weights.map { $0 / total }, offset: start, inSize: inSize)
    }

    /// Taps at `base + offset + k`, clamped to the edge; with `exclude_outside` the weights of
    /// taps past the edge are dropped and the rest renormalised.
    private func weighted(_ base: Int, _ weights: [Float], offset: Int, inSize: Int) -> [(Int, Float)] {
        var taps: [(Int, Float)] = []
        var total: Float = 0
        for (k, weight) in weights.enumerated() {
            let index = base + offset + k
            let inside = index >= 0 && index < inSize
            if excludeOutside && !inside { continue }
            taps.append((clamp(index, inSize), weight))
            total += weight
        }
        if excludeOutside, total != 0 { taps = taps.map { ($0.0, $0.1 / total) } }
        return taps
    }

    private func clamp(_ index: Int, _ size: Int) -> Int { min(max(index, 0), size - 1) }

    private func nearest(_ x: Float) -> Int {
        switch nearestMode {
        case "floor": return Int(x.rounded(.down))
        case "ceil": return Int(x.rounded(.up))
        case "round_prefer_ceil": return Int((x + 0.5).rounded(.down))
        default:  // round_prefer_floor
            return x - x.rounded(.down) == 0.5 ? Int(x.rounded(.down)) : Int(x.rounded())
        }
    }

    /// The input coordinate that output coordinate `x` maps to.
    private func original(_ x: Float, inSize: Int, outSize: Int, scale: Float, roi: (Float, Float)) -> Float {
        // The spec's output length is `scale × input`, unrounded, where scales were given.
        let (inLength, outLength) = (Float(inSize), scale * Float(inSize))
        switch coordinates {
        case "align_corners": return outLength == 1 ? 0 : x * (inLength - 1) / (outLength - 1)
        case "asymmetric": return x / scale
        case "pytorch_half_pixel": return outLength > 1 ? (x + 0.5) / scale - 0.5 : 0
        case "tf_half_pixel_for_nn": return (x + 0.5) / scale
        case "tf_crop_and_resize":
            return outLength > 1
                ? roi.0 * (inLength - 1) + x * (roi.1 - roi.0) * (inLength - 1) / (outLength - 1)
                : 0.5 * (roi.0 + roi.1) * (inLength - 1)
        case "half_pixel_symmetric":
            // The integer output length over the unrounded one.
            let adjustment = Float(outSize) / outLength
            let center = inLength / 2
            return center * (1 - adjustment) + (x + 0.5) / scale - 0.5
        default: return (x + 0.5) / scale - 0.5  // half_pixel
        }
    }
}
