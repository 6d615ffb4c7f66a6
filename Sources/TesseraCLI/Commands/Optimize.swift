import ArgumentParser
import Foundation
import ModelTools
import ONNXModel
import Tessera

/// `tessera optimize`: graph rewrites and constant folding, optionally float16 conversion.
struct Optimize: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simplify a model's graph: remove no-ops, fold constants, fuse Conv with what follows.",
        discussion: """
            Passes, in the order they run (--passes picks some; they repeat until \
            nothing changes, then float16 runs once):
              identity      remove Identity nodes
              dropout       remove inference Dropout
              noop          remove zero Pads, identity Transposes, same-type Casts
              fold          evaluate constant subgraphs with the reference engine,
                            Shape of static shapes (off with --no-fold)
              fuse-conv-bn  fold BatchNormalization after Conv into its weights
              fuse-conv-mul-add
                            fold a per-channel Mul or Add after Conv into it
              merge-transpose-reshape
                            merge consecutive Transposes, consecutive Reshapes
              cse           merge equal initializers and equal nodes
              dead-nodes    remove what no output depends on
              float16       (--fp16) compute in float16, float32 inputs/outputs

            An old (IR < 4) model with weights is written as IR 4: initializers it also \
            lists as graph inputs become plain constants, as Tessera's engines treat them, \
            and folded values need not be inputs.

            The report gives node counts before and after, per operator, and what each pass \
            changed. --verify runs the written model against the input model on each --library \
            (default: the first found) and prints `tessera verify`'s figures; when an output is \
            outside the tolerance nothing is written and the exit status is 1. The default \
            tolerance is verify's (atol 1e-4, rtol 1e-3); float16 conversion typically moves \
            outputs by 1e-3 relative, so --fp16 --verify defaults to atol=1e-2,rtol=1e-2.

            Examples:
              tessera optimize resnet.onnx -o resnet-opt.onnx
              tessera optimize x4.onnx -o o.onnx --verify --library onnxruntime,openvino
              tessera optimize x4.onnx -o x4-half.onnx --fp16 --verify
              tessera optimize net.onnx -o o.onnx --passes fuse-conv-bn,dead-nodes --json
            """
    )

    @Argument(help: "The model to optimize (.onnx).", completion: .file(extensions: ["onnx"]))
    var model: String

    @Option(name: .shortAndLong, help: ArgumentHelp("The optimized model to write.", valueName: "out.onnx"))
    var output: String

    @Option(help: ArgumentHelp("Passes to run, comma-separated (default: all but float16).", valueName: "a,b"))
    var passes: String?

    @Flag(help: "Do not fold constants.")
    var noFold = false

    @Flag(help: "Convert to float16 inside the model, keeping float32 inputs and outputs.")
    var fp16 = false

    @Flag(help: "Run the written model against the input model and report verify's figures.")
    var verify = false

    @Option(help: ArgumentHelp("Libraries for --verify, comma-separated (default: the first found).", valueName: "onnxruntime,openvino"))
    var library: String?

    @Option(
        name: .customLong("verify-inputs"), parsing: .upToNextOption,
        help: ArgumentHelp("Inputs for --verify: random[:SEED], an image or a .npy file.", valueName: "input"))
    var verifyInputs: [String] = ["random:0"]

    @Option(
        name: .customLong("input-shape"),
        help: ArgumentHelp("Shape of a random --verify input with dynamic dims (default N=1, other dims 64).", valueName: "name=shape"))
    var inputShapes: [InputShapeOption] = []

    @Option(help: "How close --verify outputs must be: atol=A,rtol=R.")
    var tolerance: ToleranceOption?

    @Option(help: "Intra-op threads for --verify (default: the library's choice).")
    var threads: Int?

    @Flag(help: "Print JSON (format in docs/json-output.md).")
    var json = false

    /// Tolerance of --fp16 --verify when none is given: float16 keeps about 3 significant digits.
    static let float16Tolerance = Tolerance(relative: 1e-2, absolute: 1e-2)

    func validate() throws {
        guard output.hasSuffix(".onnx") else { throw ValidationError("-o must name a .onnx file") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let passes {
            let names = passes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if names.isEmpty { throw ValidationError("--passes needs pass names (\(Optimizer.passNames.joined(separator: ",")))") }
            if let unknown = names.first(where: { !Optimizer.passNames.contains($0) }) {
                throw ValidationError("unknown pass '\(unknown)' (passes: \(Optimizer.passNames.joined(separator: ", ")))")
            }
        }
        if verifyInputs.isEmpty { throw ValidationError("--verify-inputs needs at least one input") }
    }

    func run() async throws {
        let input = URL(fileURLWithPath: model)
        let outputURL = URL(fileURLWithPath: output)
        let original = try Model(contentsOf: input)
        let optimizer = try Optimizer(
            passes: passes.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } },
            fold: !noFold, float16: fp16)
        let (optimized, steps) = try optimizer.optimize(original)

        // Renamed into place only once verified.
        let stagedFile = try StagedModelFile(for: outputURL, command: "optimize")
        defer { stagedFile.discard() }
        let staged = stagedFile.url
        try optimized.write(to: staged, options: SaveOptions(externalData: .inline))

        var report = ModelChangeReport(
            command: "optimize", input: input, output: outputURL,
            before: ModelChangeReport.Counts(model: original, file: input),
            after: ModelChangeReport.Counts(model: optimized, file: staged), steps: steps)
        if verify {
            report.verification = try await ModelChangeVerification.run(
                input: input, output: staged, interface: original.graph.runtimeInputs,
                targets: library?.split(separator: ",").map(String.init) ?? [], inputs: verifyInputs,
                shapes: inputShapes.byName, tolerance: tolerance?.tolerance ?? (fp16 ? Self.float16Tolerance : Verifier.defaultTolerance),
                threads: threads)
        }
        let passed = report.verification?.passed ?? true
        if passed { try stagedFile.publish() }
        if json {
            print(try JSONOutput.string(report))
        } else {
            print(report.text)
            if let verification = report.verification { print(ModelChangeVerification.text(verification)) }
        }
        if !passed {
            StandardError.write("tessera: \(output): not written: the optimized model's outputs differ from the input model's")
            throw ExitCode(1)
        }
    }
}
