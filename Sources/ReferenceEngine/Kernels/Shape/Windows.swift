import Foundation
import TensorCore

/// HannWindow, HammingWindow and BlackmanWindow: generalised cosine windows of a given length.
enum WindowKernels {
    /// A window whose value at n is Σ_k (-1)^k a_k cos(2πkn/N), N the length (periodic) or length - 1.
    static func kernel(_ node: NodeContext, coefficients: [Float]) throws(ReferenceEngineError) -> Kernel {
        let periodic = try node.int("periodic", default: 1) != 0
        let code = try node.int("output_datatype", default: 1)
        guard let type = DataType(rawValue: Int32(truncatingIfNeeded: code)), type.isEngineSupported else {
            throw node.invalid("output_datatype \(code) is not a numeric ONNX type")
        }
        return { inputs, _ in
            let length = try inputs.at(0).scalarInt()
            guard length >= 0 else { throw KernelError.invalid("window length \(length) is negative") }
            let span = Float(periodic ? length : length - 1)
            let values = (0..<length).map { n -> Float in
                var sum: Float = 0
                for (k, a) in coefficients.enumerated() {
                    let sign: Float = k % 2 == 0 ? 1 : -1
                    sum += sign * a * Foundation.cos(2 * Float.pi * Float(k) * Float(n) / span)
                }
                return sum
            }
            return [try CastKernels.cast(NDArray(floats: values, shape: [length]), to: type)]
        }
    }
}

extension OperatorRegistry {
    /// Signal windows.
    mutating func registerWindows() {
        register("HannWindow") { node throws(ReferenceEngineError) in try WindowKernels.kernel(node, coefficients: [0.5, 0.5]) }
        register("HammingWindow") { node throws(ReferenceEngineError) in
            try WindowKernels.kernel(node, coefficients: [25.0 / 46.0, 1 - 25.0 / 46.0])
        }
        register("BlackmanWindow") { node throws(ReferenceEngineError) in
            try WindowKernels.kernel(node, coefficients: [0.42, 0.5, 0.08])
        }
    }
}
