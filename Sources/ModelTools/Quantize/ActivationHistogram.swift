import Foundation

/// A histogram of one tensor's values over `[-bound, bound]`, for the Percentile and Entropy
/// methods; the bound is the largest magnitude seen in a first MinMax pass, so no value falls
/// outside and no bins need merging between runs.
struct ActivationHistogram: Sendable {
    static let binCount = 2048
    /// Levels of an 8-bit type on one side of zero, the resolution Entropy compares against.
    static let quantizedBinCount = 128

    private(set) var counts: [Int]
    let bound: Float

    init(bound: Float) {
        self.bound = bound
        counts = [Int](repeating: 0, count: Self.binCount)
    }

    mutating func add(_ values: [Float]) {
        guard bound > 0 else {
            counts[Self.binCount / 2] += values.count
            return
        }
        let scale = Float(Self.binCount) / (2 * bound)
        let last = Self.binCount - 1
        counts.withUnsafeMutableBufferPointer { bins in
            values.withUnsafeBufferPointer { buffer in
                for value in buffer where value.isFinite { bins[min(max(Int((value + bound) * scale), 0), last)] += 1 }
            }
        }
    }

    /// The left edge of bin `index` (`binCount` is the right end).
    func edge(_ index: Int) -> Float { -bound + 2 * bound * Float(index) / Float(Self.binCount) }

    /// The range that drops `(100 − percentile) / 2` percent of the values at each end, never
    /// wider than what was seen.
    func percentileRange(_ percentile: Double, seen: ClosedRange<Float>) -> ClosedRange<Float> {
        let total = Double(counts.reduce(0, +))
        guard total > 0 else { return seen }
        let cut = (100 - percentile) / 200
        var lower: Int?
        var upper = Self.binCount - 1
        var running = 0.0
        for (index, count) in counts.enumerated() {
            running += Double(count) / total
            if lower == nil, running >= cut { lower = index }
            if running >= 1 - cut {
                upper = index
                break
            }
        }
        let low = max(edge(lower ?? 0), seen.lowerBound)
        let high = min(edge(upper), seen.upperBound)
        return low <= high ? low...high : seen
    }

    /// The range whose quantization into `steps + 1` levels loses the least, in expected squared
    /// error over the histogram: a value inside loses about step²/12 to rounding, a value outside
    /// its squared distance to the nearer end. `seen` shrunk towards 0 by one factor at both ends
    /// is searched first, then each end alone is let out again towards `seen` (the upper end,
    /// then the lower); `symmetric` searches `[-b, b]` only.
    func mseRange(seen: ClosedRange<Float>, steps: Int, symmetric: Bool) -> ClosedRange<Float> {
        guard counts.contains(where: { $0 > 0 }), bound > 0 else { return seen }
        let low = Double(min(seen.lowerBound, 0))
        let high = Double(max(seen.upperBound, 0))
        // Factors in 1% steps: each end moves by at most 1% of what was seen between candidates.
        let factors = (1...100).map { Double($0) / 100 }
        if symmetric {
            let widest = max(-low, high)
            let b = factors.min { squaredError(-widest * $0, widest * $0, steps) < squaredError(-widest * $1, widest * $1, steps) } ?? 1
            return Float(-widest * b)...Float(widest * b)
        }
        let both = factors.min { squaredError(low * $0, high * $0, steps) < squaredError(low * $1, high * $1, steps) } ?? 1
        let shrunk = (lower: low * both, upper: high * both)
        let upper = factors.map { high * $0 }.filter { $0 >= shrunk.upper }
            .min { squaredError(shrunk.lower, $0, steps) < squaredError(shrunk.lower, $1, steps) } ?? shrunk.upper
        let lower = factors.map { low * $0 }.filter { $0 <= shrunk.lower }
            .min { squaredError($0, upper, steps) < squaredError($1, upper, steps) } ?? shrunk.lower
        return Float(lower)...Float(upper)
    }

    /// The histogram's summed squared error when `[lower, upper]` is quantized into `steps` steps.
    private func squaredError(_ lower: Double, _ upper: Double, _ steps: Int) -> Double {
        let step = (upper - lower) / Double(steps)
        let width = 2 * Double(bound) / Double(Self.binCount)
        var total = 0.0
        for (index, count) in counts.enumerated() where count > 0 {
            let x = Double(edge(index)) + width / 2
            let error = x < lower ? (x - lower) * (x - lower) : x > upper ? (x - upper) * (x - upper) : step * step / 12
            total += Double(count) * error
        }
        return total
    }

    /// The symmetric window around zero whose values, squeezed into ``quantizedBinCount`` levels,
    /// lose the least information (KL divergence), with what lies outside clipped to its edges.
    /// As TensorRT's calibrator does; ONNX Runtime's, at its default of 128 bins, has one window
    /// only and equals MinMax.
    func entropyRange() -> ClosedRange<Float> {
        let half = Self.binCount / 2
        let halfLevels = Self.quantizedBinCount / 2
        var best = (divergence: Double.infinity, range: edge(0)...edge(Self.binCount))
        // About 64 candidate windows: finer steps change the range by under 2% and cost seconds per tensor.
        for width in stride(from: halfLevels, through: half, by: max(1, (half - halfLevels) / 64)) {
            let start = half - width
            let end = min(half + width + 1, Self.binCount)
            let divergence = Self.divergence(
                reference: clipped(start, end), inside: counts[start..<end].map(Double.init), levels: Self.quantizedBinCount)
            if divergence < best.divergence { best = (divergence, edge(start)...edge(end)) }
        }
        return best.range
    }

    /// Bins `start..<end`, with everything below and above added to the first and last.
    private func clipped(_ start: Int, _ end: Int) -> [Double] {
        var window = counts[start..<end].map(Double.init)
        window[0] += Double(counts[..<start].reduce(0, +))
        window[window.count - 1] += Double(counts[end...].reduce(0, +))
        return window
    }

    /// KL(p ‖ q): p is the window with the clipped values piled on its edges; q is the window's
    /// own values (`inside`, without the clipped ones, so clipping much costs much) merged into
    /// `levels` groups and spread back evenly over the bins of each group that p occupies. Empty
    /// bins get a small epsilon so the logarithms stay finite.
    static func divergence(reference p: [Double], inside: [Double], levels: Int) -> Double {
        let perLevel = p.count / levels
        var q = [Double](repeating: 0, count: p.count)
        for level in 0..<levels {
            let start = level * perLevel
            let end = level == levels - 1 ? p.count : start + perLevel
            let occupied = p[start..<end].filter { $0 > 0 }.count
            guard occupied > 0 else { continue }
            let share = inside[start..<end].reduce(0, +) / Double(occupied)
            for i in start..<end where p[i] > 0 { q[i] = share }
        }
        guard let smoothP = smoothed(p), let smoothQ = smoothed(q) else { return .infinity }
        let sumP = smoothP.reduce(0, +)
        let sumQ = smoothQ.reduce(0, +)
        var total = 0.0
        for (a, b) in zip(smoothP, smoothQ) where a > 0 {
            let pa = a / sumP
            total += pa * log(pa / (b / sumQ))
        }
        return total
    }

    /// Moves a little mass from the non-empty bins to the empty ones; `nil` when all are empty.
    private static func smoothed(_ values: [Double]) -> [Double]? {
        let epsilon = 0.0001
        let zeros = values.filter { $0 == 0 }.count
        let nonZeros = values.count - zeros
        guard nonZeros > 0 else { return nil }
        let taken = epsilon * Double(zeros) / Double(nonZeros)
        return values.map { $0 == 0 ? epsilon : max($0 - taken, epsilon) }
    }
}
