extension Device {
    /// The one scale ``Device/specificity`` is measured on, so libraries written separately rank
    /// consistently on a shared device: a vendor's own route before a generic one.
    public enum Specificity {
        /// The built-in reference engine: always last.
        public static let reference = 0
        /// A portable CPU route: ONNX Runtime's CPU provider, OpenVINO on a non-Intel CPU.
        public static let genericCPU = 10
        /// The CPU vendor's own library: OpenVINO on an Intel CPU.
        public static let vendorCPU = 20
        /// An inference server: whatever runs behind it, the round trip makes it no better a
        /// first choice than a local CPU; measurement decides.
        public static let remote = 10
        /// A portable GPU route: DirectML.
        public static let genericGPU = 25
        /// A vendor's runtime for its accelerator: CUDA, CoreML, OpenVINO on an Intel GPU or NPU.
        public static let vendorAccelerator = 30
        /// A vendor's ahead-of-time compiler for its accelerator: TensorRT.
        public static let compiledAccelerator = 40
    }
}
