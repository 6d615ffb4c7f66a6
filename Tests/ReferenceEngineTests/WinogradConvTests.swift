import Foundation
import InferenceRuntime
import ONNXModel
@testable import ReferenceEngine
import Testing
import TesseraTestSupport

/// The Winograd F(4×4, 3×3) and F(6×6, 3×3) convolutions against the direct kernel (the engine's
/// oracle, chosen with `winogradTile: nil`) and against ONNX Runtime, on random tensors: channel
/// counts that are no multiple of 8, odd and tiny images, every padding form, a batch of two, and
/// each epilogue the plan fuses into the output transform.
@Suite("Winograd 3×3 convolution matches the direct kernel and ONNX Runtime")
struct WinogradConvTests {
    /// One convolution: channels, image size, pads (or `auto_pad`), and what follows it.
    struct Case: Sendable, CustomStringConvertible {
        var inChannels: Int
        var outChannels: Int
        var height: Int
        var width: Int
        var pads: [Int]? = [1, 1, 1, 1]
        var autoPad: String?
        var batch = 1
        /// Nodes after the Conv, reading "c" and writing "y"; `residual` is a graph input of the output's shape.
        var tail: Tail = .none

        enum Tail: Sendable { case none, relu, leakyRelu, prelu, residualClip, broadcastResidual }

        var description: String {
            "\(batch)×\(inChannels)→\(outChannels) on \(height)×\(width), pads \(autoPad ?? "\(pads ?? [])"), then \(tail)"
        }
    }

    static let cases: [Case] = [
        Case(inChannels: 8, outChannels: 8, height: 16, width: 16),
        Case(inChannels: 13, outChannels: 11, height: 17, width: 37, pads: [0, 2, 1, 0], tail: .leakyRelu),
        Case(inChannels: 64, outChannels: 64, height: 33, width: 70, tail: .prelu),
        Case(inChannels: 9, outChannels: 20, height: 5, width: 3, pads: [2, 2, 2, 2], tail: .residualClip),
        Case(inChannels: 16, outChannels: 24, height: 1, width: 1, batch: 2, tail: .relu),
        Case(inChannels: 10, outChannels: 12, height: 23, width: 19, pads: nil, autoPad: "SAME_UPPER", tail: .broadcastResidual),
        Case(inChannels: 12, outChannels: 9, height: 41, width: 35, pads: [0, 0, 0, 0], batch: 2, tail: .none),
    ]

    @Test("Random tensors within 1e-4 of both oracles", arguments: [4, 6], cases)
    func randomTensors(_ tile: Int, _ test: Case) async throws {
        let model = try Self.model(test)
        let device = try #require(ReferenceBackend().devices().first)
        let options = SessionOptions(threads: 2)
        let fast = try ReferenceSession(model: model, device: device, options: options, registry: .standard, winogradTile: tile)
        let direct = try ReferenceSession(model: model, device: device, options: options, registry: .standard, winogradTile: nil)
        #expect(fast.plan.steps.contains { $0.label.hasSuffix("as Winograd F(\(tile)×\(tile),3×3)") })
        #expect(!direct.plan.steps.contains { $0.label.contains("Winograd") })

        let (feeds, expected) = try Self.onnxRuntime(model)
        let actual = try #require(try fast.run(feeds)["y"])
        let oracle = try #require(try direct.run(feeds)["y"])
        let tolerance = Tolerance(relative: 1e-4, absolute: 1e-4)
        let againstDirect = actual.compare(to: oracle, tolerance: tolerance)
        let againstORT = actual.compare(to: expected, tolerance: tolerance)
        print("F(\(tile)×\(tile)) \(test): max |error| \(againstDirect.maxAbsoluteError) against direct, \(againstORT.maxAbsoluteError) against ORT")
        #expect(againstDirect.passed, "against the direct kernel: \(againstDirect.failure ?? "")")
        #expect(againstORT.passed, "against ONNX Runtime: \(againstORT.failure ?? "")")
    }

