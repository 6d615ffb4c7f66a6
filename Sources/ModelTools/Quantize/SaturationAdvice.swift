public import InferenceRuntime

extension QuantizationOptions {
    /// A warning when U8S8 is asked for on a CPU whose int8 kernels may saturate: x86-64 with
    /// AVX2 and no VNNI (see ``CPUFeatures/saturatesU8S8``); `nil` otherwise.
    public func saturationWarning(on cpu: CPUFeatures) -> String? {
        guard activations == .u8, weights == .s8, !reduceRange, cpu.saturatesU8S8 else { return nil }
        return "U8S8 on a CPU with AVX2 and no VNNI: ONNX Runtime's int8 kernels add pairs of u8×s8 products in 16 bits, which can saturate and distort outputs; use --reduce-range (7-bit weights) or --activations u8 --weights u8 (U8U8), or the default S8S8"
    }

    /// Why weights should be 7-bit on `cpu`, or `nil` when they need not be: signed 8-bit weights
    /// on x86-64 with AVX2 and no VNNI. There ONNX Runtime runs every int8 activation as u8 (it
    /// converts S8 Q/DQ pairs on x86) times s8 weights with `vpmaddubsw`, whose int16 pair sums
    /// saturate; 7-bit weights keep each pair within int16.
    public func reducedRangeReason(on cpu: CPUFeatures) -> String? {
        guard weights == .s8, !reduceRange, cpu.saturatesU8S8 else { return nil }
        return "7-bit weights: this CPU has AVX2 and no VNNI, where ONNX Runtime multiplies u8 activations by s8 weights in int16 pair sums that 8-bit weights can saturate (--no-reduce-range keeps 8 bits)"
    }
}
