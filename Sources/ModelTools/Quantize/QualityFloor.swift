/// A quality the quantized model must reach: on every held-back input its output is at least
/// `minimumPSNR` dB from the float model's. ``Quantizer`` then searches for the model with the
/// fewest layers kept float that reaches it (see ``FloorReport``).
public struct QualityFloor: Sendable, Hashable {
    /// The floor in dB, met by the worst held-back input.
    public var minimumPSNR: Double
    /// Inputs never used for calibration; `nil` splits them off the calibration folder (see
    /// ``CalibrationSource/heldBack()``).
    public var heldBack: CalibrationSource?
    /// The output values a user sees, such as a manifest's `[0, 1]`: outputs are clipped to it
    /// and its width is the PSNR's peak. `nil` compares unclipped outputs with the float output's
    /// own range on each input as the peak.
    public var outputRange: ClosedRange<Float>?

    public init(minimumPSNR: Double, heldBack: CalibrationSource? = nil, outputRange: ClosedRange<Float>? = nil) {
        self.minimumPSNR = minimumPSNR
        self.heldBack = heldBack
        self.outputRange = outputRange
    }
}

/// How a quality floor was met: the PSNR reached on each held-back input, and the layers kept
/// float with the sensitivity that put them there.
public struct FloorReport: Sendable, Codable, Hashable {
    /// A layer kept float.
    public struct Layer: Sendable, Codable, Hashable {
        /// The node's name, or `#index OpType` when it has none.
        public var node: String
        public var opType: String
        /// dB gained on the held-back inputs (all their outputs pooled) when this layer alone
        /// stays float and every other one is integer.
        public var sensitivity: Double

        public init(node: String, opType: String, sensitivity: Double) {
            self.node = node
            self.opType = opType
            self.sensitivity = sensitivity
        }
    }

    public var minimumPSNR: Double
    /// The held-back inputs as given (`--holdout`, or the images split off the calibration folder).
    public var heldBack: String
    /// PSNR in dB against the float model on each held-back input, in order.
    public var inputs: [Input]
    /// The worst input's PSNR, the figure the floor applies to.
    public var psnr: Double
    /// The worst input's PSNR with every layer integer.
    public var fullyQuantizedPSNR: Double
    /// Layers kept float, most sensitive first.
    public var floatLayers: [Layer]
    /// Layers that could be integer (Conv, MatMul, Gemm not excluded).
    public var layers: Int
    /// How the layers were chosen, for people.
    public var method: String
    /// The library and device the candidates ran on.
    public var engine: String
    /// Candidate models run.
    public var evaluations: Int

    /// One held-back input and the PSNR reached on it.
    public struct Input: Sendable, Codable, Hashable {
        public var name: String
        public var psnr: Double

        public init(name: String, psnr: Double) {
            self.name = name
            self.psnr = psnr
        }
    }
}
