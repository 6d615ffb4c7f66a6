import Foundation
import ModelTools
import ONNXModel
import Testing
import TesseraTestSupport

/// The scales and zero points agree with onnxruntime.quantization's quantize_static on the same
/// calibration data.
@Suite("Quantizer scales agree with ONNX Runtime's quantize_static")
struct QuantizeOracleTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var options: QuantizationOptions
        var arguments: [String]
        /// Relative scale tolerance: ONNX Runtime's Percentile grows its histogram batch by batch,
        /// this quantizer bins once between the extremes of all batches.
        var relative = 1e-6
        /// Zero points may then differ by one step.
        var zeroPointSlack = 0.0
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let cases = [
        Case(options: QuantizationOptions(perChannel: true), arguments: ["--per-channel"]),
        Case(options: QuantizationOptions(activations: .u8, weights: .u8), arguments: ["--activations", "u8", "--weights", "u8"]),
        Case(
            options: QuantizationOptions(activations: .u8, weights: .s8, perChannel: true, reduceRange: true),
            arguments: ["--activations", "u8", "--per-channel", "--reduce-range"]),
        Case(options: QuantizationOptions(method: .percentile), arguments: ["--method", "percentile"], relative: 0.02, zeroPointSlack: 1),
        Case(
            options: QuantizationOptions(perChannel: true, symmetricActivations: true),
            arguments: ["--per-channel", "--symmetric-activations"]),
    ]

    @Test("activation and weight scales and zero points", arguments: cases)
    func scales(_ item: Case) async throws {
        let folder = try Fixtures.temporaryDirectory("quantize-oracle")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try QuantizeTestSupport.convModel()
        let source = folder.appendingPathComponent("float.onnx")
        try model.write(to: source)
        let calibration = folder.appendingPathComponent("calibration")
        try FileManager.default.createDirectory(at: calibration, withIntermediateDirectories: true)
        for (index, tensor) in try QuantizeTestSupport.randomFeeds(4).enumerated() {
            try tensor.npyData().write(to: calibration.appendingPathComponent("input_\(index).npy"))
        }
        let printed = try runPython(
            "Tests/Oracles/ort_quantize.py",
            [source.path, calibration.path, folder.appendingPathComponent("ort.onnx").path] + item.arguments)
        let expected = try JSONDecoder().decode([String: [Double]].self, from: Data(printed.utf8))

        let result = try await QuantizeTestSupport.quantize(model, item.options)
        var actual: [String: [Double]] = [:]
        for stored in result.model.graph.initializers where stored.name.hasSuffix("_scale") || stored.name.hasSuffix("_zero_point") {
            actual[stored.name] = try stored.tensor.doubleValues()
        }
        // The tensors both quantizers pair: the input, each Conv's output, PRelu's output, both weights.
        let shared = ["input", "c1", "p1", "w1", "w2"].flatMap { ["\($0)_scale", "\($0)_zero_point"] }
        for name in shared {
            let want = try #require(expected[name], "ONNX Runtime chose no \(name): it has \(expected.keys.sorted())")
            let got = try #require(actual[name], "no \(name) in the quantized model")
            #expect(got.count == want.count, "\(name)")
            for (a, b) in zip(got, want) {
                if name.hasSuffix("_zero_point") { #expect(abs(a - b) <= item.zeroPointSlack, "\(name): \(got) vs \(want)") } else {
                    #expect(abs(a - b) <= item.relative * abs(b) + 1e-12, "\(name): \(got) vs \(want)")
                }
            }
        }
    }
}
