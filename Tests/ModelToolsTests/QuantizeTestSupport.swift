import Foundation
import ModelTools
import ONNXModel
import Tessera
import Testing
import TesseraTestSupport

/// Models and runs shared by the quantizer tests.
enum QuantizeTestSupport {
    /// input[1,3,H,W] → Conv 3→8 (3×3, pad 1) → PRelu → Conv 8→3 (3×3, pad 1) → output, with
    /// seeded random weights and per-channel slopes: the shape of an upscaler's body.
    static func convModel(opset: Int64 = 17) throws -> Model {
        var generator = SeededGenerator(seed: 5)
        func random(_ shape: [Int], scale: Float) throws -> Tensor {
            try Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float.random(in: -scale...scale, using: &generator) })
        }
        let pads = Attribute(name: "pads", value: .ints([1, 1, 1, 1]))
        let graph = Graph(
            name: "conv-prelu-conv",
            nodes: [
                Node(name: "conv1", opType: "Conv", inputs: ["input", "w1", "b1"], outputs: ["c1"], attributes: [pads]),
                Node(name: "prelu", opType: "PRelu", inputs: ["c1", "slope"], outputs: ["p1"]),
                Node(name: "conv2", opType: "Conv", inputs: ["p1", "w2", "b2"], outputs: ["output"], attributes: [pads]),
            ],
            initializers: [
                StoredTensor(name: "w1", tensor: try random([8, 3, 3, 3], scale: 0.4)),
                StoredTensor(name: "b1", tensor: try random([8], scale: 0.1)),
                StoredTensor(name: "slope", tensor: try random([8, 1, 1], scale: 0.3)),
                StoredTensor(name: "w2", tensor: try random([3, 8, 3, 3], scale: 0.2)),
                StoredTensor(name: "b2", tensor: try random([3], scale: 0.1)),
            ],
            inputs: [ValueInfo(name: "input", type: .tensor(.float32, [1, 3, .symbol("H"), .symbol("W")]))],
            outputs: [ValueInfo(name: "output", type: .tensor(.float32, [1, 3, .symbol("H"), .symbol("W")]))])
        return Model(graph: graph, opsetImports: [OpsetImport(domain: "", version: opset)])
    }

    /// The feeds `random:N` calibration uses for a [1,3,side,side] input: seeds 0..<N.
    static func randomFeeds(_ count: Int, side: Int = CalibrationPreprocessing.defaultSide) throws -> [Tensor] {
        try (0..<count).map { try Tensor.random(.float32, shape: [1, 3, side, side], seed: UInt64($0)) }
    }

    /// Runs `model` once on the CPU device of `library` (`.onnxRuntime` or `.reference`).
    static func run(_ model: URL, on library: BackendID, _ feeds: [String: Tensor]) async throws -> [String: Tensor] {
        let backend = try #require(BackendCatalog.discover().backends.first { $0.id == library })
        let device = try #require(backend.devices().first { $0.kind == .cpu })
        let session = try await backend.makeSession(model: model, device: device, options: SessionOptions(threads: 2))
        return try session.run(feeds)
    }

    /// PSNR of `candidate` against `reference` with the reference's value range as the peak.
    static func psnr(_ candidate: Tensor, _ reference: Tensor) throws -> Double {
        let a = try candidate.doubleValues()
        let b = try reference.doubleValues()
        let peak = (b.max() ?? 0) - (b.min() ?? 0)
        let mse = zip(a, b).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(max(a.count, 1))
        return mse == 0 ? .infinity : 10 * log10(peak * peak / mse)
    }

    /// Quantizes `model` with `random:count` calibration on the libraries found here.
    static func quantize(_ model: Model, _ options: QuantizationOptions, count: Int = 4) async throws -> Quantizer.Result {
        try await Quantizer(backends: BackendCatalog.discover().backends).quantize(
            model, options: options, calibration: .random(count: count),
            preprocessing: CalibrationPreprocessing(model: model, manifest: nil))
    }
}
