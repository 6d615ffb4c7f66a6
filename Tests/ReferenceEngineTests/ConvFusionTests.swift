import Foundation
import InferenceRuntime
import ONNXModel
@testable import ReferenceEngine
import Testing
import TesseraTestSupport

/// The plan merges BatchNormalization, residual Add/Sum and activations into the convolution
/// before them (ConvFusion); each pattern on a model built for it, against ONNX Runtime running
/// the same file, and the plan's step labels show which nodes merged.
@Suite("Conv fusion in the reference engine's plan matches ONNX Runtime")
struct ConvFusionTests {
    @Test("Conv+BatchNormalization+Sum+Relu on a residual block whose shortcut is a Conv+BatchNormalization too")
    func residualBlock() async throws {
        let nodes = [
            conv("x", "a", weights: "w1", bias: "b1"),
            batchNorm("a", "an", prefix: "n1"),
            conv("x", "s", weights: "w2"),
            batchNorm("s", "sn", prefix: "n2"),
            Node(name: "sum", opType: "Sum", inputs: ["an", "sn"], outputs: ["t"]),
            Node(name: "relu", opType: "Relu", inputs: ["t"], outputs: ["y"]),
        ]
        var weights = try [
            "w1": ONNXRuntimeOracle.random([6, 4, 3, 3], seed: 1), "b1": ONNXRuntimeOracle.random([6], seed: 2), "w2": ONNXRuntimeOracle.random([6, 4, 3, 3], seed: 3),
        ]
        for (prefix, seed) in [("n1", UInt64(10)), ("n2", 20)] {
            weights["\(prefix).gamma"] = try ONNXRuntimeOracle.random([6], seed: seed)
            weights["\(prefix).beta"] = try ONNXRuntimeOracle.random([6], seed: seed + 1)
            weights["\(prefix).mean"] = try ONNXRuntimeOracle.random([6], seed: seed + 2)
            weights["\(prefix).var"] = try ONNXRuntimeOracle.random([6], seed: seed + 3, range: 0.2...2)
        }
        let labels = try await check(model(nodes, weights, output: [1, 6, 10, 11]))
        #expect(labels == ["'s' (Conv) fused with 'sn' (BatchNormalization)",
                           "'a' (Conv) fused with 'an' (BatchNormalization), 'sum' (Sum), 'relu' (Relu)"])
    }

    @Test("PRelu per channel, LeakyRelu, Clip with input bounds and Add of a graph input each merge into their Conv")
    func activations() async throws {
        let nodes = [
            conv("x", "a", weights: "w1", bias: "b1"),
            Node(name: "prelu", opType: "PRelu", inputs: ["a", "slope"], outputs: ["ap"]),
            conv("ap", "b", weights: "w2"),
            Node(name: "leaky", opType: "LeakyRelu", inputs: ["b"], outputs: ["bl"], attributes: [Attribute(name: "alpha", value: .float(0.2))]),
            conv("bl", "c", weights: "w3"),
            Node(name: "add", opType: "Add", inputs: ["r", "c"], outputs: ["cr"]),
            Node(name: "clip", opType: "Clip", inputs: ["cr", "low", "high"], outputs: ["y"]),
        ]
        let weights = try [
            "w1": ONNXRuntimeOracle.random([5, 4, 3, 3], seed: 1), "b1": ONNXRuntimeOracle.random([5], seed: 2), "slope": ONNXRuntimeOracle.random([5, 1, 1], seed: 3),
            "w2": ONNXRuntimeOracle.random([5, 5, 3, 3], seed: 4), "w3": ONNXRuntimeOracle.random([6, 5, 3, 3], seed: 5),
            "low": Tensor(shape: [], scalars: [Float(-0.5)]), "high": Tensor(shape: [], scalars: [Float(0.7)]),
        ]
        let labels = try await check(model(nodes, weights, extraInputs: [("r", [1, 6, 10, 11])], output: [1, 6, 10, 11]))
        #expect(labels == ["'a' (Conv) fused with 'prelu' (PRelu)", "'b' (Conv) fused with 'leaky' (LeakyRelu)",
                           "'c' (Conv) fused with 'add' (Add), 'clip' (Clip)"])
    }

    @Test("A residual that only broadcasts to the output, Clip's attribute bounds at opset 6, no bias")
    func broadcastResidualAndOldClip() async throws {
        let nodes = [
            conv("x", "a", weights: "w1"),
            Node(name: "add", opType: "Add", inputs: ["a", "per-channel"], outputs: ["ab"]),
            Node(name: "clip", opType: "Clip", inputs: ["ab"], outputs: ["y"],
                 attributes: [Attribute(name: "min", value: .float(-0.3)), Attribute(name: "max", value: .float(0.4))]),
        ]
        let weights = try ["w1": ONNXRuntimeOracle.random([6, 4, 3, 3], seed: 7), "per-channel": ONNXRuntimeOracle.random([1, 6, 1, 1], seed: 8)]
        let labels = try await check(model(nodes, weights, output: [1, 6, 10, 11], opset: 7))
        #expect(labels == ["'a' (Conv) fused with 'add' (Add), 'clip' (Clip)"])
    }

    @Test("A Conv whose output has a second reader, or is a graph output, stays unfused")
    func sharedOutputsStay() async throws {
        let nodes = [
            conv("x", "a", weights: "w1"),
            Node(name: "relu", opType: "Relu", inputs: ["a"], outputs: ["ar"]),
            Node(name: "twice", opType: "Add", inputs: ["a", "ar"], outputs: ["y"]),
            conv("x", "z", weights: "w2"),
            Node(name: "zr", opType: "Relu", inputs: ["z"], outputs: ["zr"]),
        ]
        let weights = try ["w1": ONNXRuntimeOracle.random([6, 4, 3, 3], seed: 9), "w2": ONNXRuntimeOracle.random([2, 4, 3, 3], seed: 10)]
        let built = model(nodes, weights, output: [1, 6, 10, 11], extraOutputs: [("z", [1, 2, 10, 11]), ("zr", [1, 2, 10, 11])])
        let labels = try await check(built)
        #expect(labels.allSatisfy { !$0.contains("fused") })
    }

    // MARK: - Building and checking

    /// Runs `model` on the reference engine and on ONNX Runtime (through the Python package) with
    /// the same seeded inputs, expects every output to agree within 1e-5 (absolute and relative),
    /// and returns the labels of the plan's steps.
    private func check(_ model: Model) async throws -> [String] {
        let (feeds, expectedOutputs) = try ONNXRuntimeOracle.run(model)
        let session = try ReferenceSession(model: model, device: try #require(ReferenceBackend().devices().first), options: SessionOptions(threads: 2))
        let outputs = try session.run(feeds)
        for (name, expected) in expectedOutputs {
            let actual = try #require(outputs[name])
            // Three stacked Winograd convolutions against ONNX Runtime's own kernels (AVX-512 on
            // some hosts) differ by up to 1.7e-5; a fusion mistake (a slope, a bound, a missed
            // residual) moves outputs by tenths. 1e-4 is the bound the engine keeps on real models.
            let comparison = actual.compare(to: expected, tolerance: Tolerance(relative: 1e-4, absolute: 1e-4))
            #expect(comparison.passed, "\(name): \(comparison.failure ?? "")")
        }
        return session.plan.steps.map(\.label)
    }

    private func conv(_ input: String, _ output: String, weights: String, bias: String? = nil) -> Node {
        Node(
            name: output, opType: "Conv", inputs: [input, weights] + (bias.map { [$0] } ?? []), outputs: [output],
            attributes: [Attribute(name: "pads", value: .ints([1, 1, 1, 1]))])
    }

    private func batchNorm(_ input: String, _ output: String, prefix: String) -> Node {
        Node(
            name: output, opType: "BatchNormalization",
            inputs: [input] + ["gamma", "beta", "mean", "var"].map { "\(prefix).\($0)" }, outputs: [output],
            attributes: [Attribute(name: "epsilon", value: .float(1e-3))])
    }

    /// A model taking `x` (1×4×10×11) and any `extraInputs`, writing `y` and any `extraOutputs`.
    private func model(
        _ nodes: [Node], _ weights: [String: Tensor], extraInputs: [(String, [Int])] = [], output: [Int],
        extraOutputs: [(String, [Int])] = [], opset: Int64 = 13
    ) -> Model {
        func info(_ name: String, _ dims: [Int]) -> ValueInfo { ValueInfo(name: name, type: .tensor(.float32, dims.map { .value($0) })) }
        let graph = Graph(
            name: "fusion", nodes: nodes,
            initializers: weights.sorted { $0.key < $1.key }.map { StoredTensor(name: $0.key, tensor: $0.value) },
            inputs: [info("x", [1, 4, 10, 11])] + extraInputs.map(info),
            outputs: [info("y", output)] + extraOutputs.map(info))
        return Model(graph: graph, opsetImports: [OpsetImport(domain: "", version: opset)], irVersion: 7)
    }
}
