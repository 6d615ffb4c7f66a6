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
            PNG, JPEG, TIFF, WebP, AVIF, HEIF or JPEG XL images (four crops of each, at the model's input size or 64×64, \
            through the model's own pre-processing: the range in the manifest beside the model) \
            or random:N for N seeded random inputs. --method minmax takes the extremes seen, \
            percentile drops the outer 0.001%, entropy minimizes the KL divergence of a \
            histogram, mse minimizes the squared error of rounding and clipping together. S8S8 \
            is the default, as ONNX Runtime recommends on CPU; weights are symmetric when \
            signed. --symmetric-activations makes every activation zero point 0 (s8 only), which \
            OpenVINO needs to fold PRelu and LeakyRelu into its int8 convolutions.

            On an x86-64 CPU with AVX2 and no VNNI, signed weights are made 7-bit automatically \
            (reported): ONNX Runtime runs int8 activations as u8 there, and u8×s8 pair sums can \
            saturate int16. --reduce-range asks for 7-bit weights anywhere, --no-reduce-range \
            keeps 8 bits (U8S8 then warns).

            --min-psnr DB sets a quality floor: the output of the written model must be at \
            least DB from the float model's (PSNR, clipped to the manifest's output range, else \
            unclipped with the float output's range as the peak) on every held-back photo: \
            --holdout DIR (or random:N), else every third calibration image, which is then not \
            calibrated on. The quantizer measures each layer's sensitivity (the dB gained when \
            it alone stays float), keeps the most sensitive layers float until the floor holds, \
            then makes integer again any it can; the report lists the float layers with their \
            sensitivity and the PSNR reached on each held-back photo. When no model with an \
            integer layer reaches the floor, it says so and writes nothing.

            The report gives node counts before and after; --verify adds `tessera verify`'s \
            figures of the written model against the input model (reported, not enforced: int8 \
            outputs always differ from float32 by more than verify's float tolerance; read the \
            PSNR). Nothing is written when quantization fails (no calibration data, an \
            unsupported operator, …). --add-to ID adds the written model to installed model ID \
            (as `tessera models add-variant` does), where fast mode measures it beside float32 \
            and uses it only when it is faster and within its quality floor.

            Examples:
              tessera quantize x4.onnx -o x4-int8.onnx --calibration photos/ --per-channel
              tessera quantize x4.onnx -o x4-u8u8.onnx --calibration random:8 --activations u8 --weights u8
              tessera quantize net.onnx -o net-int8.onnx --calibration photos/ --exclude Softmax --verify --json
              tessera quantize x4.onnx -o x4-int8.onnx --calibration photos/ --holdout others/ --per-channel --min-psnr 45
              tessera quantize x4.onnx -o x4-ov.onnx --calibration photos/ --per-channel --symmetric-activations
              tessera quantize x4.onnx -o x4-int8.onnx --calibration photos/ --min-psnr 45 --add-to realesr-animevideov3-x4
            """
    )

    @Argument(help: "The float32 model (.onnx).", completion: .file(extensions: ["onnx"]))
    var model: String

    @Option(name: .shortAndLong, help: ArgumentHelp("The quantized model to write.", valueName: "out.onnx"))
    var output: String

    @Option(help: ArgumentHelp("A folder of calibration images, or random:N (required).", valueName: "DIR|random:N"))
    var calibration: String

    @Option(help: "How activation ranges are chosen: minmax, percentile, entropy or mse.")
    var method: QuantizationOptions.Method = .minmax

    @Option(help: "Activation type: s8 or u8.")
    var activations: QuantizationOptions.IntegerType = .s8

    @Option(help: "Weight type: s8 or u8.")
    var weights: QuantizationOptions.IntegerType = .s8

    @Flag(help: "One weight scale per output channel (needs opset 13).")
    var perChannel = false

    @Flag(
        inversion: .prefixedNo,
        help: "Quantize weights to 7 bits (default: automatic, on x86-64 CPUs with AVX2 and no VNNI, for signed weights).")
    var reduceRange: Bool?

    @Flag(help: "Activation zero points 0 (needs --activations s8; lets OpenVINO fold PRelu into int8 convolutions).")
    var symmetricActivations = false

    @Option(
        name: .customLong("min-psnr"),
        help: ArgumentHelp("Quality floor in dB on held-back photos; sensitive layers stay float to meet it.", valueName: "DB"))
    var minPSNR: Double?

    @Option(help: ArgumentHelp("Held-back photos for --min-psnr (default: every third calibration image).", valueName: "DIR|random:N"))
    var holdout: String?

    @Option(help: ArgumentHelp("Operator types or node names to keep float32, comma-separated.", valueName: "OP,…"))
    var exclude: String?

    @Option(
        name: .customLong("add-to"),
        help: ArgumentHelp(
            "Also add the written model to this installed model as its any-int8 variant (replacing one there), for fast mode.",
            valueName: "id"))
    var addTo: String?

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
        if let minPSNR, !minPSNR.isFinite || minPSNR <= 0 { throw ValidationError("--min-psnr must be a positive number of dB") }
        if holdout != nil, minPSNR == nil { throw ValidationError("--holdout needs --min-psnr") }
    }

    func run() async throws {
        // Refused before calibration, which can take minutes.
        if let addTo { _ = try Models.store.installedModel(addTo) }
        let input = URL(fileURLWithPath: model)
        let outputURL = URL(fileURLWithPath: output)
        var options = QuantizationOptions(
            method: method, activations: activations, weights: weights, perChannel: perChannel, reduceRange: reduceRange ?? false,
            symmetricActivations: symmetricActivations,
            excluded: Set((exclude ?? "").split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }))
        let cpu = CPUFeatures.read()
        var notes: [String] = []
        if reduceRange == nil, let reason = options.reducedRangeReason(on: cpu) {
            options.reduceRange = true
            notes.append(reason)
        }
        let warnings = [options.saturationWarning(on: cpu)].compactMap { $0 }
        for warning in warnings { StandardError.write("tessera: warning: \(warning)") }
        let source = try CalibrationSource(parsing: calibration)
        let original = try Model(contentsOf: input)
        let manifestURL = input.deletingPathExtension().appendingPathExtension("json")
        let manifest = (try? Data(contentsOf: manifestURL)).flatMap { try? ModelManifest.decode($0, source: manifestURL) }
        let floor = try minPSNR.map { psnr throws(QuantizeError) in
            QualityFloor(
                minimumPSNR: psnr, heldBack: try holdout.map { text throws(QuantizeError) in try CalibrationSource(parsing: text) },
                outputRange: manifest.map { Float($0.output.range.lower)...Float($0.output.range.upper) })
        }
        let backends = BackendCatalog.discover().backends
        let result = try await Quantizer(backends: backends).quantize(
            original, options: options, calibration: source,
            preprocessing: CalibrationPreprocessing(model: original, manifest: manifest), floor: floor)
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
        if let addTo {
            let variant = try ModelsAddVariant.add(outputURL, to: addTo, library: nil, precision: .int8, replacing: true)
            notes.append("added to \(addTo) as \(variant.name): `tessera upscale --precision fast` measures and judges it")
        }
        var report = ModelChangeReport(
            command: "quantize", input: input, output: outputURL,
            before: ModelChangeReport.Counts(model: original, file: input),
            after: ModelChangeReport.Counts(model: result.model, file: outputURL), steps: result.steps)
        report.verification = verification
        let summary = QuantizeSummary(
            report: report, options: options, calibration: result.calibration.description, floor: result.floor, notes: notes,
            warnings: warnings)
        print(json ? try JSONOutput.string(summary) : summary.text)
    }
}

extension QuantizationOptions.Method: ExpressibleByArgument {}
extension QuantizationOptions.IntegerType: ExpressibleByArgument {}
