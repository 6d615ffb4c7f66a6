import Foundation
import InferenceRuntime
import ONNXModel
import OpenVINOBackend
import TensorCore
import TesseraTestSupport
import Testing

@Suite("OpenVINO compile cache")
struct CacheTests {
    /// ResNet-50 from the `light` set: big enough (25 M weights after folding its
    /// ConstantOfShape nodes) that compiling is real work worth caching.
    @Test("a second compile with cacheDirectory reuses the cache file and gives identical outputs")
    func cacheDirectory() async throws {
        let model = try Fixtures.lightModelsDirectory().appendingPathComponent("light_resnet50.onnx")
        let cache = try Fixtures.temporaryDirectory("ov-cache")
        defer { try? FileManager.default.removeItem(at: cache) }
        let options = SessionOptions(cacheDirectory: cache)
        var generator = SeededGenerator(seed: 7)
        let input = try Tensor(
            shape: [1, 3, 224, 224], scalars: (0..<150_528).map { _ in Float.random(in: 0..<1, using: &generator) })

        let clock = ContinuousClock()
        let start = clock.now
        let first = try await OpenVINOFixtures.session(model, options: options)
        let firstCompile = clock.now - start
        let cached = try FileManager.default.contentsOfDirectory(atPath: cache.path)
        #expect(!cached.isEmpty, "OpenVINO should leave its compiled blob in the cache folder")

        let restart = clock.now
        let second = try await OpenVINOFixtures.session(model, options: options)
        let secondCompile = clock.now - restart
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache.path).sorted() == cached.sorted())

        let name = try #require(first.inputs.first?.name)
        #expect(second.inputs == first.inputs && second.outputs == first.outputs)
        #expect(try first.run([name: input]) == second.run([name: input]))
        print("light_resnet50 compile: first \(firstCompile), second (cached) \(secondCompile); cache: \(cached)")
    }
}

@Suite("OpenVINO capability")
struct CapabilityTests {
    private func summary(_ url: URL) throws -> ModelSummary {
        try ModelSummary(model: Model(contentsOf: url), schemas: OperatorSchemas.standard())
    }

    @Test("the operator table is bundled and says which OpenVINO it measured")
    func table() throws {
        let table = try #require(OVBackend.operatorTable)
        #expect(table.library == "openvino")
        #expect(table.libraryVersion == "2026.4.1")
        #expect(table.operators["ai.onnx"]?["Conv"] != nil)
        #expect(table.operators["ai.onnx"]?["Unsqueeze"]?.contains { $0.until == nil } == true)
    }

    @Test("every light model is supported on the CPU", arguments: LightModelTests.models)
    func lightModelsSupported(_ fileName: String) throws {
        let backend = try OpenVINOFixtures.backend()
        let model = try summary(Fixtures.lightModelsDirectory().appendingPathComponent(fileName))
        let report = backend.capability(of: model, on: try OpenVINOFixtures.cpu())
        #expect(report.verdict == .supported, "\(fileName): \(report.findings)")
    }

    @Test("an operator OpenVINO cannot compile blocks, on the CPU as on a GPU")
    func missingOperatorBlocks() throws {
        let backend = try OpenVINOFixtures.backend()
        let model = try summary(OpenVINOFixtures.nodeCase("test_det_2d").appendingPathComponent("model.onnx"))
        let cpu = try OpenVINOFixtures.cpu()
        var gpu = cpu
        gpu.id = DeviceID("openvino:GPU.0")
        gpu.kind = .gpu
        gpu.route = "GPU.0"
        for device in [cpu, gpu] {
            let report = backend.capability(of: model, on: device)
            #expect(report.verdict == .unsupported)
            let blocking = report.findings.filter { $0.severity == .blocking }
            #expect(blocking.count == 1)
            #expect(blocking.first?.reason == .operatorMissing(OperatorKey(domain: "", type: "Det", sinceVersion: 11)))
        }
    }
}
