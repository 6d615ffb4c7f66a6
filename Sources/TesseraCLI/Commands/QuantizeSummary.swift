import Foundation
import ModelTools

/// What `tessera quantize` prints: the shared model-change report plus the quantization settings,
/// how a quality floor was met, what was chosen for this CPU, and any warning about it.
struct QuantizeSummary: Encodable {
    var report: ModelChangeReport
    var options: QuantizationOptions
    var calibration: String
    var floor: FloorReport?
    /// Choices made for this CPU, such as automatic 7-bit weights.
    var notes: [String]
    var warnings: [String]

    private enum CodingKeys: String, CodingKey {
        case format, method, perChannel, reduceRange, symmetricActivations, excluded, calibration, floor, notes, warnings
    }

    /// The report's fields, with the settings beside them in the same object.
    func encode(to encoder: any Encoder) throws {
        try report.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(options.formatName, forKey: .format)
        try container.encode(options.method, forKey: .method)
        try container.encode(options.perChannel, forKey: .perChannel)
        try container.encode(options.reduceRange, forKey: .reduceRange)
        try container.encode(options.symmetricActivations, forKey: .symmetricActivations)
        try container.encodeIfPresent(floor, forKey: .floor)
        try container.encode(notes, forKey: .notes)
        try container.encode(options.excluded.sorted(), forKey: .excluded)
        try container.encode(calibration, forKey: .calibration)
        try container.encode(warnings, forKey: .warnings)
    }

    var text: String {
        var lines = report.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.insert(
            "  \(options.formatName) \(options.perChannel ? "per-channel" : "per-tensor")\(options.reduceRange ? ", reduced range" : "")\(options.symmetricActivations ? ", symmetric activations" : ""), \(options.method.rawValue) calibration on \(calibration)",
            at: 1)
        if let floor {
            lines.append("quality floor \(String(format: "%.2f", floor.minimumPSNR)) dB on \(floor.heldBack) (\(floor.method), on \(floor.engine)):")
            lines.append("  reached \(String(format: "%.2f", floor.psnr)) dB on the worst held-back input; every layer integer: \(String(format: "%.2f", floor.fullyQuantizedPSNR)) dB")
            for input in floor.inputs { lines.append("  \(input.name)  \(String(format: "%.2f", input.psnr)) dB") }
            if floor.floatLayers.isEmpty {
                lines.append("  no layer kept float (\(floor.layers) integer)")
            } else {
                lines.append("  kept float, \(floor.floatLayers.count) of \(floor.layers) layers (dB gained when each alone stays float):")
                for layer in floor.floatLayers {
                    lines.append("    \(layer.node) (\(layer.opType))  +\(String(format: "%.2f", layer.sensitivity)) dB")
                }
            }
        }
        lines += notes.map { "note: \($0)" }
        if let verification = report.verification {
            lines.append("verify against the input model:")
            lines.append(ModelChangeVerification.text(verification))
        }
        lines += warnings.map { "warning: \($0)" }
        return lines.joined(separator: "\n")
    }
}
