import Foundation
import ModelTools

/// What `tessera quantize` prints: the shared model-change report plus the quantization settings
/// and any warning about the CPU.
struct QuantizeSummary: Encodable {
    var report: ModelChangeReport
    var options: QuantizationOptions
    var calibration: String
    var warnings: [String]

    private enum CodingKeys: String, CodingKey {
        case format, method, perChannel, reduceRange, excluded, calibration, warnings
    }

    /// The report's fields, with the settings beside them in the same object.
    func encode(to encoder: any Encoder) throws {
        try report.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(options.formatName, forKey: .format)
        try container.encode(options.method, forKey: .method)
        try container.encode(options.perChannel, forKey: .perChannel)
        try container.encode(options.reduceRange, forKey: .reduceRange)
        try container.encode(options.excluded.sorted(), forKey: .excluded)
        try container.encode(calibration, forKey: .calibration)
        try container.encode(warnings, forKey: .warnings)
    }

    var text: String {
        var lines = report.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.insert(
            "  \(options.formatName) \(options.perChannel ? "per-channel" : "per-tensor")\(options.reduceRange ? ", reduced range" : ""), \(options.method.rawValue) calibration on \(calibration)",
            at: 1)
        if let verification = report.verification {
            lines.append("verify against the input model:")
            lines.append(ModelChangeVerification.text(verification))
        }
        lines += warnings.map { "warning: \($0)" }
        return lines.joined(separator: "\n")
    }
}
