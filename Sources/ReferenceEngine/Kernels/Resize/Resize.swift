import Foundation
import TensorCore

/// Resize (all versions) and Upsample, applied one axis at a time.
struct ResizeKernel: Sendable {
    var interpolation: Interpolation
    var extrapolation: Float
    var axes: [Int]?
    var aspectPolicy: String
    /// Upsample-7 keeps its scales in an attribute.
    var attributeScales: [Float]?
    var version: Int

    init(_ node: NodeContext, upsample: Bool) throws(ReferenceEngineError) {
        version = node.sinceVersion
        let modeName = try node.string("mode", default: "nearest")
        guard let mode = Interpolation.Mode(rawValue: modeName == "bilinear" ? "linear" : modeName) else {
            throw node.invalid("attribute 'mode' is '\(modeName)'; expected nearest, linear or cubic")
        }
        // Before Resize-11 (and in Upsample) the coordinates are asymmetric and nearest rounds down.
        let legacy = upsample || node.sinceVersion < 11
        interpolation = Interpolation(
            mode: mode,
            coordinates: legacy ? "asymmetric" : try node.choice(
                "coordinate_transformation_mode", default: "half_pixel",
                in: ["half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners", "asymmetric",
                     "tf_half_pixel_for_nn", "tf_crop_and_resize"]),
            nearestMode: legacy ? "floor" : try node.choice(
                "nearest_mode", default: "round_prefer_floor", in: ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"]),
            cubicA: try node.float("cubic_coeff_a", default: -0.75),
            excludeOutside: try node.int("exclude_outside", default: 0) != 0,
            antialias: try node.int("antialias", default: 0) != 0)
        extrapolation = try node.float("extrapolation_value", default: 0)
        axes = try node.ints("axes")
        aspectPolicy = try node.choice("keep_aspect_ratio_policy", default: "stretch", in: ["stretch", "not_larger", "not_smaller"])
        attributeScales = try node.floats("scales")
    }

    func run(_ inputs: KernelInputs) throws -> [NDArray] {
        let x = try inputs.at(0)
        let rank = x.rank
        // Inputs: Resize-10 (X, scales); Resize-11+ (X, roi, scales, sizes); Upsample-9 (X, scales).
        let scalesInput = version < 11 ? inputs.optional(1) : inputs.optional(2)
        let roiInput = version < 11 ? nil : inputs.optional(1)
        let sizesInput = version < 11 ? nil : inputs.optional(3)
        let axes = try (self.axes ?? Array(0..<rank)).map { a throws(KernelError) in try ShapeMath.axis(a, rank: rank) }
        var scales = [Float](repeating: 1, count: rank)
        var output = x.shape
        if let sizesInput, sizesInput.count > 0 {
            let sizes = try sizesInput.intValues().map { Int($0) }
            guard sizes.count == axes.count else { throw KernelError.invalid("sizes \(sizes) do not fit axes \(axes)") }
            if aspectPolicy == "stretch" {
                for (k, axis) in axes.enumerated() {
                    output[axis] = sizes[k]
                    scales[axis] = Float(sizes[k]) / Float(x.shape[axis])
                }
            } else {
                let ratios = axes.enumerated().map { Float(sizes[$0.offset]) / Float(x.shape[$0.element]) }
                let scale = (aspectPolicy == "not_larger" ? ratios.min() : ratios.max()) ?? 1
                for axis in axes {
                    scales[axis] = scale
                    output[axis] = Int((Float(x.shape[axis]) * scale).rounded())
                }
            }
        } else {
            let given = try scalesInput.map { try $0.floatValues() } ?? attributeScales ?? []
            guard given.count == axes.count else { throw KernelError.invalid("scales \(given) do not fit axes \(axes)") }
            for (k, axis) in axes.enumerated() {
                guard given[k] > 0 else { throw KernelError.invalid("scale \(given[k]) is not positive") }
                scales[axis] = given[k]
                output[axis] = Int((Float(x.shape[axis]) * given[k]).rounded(.down))
            }
        }
        var roi = [(Float, Float)](repeating: (0, 1), count: rank)
        if let roiInput, roiInput.count > 0 {
            let values = try roiInput.floatValues()
            let count = values.count / 2
            let roiAxes = count == rank ? Array(0..<rank) : axes
            guard roiAxes.count == count else { throw KernelError.invalid("roi \(values) does not fit") }
            for (k, axis) in roiAxes.enumerated() { roi[axis] = (values[k], values[k + count]) }
        }
        var values = try x.floatValues()
        var shape = x.shape
        var outside = [Bool](repeating: false, count: 0)
        for axis in 0..<rank where output[axis] != shape[axis] || scales[axis] != 1 || interpolation.coordinates == "tf_crop_and_resize" {
            let plan = (0..<output[axis]).map {
                interpolation.taps($0, inSize: shape[axis], outSize: output[axis], scale: scales[axis], roi: roi[axis])
            }
            let outer = shape[..<axis].product
            let inner = shape[(axis + 1)...].product
            var next = [Float](repeating: 0, count: outer * output[axis] * inner)
            var nextOutside = [Bool](repeating: false, count: next.count)
            for o in 0..<outer {
                for (j, entry) in plan.enumerated() {
                    let target = (o * output[axis] + j) * inner
                    for i in 0..<inner {
                        var sum: Float = 0
                        for (index, weight) in entry.taps { sum += weight * values[(o * shape[axis] + index) * inner + i] }
                        next[target + i] = sum
                        nextOutside[target + i] = entry.outside || (!outside.isEmpty && entry.taps.contains { outside[(o * shape[axis] + $0.0) * inner + i] })
                    }
                }
            }
            values = next
            outside = nextOutside
            shape[axis] = output[axis]
        }
        if !outside.isEmpty { for i in values.indices where outside[i] { values[i] = extrapolation } }
        let result = NDArray(floats: values, shape: shape, type: x.isInt ? .float32 : x.dataType)
        return [x.isInt ? try CastKernels.cast(result, to: x.dataType) : result]
    }
}

extension OperatorRegistry {
    /// Resize and Upsample.
    mutating func registerResize() {
        register("Resize") { node throws(ReferenceEngineError) in
            let kernel = try ResizeKernel(node, upsample: false)
            return { inputs, _ in try kernel.run(inputs) }
        }
        register("Upsample") { node throws(ReferenceEngineError) in
            let kernel = try ResizeKernel(node, upsample: true)
            return { inputs, _ in try kernel.run(inputs) }
        }
    }
}
