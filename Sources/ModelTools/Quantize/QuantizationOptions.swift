public import TensorCore

/// What `tessera quantize` is asked for: the integer types, how ranges are chosen from the
/// calibration data, and which nodes stay float32.
public struct QuantizationOptions: Sendable, Hashable {
    /// How an activation's range is chosen from the values seen during calibration.
    public enum Method: String, Sendable, Hashable, Codable, CaseIterable {
        /// The smallest and largest value seen.
        case minmax
        /// The 0.0005% and 99.9995% points of a 2048-bin histogram, so rare outliers do not
        /// stretch the scale.
        case percentile
        /// The symmetric window of a 2048-bin histogram whose 128-level quantization has the
        /// least KL divergence from the full histogram.
        case entropy
        /// The range whose 8-bit quantization of a 2048-bin histogram has the least mean squared
        /// error, rounding inside the range and clipping outside it both counted.
        case mse
    }

    /// An 8-bit integer type for activations or weights.
    public enum IntegerType: String, Sendable, Hashable, Codable, CaseIterable {
        case s8, u8

        /// The ONNX element type.
        public var dataType: DataType { self == .s8 ? .int8 : .uint8 }
    }

    public var method: Method
    public var activations: IntegerType
    public var weights: IntegerType
    /// One weight scale per output channel (axis 0 of Conv weights) instead of one per tensor.
    public var perChannel: Bool
    /// Weights in 7 bits, so that U8×S8 pairs cannot saturate int16 sums on CPUs without VNNI.
    public var reduceRange: Bool
    /// Activation zero points of 0 (ranges symmetric around 0, `[-127, 127]`): OpenVINO can then
    /// move the dequantizing scale through PRelu and LeakyRelu and keep whole blocks in int8.
    /// Needs signed activations.
    public var symmetricActivations: Bool
    /// Operator types or node names left in float32.
    public var excluded: Set<String>

    /// S8S8 (what ONNX Runtime recommends on CPU), per-tensor, MinMax, nothing excluded.
    public init(
        method: Method = .minmax, activations: IntegerType = .s8, weights: IntegerType = .s8, perChannel: Bool = false,
        reduceRange: Bool = false, symmetricActivations: Bool = false, excluded: Set<String> = []
    ) {
        self.method = method
        self.activations = activations
        self.weights = weights
        self.perChannel = perChannel
        self.reduceRange = reduceRange
        self.symmetricActivations = symmetricActivations
        self.excluded = excluded
    }

    /// `S8S8`, `U8S8`, …: activations then weights, as ONNX Runtime's documentation names them.
    public var formatName: String { (activations.rawValue + weights.rawValue).uppercased() }
}
