import Foundation

/// Why a model could not be quantized as asked. Nothing is written when one is thrown.
public enum QuantizeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `--calibration` names no images and is not `random:N`.
    case noCalibrationData(String)
    /// A calibration image could not be read.
    case unreadableImage(path: String, reason: String)
    /// Calibration images need a model with one N×C×H×W input.
    case imagesNeedImageInput(reason: String)
    /// A node whose operator the quantizer does not know how to treat, and that is not excluded.
    case unsupportedOperator(node: String, opType: String, domain: String)
    /// No node is left to quantize (all excluded, or none of Conv, MatMul, Gemm).
    case nothingToQuantize(reason: String)
    /// The model's opset is too old for what was asked.
    case opsetTooOld(have: Int, need: Int, reason: String)
    /// A weight or input is not float32.
    case notFloat32(node: String, tensor: String, type: String)
    /// The calibration engine could not load or run the model.
    case calibrationFailed(engine: String, reason: String)
    /// The rewritten model is not valid: a fault of the quantizer, reported instead of written.
    case invalidResult(String)
    /// Symmetric activations were asked for with unsigned ones, whose zero point cannot be 0
    /// without losing every negative value.
    case symmetricNeedsSignedActivations
    /// A quality floor needs held-back inputs and none could be set aside.
    case noHeldBackImages(String)
    /// No model with at least one integer layer reached the floor on the held-back inputs.
    case floorNotMet(minimumPSNR: Double, bestPSNR: Double, floatLayers: Int, layers: Int, heldBack: String)
    /// Running a candidate on the held-back inputs failed.
    case evaluationFailed(engine: String, reason: String)

    public var description: String {
        switch self {
        case .noCalibrationData(let given):
            "no calibration data in '\(given)': give a folder of PNG, JPEG, TIFF or WebP images, or random:N for N random inputs"
        case .unreadableImage(let path, let reason): "calibration image \(path) cannot be read: \(reason)"
        case .imagesNeedImageInput(let reason):
            "calibration images need a model with one N×C×H×W float input: \(reason) (use --calibration random:N)"
        case .unsupportedOperator(let node, let opType, let domain):
            "node \(node): the quantizer does not support \(domain.isEmpty ? "" : domain + ":")\(opType); keep it float32 with --exclude \(opType)"
        case .nothingToQuantize(let reason): "nothing to quantize: \(reason)"
        case .opsetTooOld(let have, let need, let reason):
            "the model imports opset \(have); \(reason) needs opset \(need) or newer (convert the model first)"
        case .notFloat32(let node, let tensor, let type):
            "node \(node): '\(tensor)' is \(type); only float32 models can be quantized"
        case .calibrationFailed(let engine, let reason): "calibration on \(engine) failed: \(reason)"
        case .invalidResult(let reason): "the quantized model is not valid: \(reason)"
        case .symmetricNeedsSignedActivations:
            "--symmetric-activations needs signed activations (--activations s8): a u8 zero point of 0 drops every negative value"
        case .noHeldBackImages(let reason): "a quality floor needs held-back photos: \(reason); give them with --holdout DIR"
        case .floorNotMet(let floor, let best, let floatLayers, let layers, let heldBack):
            "no quantized model reaches \(Self.decibels(floor)) on \(heldBack): the best, with \(floatLayers) of \(layers) layers kept float, reaches \(Self.decibels(best)); nothing was written (lower --min-psnr, or calibrate on photos closer to those)"
        case .evaluationFailed(let engine, let reason): "running a quantized candidate on \(engine) failed: \(reason)"
        }
    }

    static func decibels(_ value: Double) -> String { String(format: "%.2f dB", value) }
}
