public import InferenceRuntime

extension QuantizationOptions {
    /// A warning when U8S8 is asked for on a CPU whose int8 kernels may saturate: x86-64 with
    /// AVX2 and no VNNI (see ``CPUFeatures/saturatesU8S8``); `nil` otherwise.
    public func saturationWarning(on cpu: CPUFeatures) -> String? {
        guard activations == .u8, weights == .s8, !reduceRange, cpu.saturatesU8S8 else { return nil }
        return "U8S8 on a CPU with AVX2 and no VNNI: ONNX Runtime's int8 kernels add pairs of u8×s8 products in 16 bits, which can saturate and distort outputs; use --reduce-range (7-bit weights) or --activations u8 --weights u8 (U8U8), or the default S8S8"
    }
}
