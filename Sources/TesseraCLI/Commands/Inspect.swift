import ArgumentParser
import Foundation
import ONNXModel
import TensorCore

/// `tessera inspect`: what a model file contains and what it costs to run.
struct Inspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a model's inputs, outputs, operators, parameters and compute cost.",
        discussion: """
            Shapes keep their symbolic names (N, H, W). Give --input-shape to count \
            multiply-accumulates (MACs) of Conv, ConvTranspose, Gemm and MatMul at a concrete \
            size; without it the count is a formula in the symbolic dimensions.

            Examples:
              tessera inspect x4.onnx
              tessera inspect x4.onnx --input-shape input=1x3x256x256
              tessera inspect x4.onnx --json | jq .parameters
            """
    )

    @Argument(help: "The .onnx model file.", completion: .file(extensions: ["onnx"]))
    var model: String

    @Option(
        name: .customLong("input-shape"),
        help: ArgumentHelp("Bind an input to a static shape, e.g. input=1x3x256x256 (repeatable).", valueName: "name=shape"))
    var inputShapes: [InputShapeOption] = []

    @Flag(help: "Print a JSON report (format in docs/json-output.md).")
    var json = false

    func validate() throws {
        if inputShapes.isEmpty { return }
        let names = inputShapes.map(\.name)
        if Set(names).count != names.count { throw ValidationError("--input-shape names an input twice") }
    }

    func run() async throws {
        let url = URL(fileURLWithPath: model)
        let report = try InspectReport(url: url, inputShapes: inputShapes.byName)
        print(json ? try report.json() : report.text())
    }
}
