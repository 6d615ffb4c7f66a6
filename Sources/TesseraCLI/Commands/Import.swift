public import ArgumentParser
import Foundation
import ModelManifest
import ModelTools
import Tessera

/// `tessera import`: converts an ncnn model into ONNX so that every backend can run it.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert an ncnn model (.param + .bin) into an ONNX model and its manifest.",
        discussion: """
            Writes OUT.onnx and, beside it, OUT.json: the manifest (id, task, the scale and the \
            border the network crops, both measured on the graph, input and output names, tiling \
            hints, and one variant for any library: the model file with its SHA-256, size and \
            operators), ready for `tessera models install OUT.json`. The .param may be text or \
            ncnn's binary .param.bin. The input gets the dynamic shape \
            [N, C, H, W]. Float16 weights widen to float32 exactly; --fp16 keeps them float16 in \
            the file (each followed by a Cast to float32), halving its size without changing \
            results. Every import is checked first (shape inference, one run on the native \
            engine); nothing is written when the import or its check fails.

            Some upscalers (Real-CUGAN's ×4 networks) output only a residual that their own \
            program adds to a nearest-neighbour enlargement of the input. With --residual auto \
            (the default) the check's run on a smooth mid-grey input tells: an upscaler whose \
            output stays near 0 there gets that addition appended to the graph (the input cropped \
            by the measured border, Resize nearest × the scale, Add), so the written model gives \
            the final picture on every library. --residual nearest always appends it, --residual \
            none never does.

            Examples:
              tessera import realesr-animevideov3-x4.param realesr-animevideov3-x4.bin -o x4.onnx
              tessera import x4plus.param x4plus.bin -o x4plus.onnx --opset 13 --fp16
              tessera import x4.param x4.bin -o x4.onnx --json | jq .manifest.scale
              tessera import up4x-no-denoise.param up4x-no-denoise.bin -o cugan4.onnx --residual nearest
            """
    )

    @Argument(help: "The ncnn .param file (text, or the binary .param.bin).", completion: .file(extensions: ["param", "bin"]))
    var param: String

    @Argument(help: "The ncnn .bin weights file.", completion: .file(extensions: ["bin"]))
    var weights: String

    @Option(name: .shortAndLong, help: ArgumentHelp("The ONNX model to write.", valueName: "out.onnx"))
    var output: String

    @Option(help: "The ONNX opset to write against (13 to 21).")
    var opset = 17

    @Flag(help: "Store weights as float16 (cast to float32 in the graph).")
    var fp16 = false

    @Option(help: ArgumentHelp(
        "Add the input upscaled by nearest neighbour to the network's output: auto (when measured to be a residual), nearest (always) or none.",
        valueName: "auto|nearest|none"))
    var residual: NCNNResidualMode = .auto

    @Flag(help: "Print a JSON summary: output paths, node and parameter counts, manifest.")
    var json = false

    func validate() throws {
        guard NCNNImportOptions.supportedOpsets.contains(opset) else {
            throw ValidationError("--opset must be between \(NCNNImportOptions.supportedOpsets.lowerBound) and \(NCNNImportOptions.supportedOpsets.upperBound)")
        }
        guard output.hasSuffix(".onnx") else { throw ValidationError("-o must name a .onnx file") }
    }

    func run() async throws {
        let outputURL = URL(fileURLWithPath: output)
        let (result, manifest) = try NCNNImporter.importAndWrite(
            param: URL(fileURLWithPath: param), weights: URL(fileURLWithPath: weights), output: outputURL,
            options: NCNNImportOptions(opset: opset, float16Weights: fp16, residual: residual))
        let manifestPath = outputURL.deletingPathExtension().appendingPathExtension("json").path
        let graph = result.model.graph
        let parameters = ModelStatistics(result.model).parameterCount
        if json {
            let summary = ImportSummary(
                model: output, manifestPath: manifestPath, nodes: graph.nodes.count, parameters: parameters,
                opset: opset, fp16: fp16, nearestResidual: result.addsNearestResidual, manifest: manifest)
            print(try JSONOutput.string(summary))
        } else {
            let added = result.addsNearestResidual ? ", input added by nearest neighbour" : ""
            print("wrote \(output) (\(graph.nodes.count) nodes, \(parameters) parameters, opset \(opset), ×\(manifest.scale)\(added)) and \(manifestPath)")
        }
    }
}

/// The `--json` output of `tessera import`.
private struct ImportSummary: Encodable {
    var model: String
    var manifestPath: String
    var nodes: Int
    var parameters: Int
    var opset: Int
    var fp16: Bool
    /// Whether the graph ends by adding the input upscaled by nearest neighbour (`--residual`).
    var nearestResidual: Bool
    var manifest: ModelManifest
}

extension NCNNResidualMode: ExpressibleByArgument {}
