import TensorCore

/// The sliding-window attributes convolutions and pools share (`kernel_shape`, `strides`,
/// `dilations`, `pads`, `auto_pad`, `ceil_mode`), validated, with the output-size arithmetic.
///
/// Every attribute comes from the file as a 64-bit integer: sizes are checked to be positive and
/// all arithmetic goes through ``Dim``'s overflow-checked operations.
struct ConvolutionWindow {
    enum AutoPad: String {
        case notSet = "NOTSET"
        case sameUpper = "SAME_UPPER"
        case sameLower = "SAME_LOWER"
        case valid = "VALID"
    }

    var kernel: [Int]
    var strides: [Int]
    var dilations: [Int]
    /// Explicit pads, begins then ends; zeros under `auto_pad`.
    var pads: [Int]
    var autoPad: AutoPad
    var ceilMode: Bool

    /// Reads the attributes for `spatialRank` spatial axes.
    /// - Parameters:
    ///   - kernel: the kernel size when it comes from a weight tensor rather than `kernel_shape`.
    ///   - useDilations: false for operators that have no `dilations` (AveragePool before 19, LpPool).
    init(_ context: InferenceContext, spatialRank: Int, kernel weightKernel: [Int]?, useDilations: Bool = true) throws {
        if let declared = try context.ints("kernel_shape") {
            kernel = try context.ints("kernel_shape", count: spatialRank, minimum: 1, default: 1)
            if let weightKernel, weightKernel != declared {
                throw context.invalid("attribute 'kernel_shape' \(declared) disagrees with the weight's \(weightKernel)")
            }
        } else if let weightKernel {
            kernel = weightKernel
        } else {
            throw context.invalid("attribute 'kernel_shape' is missing")
        }
        strides = try context.ints("strides", count: spatialRank, minimum: 1, default: 1)
        dilations =
            useDilations
            ? try context.ints("dilations", count: spatialRank, minimum: 1, default: 1)
            : Array(repeating: 1, count: spatialRank)
        let padText = try context.string("auto_pad") ?? "NOTSET"
        guard let autoPad = AutoPad(rawValue: padText.isEmpty ? "NOTSET" : padText) else {
            throw context.invalid("attribute 'auto_pad' is '\(padText)', expected NOTSET, SAME_UPPER, SAME_LOWER or VALID")
        }
        self.autoPad = autoPad
        pads = Array(repeating: 0, count: 2 * spatialRank)
        if let explicit = try context.ints("pads") {
            guard explicit.count == 2 * spatialRank else {
                throw context.invalid("attribute 'pads' has \(explicit.count) values, expected \(2 * spatialRank)")
            }
            if autoPad == .notSet { pads = explicit }
        }
        ceilMode = try context.int("ceil_mode", default: 0) != 0
    }

    /// `(kernel - 1) * dilation + 1`: the extent one window covers.
    func effectiveKernel(_ axis: Int) throws -> Int {
        try Dim.value(kernel[axis] - 1).multiplied(by: dilations[axis]).adding(1).value ?? 0
    }

    /// The output size along spatial `axis` of a convolution or pool over `input`.
    ///
    /// SAME padding pads so that the output is `ceil(input / stride)`; with static sizes the pads
    /// are computed as ONNX does and the general formula applied, which also covers `ceil_mode`.
    func outputSize(_ input: Dim, axis: Int, context: InferenceContext) throws -> Dim {
        let stride = strides[axis]
        let extent = try effectiveKernel(axis)
        var begin = pads[axis]
        var end = pads[axis + kernel.count]
        if autoPad == .sameUpper || autoPad == .sameLower {
            guard let size = input.value else {
                return ceilMode && stride > 1 ? .unknown : try input.ceilDivided(by: stride)
            }
            let residual = size % stride
            let total = max(extent - (residual == 0 ? stride : residual), 0)
            begin = autoPad == .sameUpper ? total / 2 : total - total / 2
            end = total - begin
        }
        let padded = try input.adding(.value(begin)).adding(.value(end))
        let span = try padded.subtracting(.value(extent))
        if let size = span.value, size < 0 {
            throw context.invalid(
                "window of \(extent) along spatial axis \(axis) exceeds the padded input \(padded.value ?? 0)")
        }
        guard ceilMode else { return try span.floorDivided(by: stride).adding(1) }
        let count = try span.ceilDivided(by: stride).adding(1)
        // A last window that would start inside the end padding is dropped (PyTorch's rule, which
        // ONNX follows): (count - 1) * stride >= input + begin.
        if let value = count.value, let size = input.value {
            let start = try Dim.value(value - 1).multiplied(by: stride)
            return (start.value ?? 0) >= size + begin ? .value(value - 1) : count
        }
        // Symbolically the drop cannot happen when end + stride - 1 < extent.
        let reach = try Dim.value(end).adding(.value(stride - 1))
        return (reach.value ?? Int.max) < extent ? count : .unknown
    }

