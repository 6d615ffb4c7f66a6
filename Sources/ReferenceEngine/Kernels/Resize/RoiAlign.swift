import Foundation
import TensorCore

/// RoiAlign (opsets 10 and 16): pools each region of interest of X (N, C, H, W) into an
/// output_height × output_width grid. Each bin averages (or takes the largest of) bilinear
/// samples on a regular sub-grid, `sampling_ratio` per side or, when 0, ⌈bin size⌉.
///
/// Max mode takes, per sample, the largest of the four weighted corner values rather than the
/// interpolated value: ONNX Runtime defines it so and the operator's data follows it.
struct RoiAlignKernel {
    let average: Bool
    let halfPixel: Bool
    let outputHeight: Int
    let outputWidth: Int
    let samplingRatio: Int
    let spatialScale: Float

    init(_ node: NodeContext) throws(ReferenceEngineError) {
        average = try node.choice("mode", default: "avg", in: ["avg", "max"]) == "avg"
        // Opset 10 had no attribute and behaved as output_half_pixel; 16 defaults to half_pixel.
        let mode = try node.choice("coordinate_transformation_mode", default: "half_pixel", in: ["half_pixel", "output_half_pixel"])
        halfPixel = node.sinceVersion >= 16 && mode == "half_pixel"
        outputHeight = try node.int("output_height", default: 1)
        outputWidth = try node.int("output_width", default: 1)
        samplingRatio = try node.int("sampling_ratio", default: 0)
        spatialScale = try node.float("spatial_scale", default: 1)
        try node.require(outputHeight > 0 && outputWidth > 0 && samplingRatio >= 0, "output sizes must be positive and sampling_ratio not negative")
    }

    func run(_ inputs: KernelInputs) throws(KernelError) -> NDArray {
        let x = try inputs.at(0)
        let rois = try inputs.at(1).floatValues()
        let batchIndices = try inputs.at(2).intValues()
        guard x.rank == 4, rois.count == batchIndices.count * 4 else {
            throw .shapeMismatch("X \(x.shape), \(rois.count / 4) regions and \(batchIndices.count) batch indices do not fit")
        }
        let (channels, height, width) = (x.shape[1], x.shape[2], x.shape[3])
        let values = try x.floatValues()
        var result = [Float](repeating: 0, count: batchIndices.count * channels * outputHeight * outputWidth)
        let offset: Float = halfPixel ? 0.5 : 0
        for r in batchIndices.indices {
            let n = Int(batchIndices[r])
            guard n >= 0, n < x.shape[0] else { throw .invalid("batch index \(n) is outside X's batch of \(x.shape[0])") }
            let startX = rois[r * 4] * spatialScale - offset
            let startY = rois[r * 4 + 1] * spatialScale - offset
            var roiWidth = rois[r * 4 + 2] * spatialScale - offset - startX
            var roiHeight = rois[r * 4 + 3] * spatialScale - offset - startY
            if !halfPixel {
                roiWidth = max(roiWidth, 1)
                roiHeight = max(roiHeight, 1)
            }
            let binHeight = roiHeight / Float(outputHeight)
            let binWidth = roiWidth / Float(outputWidth)
            let gridHeight = samplingRatio > 0 ? samplingRatio : Int((roiHeight / Float(outputHeight)).rounded(.up))
            let gridWidth = samplingRatio > 0 ? samplingRatio : Int((roiWidth / Float(outputWidth)).rounded(.up))
            let count = Float(max(gridHeight * gridWidth, 1))
            for c in 0..<channels {
                let plane = (n * channels + c) * height * width
                for ph in 0..<outputHeight {
                    for pw in 0..<outputWidth {
                        var total: Float = 0
                        var largest = -Float.infinity
                        var sampled = false
                        for iy in 0..<gridHeight {
                            let y = startY + Float(ph) * binHeight + (Float(iy) + 0.5) * binHeight / Float(gridHeight)
                            for ix in 0..<gridWidth {
                                let x = startX + Float(pw) * binWidth + (Float(ix) + 0.5) * binWidth / Float(gridWidth)
                                let corners = Self.corners(y: y, x: x, height: height, width: width)
                                let weighted = corners.map { values[plane + $0.index] * $0.weight }
                                total += weighted.reduce(0, +)
                                if let top = weighted.max() { largest = max(largest, top) }
                                sampled = sampled || !corners.isEmpty
                            }
                        }
                        let out = ((r * channels + c) * outputHeight + ph) * outputWidth + pw
                        result[out] = average ? total / count : (sampled ? largest : 0)
                    }
                }
            }
        }
        return NDArray(floats: result, shape: [batchIndices.count, channels, outputHeight, outputWidth], type: x.dataType)
    }

    /// The four bilinear taps (plane offset, weight) at (y, x); none outside [−1, size].
    static func corners(y: Float, x: Float, height: Int, width: Int) -> [(index: Int, weight: Float)] {
        if y < -1 || y > Float(height) || x < -1 || x > Float(width) { return [] }
        func axis(_ v: Float, _ size: Int) -> (low: Int, high: Int, fraction: Float) {
            let clamped = max(v, 0)
            let low = Int(clamped)
            if low >= size - 1 { return (size - 1, size - 1, 0) }
            return (low, low + 1, clamped - Float(low))
        }
        let (y0, y1, fy) = axis(y, height)
        let (x0, x1, fx) = axis(x, width)
        return [(y0 * width + x0, (1 - fy) * (1 - fx)), (y0 * width + x1, (1 - fy) * fx),
                (y1 * width + x0, fy * (1 - fx)), (y1 * width + x1, fy * fx)]
    }
}

extension OperatorRegistry {
    mutating func registerRoiAlign() {
        register("RoiAlign", since: 10) { node throws(ReferenceEngineError) in
            let kernel = try RoiAlignKernel(node)
            return { inputs, _ in [try kernel.run(inputs)] }
        }
    }
}
