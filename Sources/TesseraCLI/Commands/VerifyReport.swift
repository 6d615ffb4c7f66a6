import Foundation
import ImageIO
import ModelTools
import Tessera

/// What `tessera verify` prints: one round per input, one comparison per pair of runs.
struct VerifyReport: Encodable {
    struct Round: Encodable {
        struct Comparison: Encodable {
            var reference: String
            var candidate: String
            var passed: Bool
            var outputs: [OutputDifference]
        }
        var input: String
        var shapes: [String: [Int]]
        var comparisons: [Comparison]

        init(input: String, shapes: [String: [Int]], result: Verifier.Result, minPSNR: Double?) {
            self.input = input
            self.shapes = shapes
            comparisons = result.comparisons.map {
                Comparison(
                    reference: $0.reference, candidate: $0.candidate, passed: VerifyReport.passes($0, minPSNR: minPSNR),
                    outputs: $0.outputs)
            }
        }
    }

    struct Pictures: Encodable {
        var heatmap: String
        var sideBySide: String
        var output: String
        /// The error shown as full brightness.
        var fullScaleError: Double
    }

    var schemaVersion = 1
    var tolerance: Tolerance
    var minPSNR: Double?
    var rounds: [Round]
    var pictures: Pictures?
    var passed: Bool { rounds.allSatisfy { $0.comparisons.allSatisfy(\.passed) } }

    init(tolerance: Tolerance, minPSNR: Double?, rounds: [Round]) {
        self.tolerance = tolerance
        self.minPSNR = minPSNR
        self.rounds = rounds
    }

    private enum CodingKeys: String, CodingKey { case schemaVersion, tolerance, minPSNR, rounds, pictures, passed }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(schemaVersion, forKey: .schemaVersion)
        try container.encode(tolerance, forKey: .tolerance)
        try container.encodeIfPresent(minPSNR, forKey: .minPSNR)
        try container.encode(rounds, forKey: .rounds)
        try container.encodeIfPresent(pictures, forKey: .pictures)
        try container.encode(passed, forKey: .passed)
    }

    /// Within the tolerance everywhere and, when asked, at or above the PSNR floor.
    static func passes(_ comparison: Verifier.Comparison, minPSNR: Double?) -> Bool {
        comparison.passed && comparison.outputs.allSatisfy { $0.psnr >= (minPSNR ?? -.infinity) }
    }

    var text: String {
        var lines: [String] = []
        for round in rounds {
            let shapes = round.shapes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.map(String.init).joined(separator: "×"))" }
            lines.append("input \(round.input): \(shapes.joined(separator: ", "))")
            for comparison in round.comparisons {
                lines.append("  \(comparison.candidate) against \(comparison.reference)")
                var table = TextTable([
                    ("output", .left), ("max abs", .right), ("mean abs", .right), ("max rel", .right), ("PSNR", .right),
                    ("SSIM", .right), ("outside", .right), ("", .left),
                ])
                for output in comparison.outputs {
                    table.append([
                        output.name, Self.scientific(output.maxAbsoluteError), Self.scientific(output.meanAbsoluteError),
                        Self.scientific(output.maxRelativeError),
                        output.psnr.isFinite ? String(format: "%.1f dB", output.psnr) : "identical",
                        output.ssim.map { String(format: "%.5f", $0) } ?? "-",
                        Formatting.grouped(output.elementsOutside),
                        output.passed && output.psnr >= (minPSNR ?? -.infinity) ? "ok" : "FAIL",
                    ])
                }
                lines += table.render().split(separator: "\n").map { "  " + $0 }
            }
        }
        var verdict = "\(passed ? "passed" : "FAILED"): tolerance atol \(tolerance.absolute), rtol \(tolerance.relative)"
        if let minPSNR { verdict += ", PSNR ≥ \(minPSNR) dB" }
        lines.append(verdict)
        if let pictures {
            lines.append(
                "wrote \(pictures.heatmap) (error heatmap of '\(pictures.output)', white = \(Self.scientific(pictures.fullScaleError))) and \(pictures.sideBySide)")
        }
        return lines.joined(separator: "\n")
    }

    private static func scientific(_ value: Double) -> String {
        value == 0 ? "0" : (value.isFinite ? String(format: "%.2e", value) : "inf")
    }
}

/// The difference pictures of one comparison's first image-shaped output.
enum VerifyPictures {
    static func write(result: Verifier.Result, comparison: Verifier.Comparison, to url: URL) throws -> VerifyReport.Pictures? {
        guard let reference = result.run(comparison.reference), let candidate = result.run(comparison.candidate) else { return nil }
        for output in comparison.outputs {
            guard let a = try? reference.outputs[output.name]?.doubleValues(),
                let b = try? candidate.outputs[output.name]?.doubleValues(),
                let picture = DiffPicture(reference: a, candidate: b, shape: output.shape)
            else { continue }
            let sideBySide = url.deletingPathExtension().appendingPathExtension("png").deletingLastPathComponent()
                .appendingPathComponent(url.deletingPathExtension().lastPathComponent + "-side-by-side.png")
            try picture.heatmap().writePNG(to: url)
            try picture.sideBySide().writePNG(to: sideBySide)
            return VerifyReport.Pictures(
                heatmap: url.path, sideBySide: sideBySide.path, output: output.name, fullScaleError: picture.scale)
        }
        StandardError.write("tessera: no image-shaped output to draw; --diff-image skipped")
        return nil
    }
}
