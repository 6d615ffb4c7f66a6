import Foundation
import TensorCore

/// STFT (opset 17): the DFT of each frame of `frame_length` samples, `frame_step` apart, of a
/// real or complex [batch, length, 1 or 2] signal, each frame multiplied by the window (all ones
/// when absent); `onesided` keeps the first ⌊n/2⌋ + 1 bins. Output [batch, frames, bins, 2].
struct STFTKernel {
    let onesided: Bool

    init(_ node: NodeContext) throws(ReferenceEngineError) { onesided = try node.int("onesided", default: 1) != 0 }

    func run(_ inputs: KernelInputs) throws(KernelError) -> NDArray {
        let signal = try inputs.at(0)
        guard signal.rank == 3, signal.shape[2] == 1 || signal.shape[2] == 2 else {
            throw .shapeMismatch("signal must be [batch, length, 1 or 2], got \(signal.shape)")
        }
        let (batch, length, parts) = (signal.shape[0], signal.shape[1], signal.shape[2])
        let step = try inputs.at(1).scalarInt()
        let window = try inputs.optional(2)?.floatValues()
        var frameLength = window?.count ?? length
        if let given = inputs.optional(3) { frameLength = try given.scalarInt() }
        guard step > 0, frameLength > 0, frameLength <= length, window == nil || window!.count == frameLength else {
            throw .invalid("frame_step \(step), frame_length \(frameLength) and window of \(window?.count ?? frameLength) do not fit a signal of \(length)")
        }
        guard !(onesided && parts == 2) else { throw .invalid("a complex signal has no one-sided transform") }
        let values = try signal.floatValues()
        let frames = (length - frameLength) / step + 1
        let bins = onesided ? frameLength / 2 + 1 : frameLength
        var result = [Float](repeating: 0, count: batch * frames * bins * 2)
        for b in 0..<batch {
            for f in 0..<frames {
                for k in 0..<bins {
                    var (re, im) = (0.0, 0.0)
                    for m in 0..<frameLength {
                        let base = (b * length + f * step + m) * parts
                        let weight = Double(window?[m] ?? 1)
                        let (a, c) = (Double(values[base]) * weight, parts == 2 ? Double(values[base + 1]) * weight : 0)
                        let angle = -2 * Double.pi * Double(k * m % frameLength) / Double(frameLength)
                        re += a * cos(angle) - c * sin(angle)
                        im += a * sin(angle) + c * cos(angle)
                    }
                    let out = ((b * frames + f) * bins + k) * 2
                    result[out] = Float(re)
                    result[out + 1] = Float(im)
                }
            }
        }
        return NDArray(floats: result, shape: [batch, frames, bins, 2], type: signal.dataType)
    }
}

extension OperatorRegistry {
    mutating func registerSTFT() {
        register("STFT", since: 17) { node throws(ReferenceEngineError) in
            let kernel = try STFTKernel(node)
            return { inputs, _ in [try kernel.run(inputs)] }
        }
    }
}
