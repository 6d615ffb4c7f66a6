import Foundation
import TensorCore

/// DFT (opsets 17 and 20): the discrete Fourier transform along one signal axis of a real
/// ([..., 1]) or complex ([..., 2]) input, returned complex; `dft_length` zero-pads or truncates
/// the signal, `onesided` keeps the first ⌊n/2⌋ + 1 frequencies, `inverse` the inverse transform
/// (scaled by 1/n); both together take a one-sided spectrum back to a real signal (IRFFT),
/// completing it by conjugate symmetry. Sums run in double precision: float32 sums leave the zero bins of the
/// suite's signals about 1e-4 off zero, past its tolerance.
struct DFTKernel {
    let inverse: Bool
    let onesided: Bool
    /// Opset 17 keeps the axis in an attribute; opset 20 takes it as the third input.
    let attributeAxis: Int?

    init(_ node: NodeContext) throws(ReferenceEngineError) {
        inverse = try node.int("inverse", default: 0) != 0
        onesided = try node.int("onesided", default: 0) != 0
        attributeAxis = node.sinceVersion < 20 ? try node.int("axis", default: 1) : nil
    }

    func run(_ inputs: KernelInputs) throws(KernelError) -> NDArray {
        let x = try inputs.at(0)
        guard x.rank >= 2, x.shape.last == 1 || x.shape.last == 2 else {
            throw .shapeMismatch("input \(x.shape) must end in 1 (real) or 2 (complex)")
        }
        let complex = x.shape.last == 2
        var axisValue = attributeAxis ?? -2
        if attributeAxis == nil, let given = inputs.optional(2) { axisValue = try given.scalarInt() }
        let axis = try ShapeMath.axis(axisValue, rank: x.rank)
        guard axis < x.rank - 1 else { throw .invalid("axis \(axisValue) is the complex axis of \(x.shape)") }
        let size = x.shape[axis]
        let realOutput = inverse && onesided
        var length = realOutput ? 2 * (size - 1) : size
        if let given = inputs.optional(1) { length = try given.scalarInt() }
        guard length > 0 else { throw .invalid("dft_length is \(length); it must be positive") }
        let values = try x.floatValues()
        let bins = realOutput ? length : (onesided ? length / 2 + 1 : length)
        let outer = x.shape[..<axis].product
        let inner = x.shape[(axis + 1)..<(x.rank - 1)].product
        let parts = complex ? 2 : 1
        var result = [Float](repeating: 0, count: outer * bins * inner * (realOutput ? 1 : 2))
        let sign: Double = inverse ? 1 : -1
        for o in 0..<outer {
            for i in 0..<inner {
                for k in 0..<bins {
                    var (re, im) = (0.0, 0.0)
                    for m in 0..<(realOutput ? length : min(size, length)) {
                        // IRFFT reads the missing upper half as the conjugate of the lower one.
                        let mirrored = realOutput && m >= size
                        let source = mirrored ? length - m : m
                        if source >= size || source < 0 { continue }
                        let base = ((o * size + source) * inner + i) * parts
                        let (a, b) = (Double(values[base]), complex ? Double(values[base + 1]) * (mirrored ? -1 : 1) : 0)
                        let angle = sign * 2 * Double.pi * Double(k * m % length) / Double(length)
                        re += a * cos(angle) - b * sin(angle)
                        im += a * sin(angle) + b * cos(angle)
                    }
                    let scale = inverse ? 1 / Double(length) : 1
                    let out = ((o * bins + k) * inner + i) * (realOutput ? 1 : 2)
                    result[out] = Float(re * scale)
                    if !realOutput { result[out + 1] = Float(im * scale) }
                }
            }
        }
        var shape = x.shape
        shape[axis] = bins
        shape[x.rank - 1] = realOutput ? 1 : 2
        return NDArray(floats: result, shape: shape, type: x.dataType)
    }
}

extension OperatorRegistry {
    mutating func registerDFT() {
        register("DFT", since: 17) { node throws(ReferenceEngineError) in
            let kernel = try DFTKernel(node)
            return { inputs, _ in [try kernel.run(inputs)] }
        }
    }
}
