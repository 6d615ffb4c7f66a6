import Foundation
import ModelTools
import ONNXModel
import Testing
import TesseraTestSupport

/// Quantized models have the QDQ structure ONNX Runtime fuses, and run on ONNX Runtime and the
/// reference engine close to ONNX Runtime's run of the float model.
@Suite("Quantized models run on ONNX Runtime and the reference engine")
struct QuantizeModelTests {
    @Test("S8S8 per-channel: int8 weights with one scale per output channel, int32 biases, Q/DQ pairs around each Conv")
    func structure() async throws {
        let model = try QuantizeTestSupport.convModel()
        let result = try await QuantizeTestSupport.quantize(model, QuantizationOptions(perChannel: true))
        let graph = result.model.graph
        let constants = graph.initializersByName
        #expect(try #require(constants["w1_quantized"]).tensor.dataType == .int8)
        #expect(try #require(constants["w1_scale"]).tensor.shape == [8])
        #expect(try #require(constants["b1_quantized"]).tensor.dataType == .int32)
        #expect(constants["w1"] == nil, "the float weight is gone")
        // Pairs on the input, conv1's output and PRelu's output; conv2's output is the graph output.
        #expect(graph.nodes.filter { $0.opType == "QuantizeLinear" }.count == 3)
        #expect(graph.nodes.filter { $0.opType == "DequantizeLinear" }.count == 3 + 4)
        let weightDQ = try #require(graph.nodes.first { $0.inputs.first == "w1_quantized" })
        if case .int(let axis)? = weightDQ.attribute("axis")?.value { #expect(axis == 0) } else { Issue.record("no axis") }
        // Every Conv reads dequantized values only, and PRelu stays float between pairs.
        for conv in graph.nodes where conv.opType == "Conv" {
            #expect(conv.inputs.allSatisfy { $0.hasSuffix("_dequantized") }, "\(conv.inputs)")
        }
        #expect(graph.nodes.first { $0.opType == "PRelu" }?.inputs.first == "c1_dequantized")
        #expect(graph.outputs.map(\.name) == ["output"])
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var options: QuantizationOptions
        var minimumPSNR: Double
        var testDescription: String {
            "\(options.formatName) \(options.method.rawValue)\(options.perChannel ? " per-channel" : "")\(options.reduceRange ? " reduce-range" : "")"
        }
    }

    static let formats = [
        Case(options: QuantizationOptions(perChannel: true), minimumPSNR: 30),
        Case(options: QuantizationOptions(activations: .u8, weights: .u8), minimumPSNR: 30),
        Case(options: QuantizationOptions(activations: .u8, weights: .s8, reduceRange: true), minimumPSNR: 25),
        Case(options: QuantizationOptions(method: .entropy, activations: .u8, weights: .u8), minimumPSNR: 25),
    ]

    @Test("a Conv–PRelu–Conv model on both libraries, within int8 error of the float model", arguments: formats)
    func smallModel(_ item: Case) async throws {
        let folder = try Fixtures.temporaryDirectory("quantize-small")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try QuantizeTestSupport.convModel()
        try await Self.compare(model, item.options, input: try Tensor.random(.float32, shape: [1, 3, 32, 32], seed: 99),
            minimumPSNR: item.minimumPSNR, in: folder)
    }

    @Test("light_squeezenet with random weights (opset raised to 13): logits within int8 error on both libraries")
    func lightModel() async throws {
        let folder = try Fixtures.temporaryDirectory("quantize-light")
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try Fixtures.lightModelsDirectory().appendingPathComponent("light_squeezenet.onnx")
        let names = try runPython("Tests/Oracles/light_model_oracle.py", [source.path, folder.path, "17"])
            .split(separator: "\n").map(String.init)
        let input = try Tensor(npy: Data(contentsOf: folder.appendingPathComponent("input.npy")))
        // The light models import opset 9, older than QuantizeLinear: raised to 13, which changes
        // none of squeezenet's operators but Dropout (an identity at inference either way).
        var model = try Model(contentsOf: folder.appendingPathComponent("model.onnx"))
        model.opsetImports = [OpsetImport(domain: "", version: 13)]
        for index in model.graph.nodes.indices where model.graph.nodes[index].opType == "Dropout" {
            model.graph.nodes[index].opType = "Identity"
            model.graph.nodes[index].attributes = []
            model.graph.nodes[index].outputs = Array(model.graph.nodes[index].outputs.prefix(1))
        }
        #expect(names.first == model.graph.runtimeInputs.first?.name)
        try await Self.compare(model, QuantizationOptions(perChannel: true), input: input, minimumPSNR: 20, in: folder)
    }

    /// Entropy runs on ONNX Runtime only: the reference engine's agreement is the MinMax case's.
    static let x4Methods: [(QuantizationOptions.Method, Bool)] = [(.minmax, true), (.entropy, false)]

    @Test("realesr-animevideov3-x4 S8S8 per-channel on a photo crop: ≥ 30 dB from float32", arguments: x4Methods)
    func animeX4(_ method: QuantizationOptions.Method, onReference: Bool) async throws {
        let folder = try Fixtures.temporaryDirectory("quantize-x4")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try Model(contentsOf: try Fixtures.importedModel("realesr-animevideov3-x4", into: folder))
        let cropNPY = folder.appendingPathComponent("crop.npy")
        _ = try runPython("Tests/Oracles/photo_input.py", [
            try Fixtures.samplePhoto("astronaut.png").path, "200", "100", "24", "24", cropNPY.path,
        ])
        let crop = try Tensor(npy: Data(contentsOf: cropNPY))
        try await Self.compare(
            model, QuantizationOptions(method: method, perChannel: true), input: crop, minimumPSNR: 30, in: folder,
            onReference: onReference)
    }

    /// Quantizes `model`, runs it on ONNX Runtime and the reference engine, and compares each with
    /// ONNX Runtime's run of the float model.
    private static func compare(
        _ model: Model, _ options: QuantizationOptions, input: Tensor, minimumPSNR: Double, in folder: URL,
        onReference: Bool = true
    ) async throws {
        let float = folder.appendingPathComponent("float.onnx")
        let quantized = folder.appendingPathComponent("quantized.onnx")
        try model.write(to: float)
        try await QuantizeTestSupport.quantize(model, options).model.write(to: quantized)
        let name = try #require(model.graph.runtimeInputs.first?.name)
        let outputName = try #require(model.graph.outputs.first?.name)
        let reference = try #require(try await QuantizeTestSupport.run(float, on: .onnxRuntime, [name: input])[outputName])
        let onORT = try #require(try await QuantizeTestSupport.run(quantized, on: .onnxRuntime, [name: input])[outputName])
        let ortPSNR = try QuantizeTestSupport.psnr(onORT, reference)
        print("quantized \(options.formatName) \(options.method.rawValue): ORT \(ortPSNR) dB from float32")
        #expect(ortPSNR >= minimumPSNR)
        guard onReference else { return }
        let onEngine = try #require(try await QuantizeTestSupport.run(quantized, on: .reference, [name: input])[outputName])
        let referencePSNR = try QuantizeTestSupport.psnr(onEngine, reference)
        print("  reference engine \(referencePSNR) dB from float32, \(try QuantizeTestSupport.psnr(onEngine, onORT)) dB from ORT's")
        #expect(referencePSNR >= minimumPSNR)
    }
}
