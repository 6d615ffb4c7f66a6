internal import CTesseraKernels
import Foundation
import Synchronization

/// The fast path for the convolutions image models are made of (3×3, stride 1, dilation 1, one
/// group): Winograd F(4×4, 3×3), 4× fewer multiplications than the direct product, or F(6×6, 3×3),
/// 5.06× fewer, in C (`CTesseraKernels/winograd.c`, compiled for AVX2+FMA and the baseline,
/// picked at start-up).
///
/// The plan transforms the weights once (``init(tile:geometry:group:weight:)``); each run splits
/// the image's tile blocks across the threads, and the output transform applies the epilogue.
/// F(4×4) is the default: on this engine's AVX2 build F(6×6) runs no faster and doubles the error
/// (docs/winograd.md). `TESSERA_REFERENCE_CONV=winograd6` picks F(6×6), and
/// `TESSERA_REFERENCE_CONV=direct` keeps every convolution on the direct kernel, the oracle the
/// Winograd kernels are tested against.
struct WinogradConv: Sendable {
    /// The output tile plans use by default (4 or 6), or `nil` for the direct kernel.
    static let defaultTile: Int? =
        switch ProcessInfo.processInfo.environment["TESSERA_REFERENCE_CONV"] {
        case "direct": nil
        case "winograd6": 6
        default: 4
        }

    /// Fewer channels than this on either side leave too little product per transform to pay.
    static let minimumChannels = 8

    nonisolated(unsafe) private static let kernel: tessera_winograd_kernel = tessera_select_winograd_kernel()

    /// Output tile side: 4 or 6.
    let tile: Int
    let inChannels: Int
    let outChannels: Int
    /// The weights after the weight transform, as the C kernel reads them.
    private let transformed: [Float]

    /// How step labels name the kernel.
    var name: String { "Winograd F(\(tile)×\(tile),3×3)" }

    /// The transformed weights of a convolution with the constant `weight` for `tile` (4 or 6),
    /// or `nil` where Winograd does not apply (kernel, strides, dilations, groups) or does not
    /// pay (channels).
    init?(tile: Int, geometry: ConvGeometry, group: Int, weight: NDArray?) {
        guard tile == 4 || tile == 6, group == 1, let weight, weight.rank == 4, weight.shape[2] == 3, weight.shape[3] == 3,
            geometry.kernel.isEmpty || geometry.kernel == [3, 3],
            geometry.strides.allSatisfy({ $0 == 1 }), geometry.dilations.allSatisfy({ $0 == 1 }),
            weight.shape[0] >= Self.minimumChannels, weight.shape[1] >= Self.minimumChannels,
            let values = try? weight.floats()
        else { return nil }
        let (outputs, inputs) = (Int32(weight.shape[0]), Int32(weight.shape[1]))
        let count = tessera_winograd_weights_count(Int32(tile), outputs, inputs)
        transformed = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            tessera_winograd_transform_weights(Int32(tile), values, outputs, inputs, buffer.baseAddress!)
            initialized = count
        }
        (self.tile, outChannels, inChannels) = (tile, Int(outputs), Int(inputs))
    }

    /// One image: `output` (outChannels × outHeight × outWidth) from `input` (inChannels ×
    /// height × width), finished with `bias`, `residual` (the output's shape) and `epilogue`'s
    /// activation.
    func run(
        input: UnsafePointer<Float>, height: Int, width: Int, output: UnsafeMutablePointer<Float>, outHeight: Int,
        outWidth: Int, padTop: Int, padLeft: Int, bias: [Float]?, residual: UnsafePointer<Float>?,
        activation: ConvEpilogue.Activation?, context: ExecutionContext
    ) throws(KernelError) {
        var (kind, alpha, low, high): (Int32, Float, Float, Float) = (0, 0, 0, 0)
        var slopes: [Float] = []
        switch activation {
        case nil: break
        case .relu: kind = 1
        case .leakyRelu(let value): (kind, alpha) = (2, value)
        case .prelu(let values): (kind, slopes) = (3, values)
        case .clip(let lower, let upper): (kind, low, high) = (4, lower, upper)
        }
        let failed = Atomic<Bool>(false)
        transformed.withUnsafeBufferPointer { weights in
            (bias ?? []).withUnsafeBufferPointer { biasValues in
                slopes.withUnsafeBufferPointer { slopeValues in
                    let epilogue = tessera_epilogue(
                        bias: bias == nil ? nil : biasValues.baseAddress, residual: residual, activation: kind, alpha: alpha,
                        low: low, high: high, slopes: slopes.isEmpty ? nil : slopeValues.baseAddress)
                    var conv = tessera_winograd_conv(
                        tile: Int32(tile), input: input, channels: Int32(inChannels), height: Int32(height), width: Int32(width), output: output,
                        out_channels: Int32(outChannels), out_height: Int32(outHeight), out_width: Int32(outWidth),
                        pad_top: Int32(padTop), pad_left: Int32(padLeft), weights: weights.baseAddress, epilogue: epilogue)
                    let blocks = tessera_winograd_blocks(&conv)
                    let work = UnsafeConv(conv)
                    context.parallelFor(blocks) { range in
                        var conv = work.conv
                        if Self.kernel(&conv, range.lowerBound, range.upperBound) != 0 { failed.store(true, ordering: .relaxed) }
                    }
                }
            }
        }
        if failed.load(ordering: .relaxed) { throw .invalid("Winograd convolution could not allocate its per-thread buffers") }
    }
}

/// The C description of one convolution, read by every thread of the parallel loop; the memory
/// its pointers reach outlives the loop, and the threads write disjoint blocks of the output.
private struct UnsafeConv: @unchecked Sendable {
    let conv: tessera_winograd_conv
    init(_ conv: tessera_winograd_conv) { self.conv = conv }
}
