import ArgumentParser
import Foundation
import ImageIO
import ModelTools
import Tessera

/// `tessera verify`: did a conversion, optimization or library change the outputs?
struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare a model's outputs before and after a conversion, or across libraries.",
        discussion: """
            Runs the same inputs through model A and model B (the converted, optimized or \
            quantized one) on each --library, and through A on every library after the first. \
            For each output it reports the largest and mean absolute error, the largest relative \
            error, PSNR and, for image outputs, SSIM. Exits 1 when any element is outside the \
            tolerance (|b − a| > atol + rtol·|a|) or PSNR is under --min-psnr.

            --diff-image OUT.png draws where the outputs differ most: a heatmap of the error, \
            magnified so the worst pixel is white, and OUT-side-by-side.png with reference, \
            candidate and heatmap crops around the worst pixel.

            Examples:
              tessera verify x4.onnx x4-quantized.onnx --inputs photo.png --diff-image diff.png
              tessera verify x4.onnx --library onnxruntime,openvino --inputs random:1 random:2
              tessera verify a.onnx b.onnx --input-shape input=1x3x128x128 --json | jq .passed
            """
    )

    @Argument(help: "The reference model (.onnx) and, optionally, the model to compare with it.")
    var models: [String]

    @Option(
        help: ArgumentHelp(
            "Libraries or devices to run on, comma-separated; the first is the reference (default: the first library found).",
            valueName: "onnxruntime,openvino"))
    var library: String?

    @Option(
        parsing: .upToNextOption,
        help: ArgumentHelp("Inputs, one run each: random[:SEED], an image (.png/.jpg/.tif) or a .npy file.", valueName: "input"))
    var inputs: [String] = ["random:0"]

    @Option(
        name: .customLong("input-shape"),
        help: ArgumentHelp("Shape of a random input with dynamic dims (default N=1, other dims 64).", valueName: "name=shape"))
    var inputShapes: [InputShapeOption] = []

    @Option(help: "How close outputs must be: atol=A,rtol=R.")
    var tolerance = ToleranceOption(Verifier.defaultTolerance)

    @Option(help: "Also fail when an output's PSNR is below this many dB.")
    var minPSNR: Double?

    @Option(help: "Write an error heatmap PNG here, and OUT-side-by-side.png beside it.")
    var diffImage: String?

    @Option(help: "Intra-op threads (default: the library's choice).")
    var threads: Int?

    @Flag(help: "Print JSON (format in docs/json-output.md).")
    var json = false

    func validate() throws {
        guard (1...2).contains(models.count) else { throw ValidationError("give one or two models") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if inputs.isEmpty { throw ValidationError("--inputs needs at least one input") }
    }

    func run() async throws {
        let urls = models.map { URL(fileURLWithPath: $0) }
        let interface = try Model(contentsOf: urls[0]).graph.runtimeInputs
        let targets = library?.split(separator: ",").map(String.init) ?? []
        // Targets are libraries or devices (`openvino:CPU`); without any, the best device of all.
        let libraries = targets.isEmpty ? nil : Set(targets.map { BackendID(String($0.prefix { $0 != ":" })) })
        let verifier = Verifier(
            backends: BackendCatalog.discover(only: libraries).backends,
            options: SessionOptions(threads: threads, cacheDirectory: Cache.directory))
        var rounds: [VerifyReport.Round] = []
        var firstFailing: (Verifier.Result, Verifier.Comparison)?
        var firstResult: Verifier.Result?
        for input in inputs {
            let feeds = try VerifyInputs.feeds(for: input, interface: interface, shapes: inputShapes.byName)
            let result = try await verifier.verify(
                models: urls, targets: targets, inputs: feeds, tolerance: tolerance.tolerance, peak: nil)
            rounds.append(VerifyReport.Round(input: input, shapes: feeds.mapValues(\.shape), result: result, minPSNR: minPSNR))
            firstResult = firstResult ?? result
            if firstFailing == nil, let failing = result.comparisons.first(where: { !VerifyReport.passes($0, minPSNR: minPSNR) }) {
                firstFailing = (result, failing)
            }
        }
        var report = VerifyReport(tolerance: tolerance.tolerance, minPSNR: minPSNR, rounds: rounds)
        if let diffImage, let (result, comparison) = firstFailing ?? firstResult.flatMap({ r in r.comparisons.first.map { (r, $0) } }) {
            report.pictures = try VerifyPictures.write(result: result, comparison: comparison, to: URL(fileURLWithPath: diffImage))
        }
        if json { print(try JSONOutput.string(report)) } else { print(report.text) }
        if !report.passed { throw ExitCode(1) }
    }
}
