import Foundation
import TensorCore

/// DeformConv (opset 19), 2-D: a convolution whose every kernel tap reads the input at its usual
/// place moved by a learned offset, [N, offset_group·kH·kW·2, oH, oW] as (dy, dx) pairs, and is
/// weighted by an optional mask [N, offset_group·kH·kW, oH, oW]. The moved point is read by
/// bilinear interpolation, zero outside the input (as GridSample with zero padding and aligned
/// corners reads it). Input channels share one offset field per offset group.
struct DeformConvKernel {
    let dilations: [Int]?
    let group: Int
    let kernelShape: [Int]?
    let offsetGroup: Int
    let pads: [Int]?
    let strides: [Int]?

    init(_ node: NodeContext) throws(ReferenceEngineError) {
        dilations = try node.ints("dilations")
        group = try node.int("group", default: 1)
        kernelShape = try node.ints("kernel_shape")
        offsetGroup = try node.int("offset_group", default: 1)
        pads = try node.ints("pads")
        strides = try node.ints("strides")
        try node.require(group >= 1 && offsetGroup >= 1, "group and offset_group must be positive")
    }

    func run(_ inputs: KernelInputs) throws(KernelError) -> NDArray {
        let x = try inputs.at(0)
        let w = try inputs.at(1)
        let offset = try inputs.at(2)
        guard x.rank == 4, w.rank == 4, offset.rank == 4 else {
            throw .invalid("the engine implements DeformConv in 2-D only (X \(x.shape), W \(w.shape), offset \(offset.shape))")
        }
        let (batch, channels, height, width) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (outputs, perGroup) = (w.shape[0], w.shape[1])
        let kernel = kernelShape ?? [w.shape[2], w.shape[3]]
        let (kh, kw) = (kernel[0], kernel[1])
        let dilation = dilations ?? [1, 1]
        let stride = strides ?? [1, 1]
        let pad = pads ?? [0, 0, 0, 0]
        let (oh, ow) = (offset.shape[2], offset.shape[3])
        let taps = kh * kw
        guard kernel.count == 2, w.shape[2] == kh, w.shape[3] == kw, dilation.count == 2, stride.count == 2, pad.count == 4,
            channels == perGroup * group, outputs % group == 0, channels % offsetGroup == 0,
            offset.shape[0] == batch, offset.shape[1] == offsetGroup * taps * 2
        else {
            throw .shapeMismatch(
                "X \(x.shape), W \(w.shape), offset \(offset.shape) disagree with group \(group), offset_group \(offsetGroup), kernel \(kernel)")
        }
        let expectedHeight = (height + pad[0] + pad[2] - ((kh - 1) * dilation[0] + 1)) / stride[0] + 1
        let expectedWidth = (width + pad[1] + pad[3] - ((kw - 1) * dilation[1] + 1)) / stride[1] + 1
        guard oh == expectedHeight, ow == expectedWidth else {
            throw .shapeMismatch("offset's spatial size \([oh, ow]) is not the output's \([expectedHeight, expectedWidth])")
        }
        let mask = try inputs.optional(4).map { array throws(KernelError) -> [Float] in
            guard array.shape == [batch, offsetGroup * taps, oh, ow] else {
                throw .shapeMismatch("mask must be \([batch, offsetGroup * taps, oh, ow]), got \(array.shape)")
            }
            return try array.floatValues()
        }
        let bias = try inputs.optional(3).map { array throws(KernelError) -> [Float] in
            guard array.count == outputs else { throw .shapeMismatch("B must hold \(outputs) values, got \(array.shape)") }
            return try array.floatValues()
        }
        let (image, weights, moves) = (try x.floatValues(), try w.floatValues(), try offset.floatValues())
        let outputsPerGroup = outputs / group
        let channelsPerOffsetGroup = channels / offsetGroup
        let plane = oh * ow
        var result = [Float](repeating: 0, count: batch * outputs * plane)
        // For each input channel, the sampled value of every tap at every output position.
        var columns = [Float](repeating: 0, count: taps * plane)
        for n in 0..<batch {
            for channel in 0..<channels {
                let field = channel / channelsPerOffsetGroup
                let source = (n * channels + channel) * height * width
                for tap in 0..<taps {
                    let (ty, tx) = tap.quotientAndRemainder(dividingBy: kw)
                    for i in 0..<oh {
                        for j in 0..<ow {
                            let move = ((n * offsetGroup + field) * taps + tap) * 2
                            let y = Double(i * stride[0] - pad[0] + ty * dilation[0]) + Double(moves[(move * oh + i) * ow + j])
                            let x = Double(j * stride[1] - pad[1] + tx * dilation[1]) + Double(moves[((move + 1) * oh + i) * ow + j])
                            var value = Self.bilinear(image, offset: source, height: height, width: width, y: y, x: x)
                            if let mask { value *= mask[(((n * offsetGroup + field) * taps + tap) * oh + i) * ow + j] }
                            columns[tap * plane + i * ow + j] = value
                        }
                    }
                }
                let g = channel / perGroup
                for output in g * outputsPerGroup..<(g + 1) * outputsPerGroup {
                    let target = (n * outputs + output) * plane
                    for tap in 0..<taps {
                        let weight = weights[(output * perGroup + channel % perGroup) * taps + tap]
                        for position in 0..<plane { result[target + position] += weight * columns[tap * plane + position] }
                    }
                }
            }
            if let bias {
                for output in 0..<outputs {
                    for position in 0..<plane { result[(n * outputs + output) * plane + position] += bias[output] }
                }
            }
        }
        return NDArray(floats: result, shape: [batch, outputs, oh, ow], type: x.dataType)
    }

    /// The input plane at (y, x) by bilinear interpolation, its neighbours outside the plane taken as 0.
    private static func bilinear(_ values: [Float], offset: Int, height: Int, width: Int, y: Double, x: Double) -> Float {
        let (top, left) = (Int(Foundation.floor(y)), Int(Foundation.floor(x)))
        let (fy, fx) = (y - Double(top), x - Double(left))
        var sum = 0.0
        for (row, wy) in [(top, 1 - fy), (top + 1, fy)] where (0..<height).contains(row) && wy != 0 {
            for (column, wx) in [(left, 1 - fx), (left + 1, fx)] where (0..<width).contains(column) && wx != 0 {
                sum += wy * wx * Double(values[offset + row * width + column])
            }
        }
        return Float(sum)
    }
}

extension OperatorRegistry {
    mutating func registerDeformConv() {
        register("DeformConv", since: 19) { node throws(ReferenceEngineError) in
            let kernel = try DeformConvKernel(node)
            return { inputs, _ in [try kernel.run(inputs)] }
        }
    }
}
