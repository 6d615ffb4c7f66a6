/// The spatial arithmetic shared by convolution and pooling: kernel, strides, dilations,
/// padding (explicit or `auto_pad`), and the output size it gives.
struct ConvGeometry: Sendable {
    var kernel: [Int]
    var strides: [Int]
    var dilations: [Int]
    /// Explicit pads as ONNX stores them (all begins, then all ends); `nil` under `auto_pad`.
    var pads: [Int]?
    var autoPad: String
    var ceilMode: Bool

    /// Reads the attributes common to Conv, ConvTranspose and the pools.
    init(_ node: NodeContext, kernel: [Int]?, ceilMode: Bool = false) throws(ReferenceEngineError) {
        self.kernel = kernel ?? []
        strides = try node.ints("strides") ?? []
        dilations = try node.ints("dilations") ?? []
        pads = try node.ints("pads")
        autoPad = try node.choice("auto_pad", default: "NOTSET", in: ["NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"])
        self.ceilMode = ceilMode
        if let pads, pads.contains(where: { $0 < 0 }) { throw node.invalid("pads \(pads) must not be negative") }
        if strides.contains(where: { $0 <= 0 }) || dilations.contains(where: { $0 <= 0 }) {
            throw node.invalid("strides and dilations must be positive")
        }
    }

    /// Begin pads and output sizes for the input's spatial sizes `input`.
    func resolve(input: [Int]) throws(KernelError) -> (begin: [Int], end: [Int], output: [Int]) {
        let rank = input.count
        guard kernel.count == rank else { throw .invalid("kernel \(kernel) does not fit \(rank) spatial axes") }
        let strides = self.strides.isEmpty ? Array(repeating: 1, count: rank) : self.strides
        let dilations = self.dilations.isEmpty ? Array(repeating: 1, count: rank) : self.dilations
        guard strides.count == rank, dilations.count == rank else { throw .invalid("strides or dilations do not fit \(rank) axes") }
        var begin = [Int](repeating: 0, count: rank)
        var end = begin
        var output = begin
        for axis in 0..<rank {
            let extent = (kernel[axis] - 1) * dilations[axis] + 1
            switch autoPad {
            case "SAME_UPPER", "SAME_LOWER":
                output[axis] = (input[axis] + strides[axis] - 1) / strides[axis]
                let total = max(0, (output[axis] - 1) * strides[axis] + extent - input[axis])
                begin[axis] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2
                end[axis] = total - begin[axis]
            case "VALID":
                output[axis] = max(0, (input[axis] - extent) / strides[axis] + 1)
            default:
                if let pads {
                    guard pads.count == 2 * rank else { throw .invalid("pads \(pads) do not fit \(rank) axes") }
                    begin[axis] = pads[axis]
                    end[axis] = pads[axis + rank]
                }
                let span = input[axis] + begin[axis] + end[axis] - extent
                guard span >= 0 else { throw .shapeMismatch("kernel \(kernel) is larger than the padded input \(input)") }
                if ceilMode {
                    var size = (span + strides[axis] - 1) / strides[axis] + 1
                    // The last window must start inside the input or its begin padding.
                    if (size - 1) * strides[axis] >= input[axis] + begin[axis] { size -= 1 }
                    output[axis] = size
                } else {
                    output[axis] = span / strides[axis] + 1
                }
            }
        }
        return (begin, end, output)
    }

    var resolvedStrides: [Int] { strides.isEmpty ? Array(repeating: 1, count: kernel.count) : strides }
    var resolvedDilations: [Int] { dilations.isEmpty ? Array(repeating: 1, count: kernel.count) : dilations }
}
