import Foundation
import TensorCore

/// NonMaxSuppression: per batch and class, boxes above the score threshold are taken in order
/// of falling score (ties by index) and kept unless they overlap a kept box by more than the
/// IoU threshold, up to `max_output_boxes_per_class`. Output rows are (batch, class, box).
struct NonMaxSuppressionKernel {
    /// 0: [y1, x1, y2, x2] with either corner first; 1: [x center, y center, width, height].
    let centerPointBox: Bool

    init(_ node: NodeContext) throws(ReferenceEngineError) {
        let format = try node.int("center_point_box", default: 0)
        try node.require(format == 0 || format == 1, "attribute 'center_point_box' is \(format); expected 0 or 1")
        centerPointBox = format == 1
    }

    /// A box as (top, left, bottom, right) with top ≤ bottom and left ≤ right.
    private func corners(_ b: ArraySlice<Float>) -> (Float, Float, Float, Float) {
        let v = Array(b)
        if centerPointBox {
            return (v[1] - v[3] / 2, v[0] - v[2] / 2, v[1] + v[3] / 2, v[0] + v[2] / 2)
        }
        return (min(v[0], v[2]), min(v[1], v[3]), max(v[0], v[2]), max(v[1], v[3]))
    }

    static func intersectionOverUnion(_ a: (Float, Float, Float, Float), _ b: (Float, Float, Float, Float)) -> Float {
        let areaA = (a.2 - a.0) * (a.3 - a.1)
        let areaB = (b.2 - b.0) * (b.3 - b.1)
        guard areaA > 0, areaB > 0 else { return 0 }
        let height = max(0, min(a.2, b.2) - max(a.0, b.0))
        let width = max(0, min(a.3, b.3) - max(a.1, b.1))
        let intersection = height * width
        return intersection / (areaA + areaB - intersection)
    }

    func run(_ inputs: KernelInputs) throws(KernelError) -> NDArray {
        let boxesInput = try inputs.at(0)
        let scoresInput = try inputs.at(1)
        guard boxesInput.rank == 3, boxesInput.shape[2] == 4, scoresInput.rank == 3,
            scoresInput.shape[0] == boxesInput.shape[0], scoresInput.shape[2] == boxesInput.shape[1]
        else {
            throw .shapeMismatch("boxes \(boxesInput.shape) and scores \(scoresInput.shape) are not [B, N, 4] and [B, C, N]")
        }
        let boxes = try boxesInput.floatValues()
        let scores = try scoresInput.floatValues()
        let limit = try inputs.optional(2).map { v throws(KernelError) in try v.scalarInt() } ?? 0
        let iouThreshold = try inputs.optional(3).map { v throws(KernelError) in try v.scalarFloat() } ?? 0
        let scoreThreshold = try inputs.optional(4).map { v throws(KernelError) in try v.scalarFloat() }
        let (batches, classes, count) = (scoresInput.shape[0], scoresInput.shape[1], scoresInput.shape[2])
        var selected: [Int64] = []
        for b in 0..<batches {
            let boxCorners = (0..<count).map { corners(boxes[((b * count + $0) * 4)..<((b * count + $0) * 4 + 4)]) }
            for c in 0..<classes {
                let row = (b * classes + c) * count
                let candidates = (0..<count)
                    .filter { scoreThreshold == nil || scores[row + $0] > scoreThreshold! }
                    .sorted { scores[row + $0] != scores[row + $1] ? scores[row + $0] > scores[row + $1] : $0 < $1 }
                var kept: [Int] = []
                for candidate in candidates where kept.count < limit {
                    let overlaps = kept.contains {
                        Self.intersectionOverUnion(boxCorners[$0], boxCorners[candidate]) > iouThreshold
                    }
                    if !overlaps { kept.append(candidate) }
                }
                for box in kept { selected += [Int64(b), Int64(c), Int64(box)] }
            }
        }
        return NDArray(ints: selected, shape: [selected.count / 3, 3])
    }
}

extension OperatorRegistry {
    mutating func registerNonMaxSuppression() {
        register("NonMaxSuppression", since: 10) { node throws(ReferenceEngineError) in
            let kernel = try NonMaxSuppressionKernel(node)
            return { inputs, _ in [try kernel.run(inputs)] }
        }
    }
}
