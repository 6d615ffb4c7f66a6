public import ArgumentParser
import Foundation
import ModelManifest
import ModelTools
import Tessera

/// `tessera quantize`: static int8 quantization in QDQ format, calibrated on images or random inputs.
struct Quantize: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Quantize a float32 model to 8-bit integers (QDQ format), calibrated on images.",
        discussion: """
            Conv, MatMul and Gemm become integer operations: their weights are stored as 8-bit \
            integers (biases as int32) and QuantizeLinear/DequantizeLinear pairs surround their \
            activations, which ONNX Runtime fuses into integer kernels. Operators without an int8 \
            kernel (PRelu, Resize, DepthToSpace, Add, …) stay float32 between the pairs. Any \
            other operator must be kept float32 with --exclude OP, by type or node name.

            Activation ranges come from running the float model on --calibration: a folder of \
            PNG, JPEG or TIFF images (four crops of each, at the model's input size or 64×64, \
            through the model's own pre-processing: the range in the manifest beside the model) \
            or random:N for N seeded random inputs. --method minmax takes the extremes seen, \
            percentile drops the outer 0.001%, entropy minimizes the KL divergence of a \
            histogram. S8S8 is the default, as ONNX Runtime recommends on CPU; weights are \
            symmetric when signed. U8S8 on an x86-64 CPU with AVX2 and no VNNI can saturate; \
            you are warned, and --reduce-range (7-bit weights) or U8U8 avoids it.

            The report gives node counts before and after; --verify adds `tessera verify`'s \
            figures of the written model against the input model (reported, not enforced: int8 \
            outputs always differ from float32 by more than verify's float tolerance; read the \
            PSNR). Nothing is written when quantization fails (no calibration data, an \
            unsupported operator, …).

            Examples:
              tessera quantize x4.onnx -o x4-int8.onnx --calibration photos/ --per-channel
              tessera quantize x4.onnx -o x4-u8u8.onnx --calibration random:8 --activations u8 --weights u8
              tessera quantize net.onnx -o net-int8.onnx --calibration photos/ --exclude Softmax --verify --json
            """
    )

    @Argument(help: "The float32 model (.onnx).", completion: .file(extensions: ["onnx"]))
    var model: String

    @Option(name: .shortAndLong, help: ArgumentHelp("The quantized model to write.", valueName: "out.onnx"))
    var output: String

    @Option(help: ArgumentHelp("A folder of calibration images, or random:N (required).", valueName: "DIR|random:N"))
    var calibration: String

    @Option(help: "How activation ranges are chosen: minmax, percentile or entropy.")
    var method: QuantizationOptions.Method = .minmax

    @Option(help: "Activation type: s8 or u8.")
    var activations: QuantizationOptions.IntegerType = .s8

    @Option(help: "Weight type: s8 or u8.")
    var weights: QuantizationOptions.IntegerType = .s8

    @Flag(help: "One weight scale per output channel (needs opset 13).")
    var perChannel = false

    @Flag(help: "Quantize weights to 7 bits (avoids U8S8 saturation on CPUs without VNNI).")
    var reduceRange = false

    @Option(help: ArgumentHelp("Operator types or node names to keep float32, comma-separated.", valueName: "OP,…"))
    var exclude: String?

    @Flag(help: "Run the written model against the input model and report verify's figures.")
    var verify = false

    @Option(
        name: .customLong("verify-inputs"), parsing: .upToNextOption,
        help: ArgumentHelp("Inputs for --verify: random[:SEED], an image or a .npy file.", valueName: "input"))
    var verifyInputs: [String] = ["random:0"]

    @Option(help: "Intra-op threads for calibration and --verify (default: the library's choice).")
    var threads: Int?

    @Flag(help: "Print JSON (format in docs/json-output.md).")
    var json = false

    func validate() throws {
        guard output.hasSuffix(".onnx") else { throw ValidationError("-o must name a .onnx file") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let exclude, exclude.split(separator: ",").isEmpty { throw ValidationError("--exclude needs operator types or node names") }
    }

    func run() async throws {
        let input = URL(fileURLWithPath: model)
        let outputURL = URL(fileURLWithPath: output)
        let options = QuantizationOptions(
            method: method, activations: activations, weights: weights, perChannel: perChannel, reduceRange: reduceRange,
            excluded: Set((exclude ?? "").split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }))
        let warnings = [options.saturationWarning(on: CPUFeatures.read())].compactMap { $0 }
        for warning in warnings { StandardError.write("tessera: warning: \(warning)") }
        let source = try CalibrationSource(parsing: calibration)
        let original = try Model(contentsOf: input)
        let manifestURL = input.deletingPathExtension().appendingPathExtension("json")
        let manifest = (try? Data(contentsOf: manifestURL)).flatMap { try? ModelManifest.decode($0, source: manifestURL) }
        let backends = BackendCatalog.discover().backends
        let result = try await Quantizer(backends: backends).quantize(
            original, options: options, calibration: source,
            preprocessing: CalibrationPreprocessing(model: original, manifest: manifest))
        // Renamed into place only when --verify has run.
        let staged = try StagedModelFile(for: outputURL, command: "quantize")
        defer { staged.discard() }
        try result.model.write(to: staged.url, options: SaveOptions(externalData: .inline))
        var verification: ModelChangeReport.Verification?
        if verify {
            verification = try await ModelChangeVerification.run(
                input: input, output: staged.url, interface: original.graph.runtimeInputs,
                targets: [String(result.calibrationDevice.prefix { $0 != ":" })], inputs: verifyInputs, shapes: [:],
                tolerance: Verifier.defaultTolerance, threads: threads)
        }
        try staged.publish()
        var report = ModelChangeReport(
            command: "quantize", input: input, output: outputURL,
            before: ModelChangeReport.Counts(model: original, file: input),
            after: ModelChangeReport.Counts(model: result.model, file: outputURL), steps: result.steps)
        report.verification = verification
        let summary = QuantizeSummary(report: report, options: options, calibration: source.description, warnings: warnings)
        print(json ? try JSONOutput.string(summary) : summary.text)
    }
}

extension QuantizationOptions.Method: ExpressibleByArgument {}
extension QuantizationOptions.IntegerType: ExpressibleByArgument {}
