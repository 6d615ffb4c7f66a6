import Foundation
import TensorCore

/// MelWeightMatrix (opset 17): the [⌊dft_length/2⌋ + 1, num_mel_bins] matrix that maps a one-sided
/// spectrum to mel bands. The band edges are `num_mel_bins + 2` points evenly spaced in mel
/// (2595·log10(1 + f/700)) between the two edge frequencies, each converted back to hertz and then
/// to a spectrum bin, ⌊(dft_length + 1)·f / sample_rate⌋; band i rises linearly from its left edge
/// to 1 at its centre and falls to 0 at its right edge (a band whose left edge is its centre is 1
/// there alone).
enum MelWeightMatrixKernel {
    static func kernel(_ node: NodeContext) throws(ReferenceEngineError) -> Kernel {
        let code = try node.int("output_datatype", default: 1)
        guard let type = DataType(rawValue: Int32(truncatingIfNeeded: code)), type.isEngineSupported else {
            throw node.invalid("output_datatype \(code) is not a numeric ONNX type")
        }
        return { inputs, _ in
            let bands = try inputs.at(0).scalarInt()
            let length = try inputs.at(1).scalarInt()
            let rate = try inputs.at(2).scalarInt()
            let lower = Double(try inputs.at(3).scalarFloat())
            let upper = Double(try inputs.at(4).scalarFloat())
            guard bands > 0, length > 0, rate > 0 else {
                throw KernelError.invalid("num_mel_bins \(bands), dft_length \(length) and sample_rate \(rate) must be positive")
            }
            let bins = length / 2 + 1
            let points = bands + 2
            func mel(_ hertz: Double) -> Double { 2595 * Foundation.log1p(hertz / 700) / Foundation.log(10) }
            let low = mel(lower)
            let step = (mel(upper) - low) / Double(points)
            let edges = (0..<points).map { index -> Int in
                let hertz = 700 * Foundation.expm1((Double(index) * step + low) / 2595 * Foundation.log(10))
                return Int((Double(length + 1) * hertz / Double(rate)).rounded(.down))
            }
            guard edges[0] >= 0, edges[points - 2] < bins, edges[points - 1] <= bins,
                zip(edges, edges.dropFirst()).allSatisfy({ $0 <= $1 })
            else {
                throw KernelError.invalid("the band edges \(edges) do not rise within the \(bins) spectrum bins")
            }
            var matrix = [Float](repeating: 0, count: bins * bands)
            for band in 0..<bands {
                let (left, centre, right) = (edges[band], edges[band + 1], edges[band + 2])
                if centre == left {
                    matrix[centre * bands + band] = 1
                } else {
                    for bin in left...centre { matrix[bin * bands + band] = Float(Double(bin - left) / Double(centre - left)) }
                }
                if right > centre {
                    for bin in centre..<right { matrix[bin * bands + band] = Float(Double(right - bin) / Double(right - centre)) }
                }
            }
            return [try CastKernels.cast(NDArray(floats: matrix, shape: [bins, bands]), to: type)]
        }
    }
}

extension OperatorRegistry {
    mutating func registerMelWeightMatrix() {
        register("MelWeightMatrix", since: 17) { node throws(ReferenceEngineError) in try MelWeightMatrixKernel.kernel(node) }
    }
}