    @Test(
        "realesr-animevideov3-x4 (imported) on Winograd: every 64-channel layer takes it, output within 1e-4 of ONNX Runtime",
        arguments: [4, 6])
    func animeVideo(_ tile: Int) async throws {
        let folder = try Fixtures.temporaryDirectory("winograd-esrgan")
        defer { try? FileManager.default.removeItem(at: folder) }
        let onnx = try Fixtures.importedModel("realesr-animevideov3-x4", into: folder)
        let model = try Model(contentsOf: onnx)
        let device = try #require(ReferenceBackend().devices().first)
        let options = SessionOptions(threads: 2)
        let fast = try ReferenceSession(model: model, device: device, options: options, registry: .standard, winogradTile: tile)
        let direct = try ReferenceSession(model: model, device: device, options: options, registry: .standard, winogradTile: nil)
        // The first convolution reads 3 channels: too few to pay; the rest are 64→64 or 64→48.
        #expect(fast.plan.steps.count { $0.label.contains("Winograd F(\(tile)×\(tile),3×3)") } == 17)

        let input = try #require(fast.inputs.first?.name)
        let (feeds, expected) = try Self.onnxRuntime(model, shapes: [input: [1, 3, 72, 90]], range: 0...1)
        let name = try #require(fast.outputs.first?.name)
        let actual = try #require(try fast.run(feeds)[name])
        let oracle = try #require(try direct.run(feeds)[name])
        let tolerance = Tolerance(relative: 1e-4, absolute: 1e-4)
        let againstORT = actual.compare(to: expected, tolerance: tolerance)
        let againstDirect = actual.compare(to: oracle, tolerance: tolerance)
        let (got, want) = (try actual.doubleValues(), try expected.doubleValues())
        let mean = zip(got, want).map { abs($0 - $1) }.reduce(0, +) / Double(got.count)
        print("realesr-animevideov3-x4 72×90 Winograd F(\(tile)×\(tile)) against ORT: max |error| \(againstORT.maxAbsoluteError), mean \(mean)")
        #expect(againstORT.passed, "\(againstORT.failure ?? "")")
        #expect(againstDirect.passed, "\(againstDirect.failure ?? "")")
    }

    // MARK: - Building and checking

    /// A one-Conv model (x → c → y) for `test`, with seeded weights.
    private static func model(_ test: Case) throws -> Model {
        var attributes: [Attribute] = []
        if let pads = test.pads { attributes.append(Attribute(name: "pads", value: .ints(pads.map(Int64.init)))) }
        if let autoPad = test.autoPad { attributes.append(Attribute(name: "auto_pad", value: .string(Data(autoPad.utf8)))) }
        let pads = test.pads ?? [1, 1, 1, 1]
        let output = [test.batch, test.outChannels, test.height + pads[0] + pads[2] - 2, test.width + pads[1] + pads[3] - 2]
        var nodes = [Node(name: "conv", opType: "Conv", inputs: ["x", "w", "b"], outputs: ["c"], attributes: attributes)]
        var weights = [
            "w": try ONNXRuntimeOracle.random([test.outChannels, test.inChannels, 3, 3], seed: 1, range: -0.3...0.3),
            "b": try ONNXRuntimeOracle.random([test.outChannels], seed: 2),
        ]
        var inputs = [info("x", [test.batch, test.inChannels, test.height, test.width])]
        switch test.tail {
        case .none: nodes[0].outputs = ["y"]
        case .relu: nodes.append(Node(name: "relu", opType: "Relu", inputs: ["c"], outputs: ["y"]))
        case .leakyRelu:
            nodes.append(Node(name: "leaky", opType: "LeakyRelu", inputs: ["c"], outputs: ["y"],
                              attributes: [Attribute(name: "alpha", value: .float(0.2))]))
        case .prelu:
            weights["slope"] = try ONNXRuntimeOracle.random([test.outChannels, 1, 1], seed: 3)
            nodes.append(Node(name: "prelu", opType: "PRelu", inputs: ["c", "slope"], outputs: ["y"]))
        case .residualClip:
            inputs.append(info("r", output))
            weights["low"] = try Tensor(shape: [], scalars: [Float(-0.5)])
            weights["high"] = try Tensor(shape: [], scalars: [Float(0.7)])
            nodes.append(Node(name: "add", opType: "Add", inputs: ["r", "c"], outputs: ["s"]))
            nodes.append(Node(name: "clip", opType: "Clip", inputs: ["s", "low", "high"], outputs: ["y"]))
        case .broadcastResidual:
            weights["per-channel"] = try ONNXRuntimeOracle.random([1, test.outChannels, 1, 1], seed: 4)
            nodes.append(Node(name: "add", opType: "Add", inputs: ["c", "per-channel"], outputs: ["s"]))
            nodes.append(Node(name: "relu", opType: "Relu", inputs: ["s"], outputs: ["y"]))
        }
        let graph = Graph(
            name: "winograd", nodes: nodes,
            initializers: weights.sorted { $0.key < $1.key }.map { StoredTensor(name: $0.key, tensor: $0.value) },
            inputs: inputs, outputs: [info("y", output)])
        return Model(graph: graph, opsetImports: [OpsetImport(domain: "", version: 13)], irVersion: 7)
    }

    /// Seeded random feeds for `model` and ONNX Runtime's first output on them.
    private static func onnxRuntime(
        _ model: Model, shapes: [String: [Int]] = [:], range: ClosedRange<Float> = -1...1
    ) throws -> ([String: Tensor], Tensor) {
        let (feeds, outputs) = try ONNXRuntimeOracle.run(model, shapes: shapes, range: range)
        return (feeds, try #require(outputs.first).tensor)
    }

    private static func info(_ name: String, _ dims: [Int]) -> ValueInfo {
        ValueInfo(name: name, type: .tensor(.float32, dims.map { .value($0) }))
    }
}