    /// Spatial output sizes for an input whose spatial dims are `spatial`.
    func outputSizes(_ spatial: [Dim], context: InferenceContext) throws -> [Dim] {
        var result: [Dim] = []
        for (axis, dim) in spatial.enumerated() { result.append(try outputSize(dim, axis: axis, context: context)) }
        return result
    }
}

/// Pooling: windowed (`MaxPool`, `AveragePool`, `LpPool`), global, unpooling and region pools.
enum PoolingOps {
    /// `MaxPool`, `AveragePool`, `LpPool`: `[N, C, D…] → [N, C, O…]`; MaxPool's optional second
    /// output holds int64 indices of the same shape.
    static func pool(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        guard let x = context.dims(0) else { return [.tensor(element, nil), .tensor(.int64, nil)] }
        guard x.count >= 2 else { throw context.invalid("input has rank \(x.count), expected at least 2") }
        let window = try ConvolutionWindow(context, spatialRank: x.count - 2, kernel: nil)
        let dims = [x[0], x[1]] + (try window.outputSizes(Array(x.dropFirst(2)), context: context))
        return [.tensor(element, dims), .tensor(.int64, dims)]
    }

    /// `GlobalAveragePool`, `GlobalMaxPool`, `GlobalLpPool`: `[N, C, D…] → [N, C, 1…]`.
    static func globalPool(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        guard let x = context.dims(0) else { return [.tensor(element, nil)] }
        guard x.count >= 2 else { throw context.invalid("input has rank \(x.count), expected at least 2") }
        return [.tensor(element, [x[0], x[1]] + Array(repeating: Dim.value(1), count: x.count - 2))]
    }

    /// `MaxUnpool(X, I, output_shape)`: `stride * (D - 1) + kernel - pads`, or the `output_shape` input.
    static func maxUnpool(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        guard let x = context.dims(0) else { return [.tensor(element, nil)] }
        guard x.count >= 2 else { throw context.invalid("input has rank \(x.count), expected at least 2") }
        let spatialRank = x.count - 2
        if context.has(2) {
            if let requested = context.dimValues(2) {
                guard requested.count == x.count else {
                    throw context.invalid("output_shape has \(requested.count) values for rank \(x.count)")
                }
                return [.tensor(element, requested)]
            }
            return [.tensor(element, Array(repeating: .unknown, count: x.count))]
        }
        let window = try ConvolutionWindow(context, spatialRank: spatialRank, kernel: nil, useDilations: false)
        var dims = [x[0], x[1]]
        for axis in 0..<spatialRank {
            let padding = try Dim.value(window.pads[axis]).adding(.value(window.pads[axis + spatialRank]))
            dims.append(
                try x[axis + 2].subtracting(1).multiplied(by: window.strides[axis])
                    .adding(.value(window.kernel[axis])).subtracting(padding))
        }
        return [.tensor(element, dims)]
    }

    /// `RoiAlign(X, rois, batch_indices)`: `[num_rois, C, output_height, output_width]`.
    static func roiAlign(_ context: inout InferenceContext) throws -> [ValueType?] {
        let height = try context.int("output_height", default: 1)
        let width = try context.int("output_width", default: 1)
        return [try regionPool(context, height: height, width: width)]
    }

    /// `MaxRoiPool(X, rois)`: `[num_rois, C, pooled_shape…]`.
    static func maxRoiPool(_ context: inout InferenceContext) throws -> [ValueType?] {
        guard let pooled = try context.ints("pooled_shape") else {
            throw context.invalid("attribute 'pooled_shape' is missing")
        }
        guard pooled.count == 2 else { throw context.invalid("attribute 'pooled_shape' has \(pooled.count) values, expected 2") }
        return [try regionPool(context, height: pooled[0], width: pooled[1])]
    }

    private static func regionPool(_ context: InferenceContext, height: Int, width: Int) throws -> ValueType {
        guard height >= 1, width >= 1 else { throw context.invalid("pooled size \(height)×\(width) is not positive") }
        let element = context.element(0)
        guard let x = context.dims(0), let rois = context.dims(1) else { return .tensor(element, nil) }
        guard x.count == 4 else { throw context.invalid("input has rank \(x.count), expected 4") }
        guard rois.count == 2 else { throw context.invalid("rois has rank \(rois.count), expected 2") }
        return .tensor(element, [rois[0], x[1], .value(height), .value(width)])
    }
}
