import Foundation
import InferenceRuntime
import ONNXModel
@testable import ONNXRuntimeBackend
import TensorCore
import Testing
import TensorCore
import TesseraTestSupport

@Suite("The optimized-model cache")
struct CacheTests {
    /// The optimized graphs and records in `folder`; the remembered model digests
    /// (`digests/`, ``FileDigest/sha256(of:rememberedIn:)``) share the folder and are left out.
    func entries(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0 != "digests" }.sorted()
    }

    /// Runs both sessions on the node case's inputs; the outputs must be identical.
    func expectSameOutputs(_ first: any Session, _ second: any Session, case name: String) throws {
        let data = try nodeCase(name).appendingPathComponent("test_data_set_0")
        var inputs: [String: Tensor] = [:]
        for (index, description) in first.inputs.enumerated() {
            inputs[description.name] = try readTensor(data.appendingPathComponent("input_\(index).pb")).tensor
        }
        #expect(try first.run(inputs) == second.run(inputs))
    }

    @Test("A second load finds the saved graph and gives identical outputs")
    func secondLoadUsesCache() async throws {
        let backend = try loadedBackend()
        let device = try cpuDevice(backend)
        let name = "test_conv_with_strides_padding"
        let model = try nodeCase(name).appendingPathComponent("model.onnx")
        let cache = try TemporaryFolder("ort-cache")
        let options = SessionOptions(threads: 1, cacheDirectory: cache.url)

        let first = try #require(try await backend.makeSession(model: model, device: device, options: options) as? ORTSession)
        #expect(first.loadedFile == model)
        let saved = try entries(cache.url)
        #expect(saved.count == 2, "the optimized graph and its record: \(saved)")
        let file = try #require(saved.first { $0.hasSuffix(".ort.onnx") })
        #expect(file.hasPrefix(try FileDigest.sha256(of: model)))

        let second = try #require(try await backend.makeSession(model: model, device: device, options: options) as? ORTSession)
        #expect(second.loadedFile == cache.url.appendingPathComponent(file))
        #expect(try entries(cache.url) == saved)
        #expect(second.inputs == first.inputs && second.outputs == first.outputs)
        try expectSameOutputs(first, second, case: name)
    }

    /// ORT saves IR-3 models (the light models) with graph inputs whose initializers it folded
    /// away; such a saved graph must not replace the model.
    @Test("A saved graph with a different interface is dropped and the model loads as before")
    func unusableSavedGraph() async throws {
        let backend = try loadedBackend()
        let device = try cpuDevice(backend)
        let model = try Fixtures.lightModelsDirectory().appendingPathComponent("light_squeezenet.onnx")
        let cache = try TemporaryFolder("ort-cache-ir3")
        let options = SessionOptions(threads: 1, cacheDirectory: cache.url)
        let first = try await backend.makeSession(model: model, device: device, options: options)
        let second = try #require(try await backend.makeSession(model: model, device: device, options: options) as? ORTSession)
        #expect(second.loadedFile == model)
        #expect(second.inputs == first.inputs)
        let third = try #require(try await backend.makeSession(model: model, device: device, options: options) as? ORTSession)
        #expect(third.loadedFile == model)
        #expect(try entries(cache.url).count == 1, "only the record saying 'not cacheable' remains")

        var generator = SeededGenerator(seed: 3)
        let description = try #require(first.inputs.first)
        let input = [description.name: try randomTensor(for: description, generator: &generator)]
        #expect(try first.run(input) == third.run(input))
    }

    @Test("Different options get a different cache entry; a damaged entry is rebuilt")
    func keysAndRecovery() async throws {
        let backend = try loadedBackend()
        let device = try cpuDevice(backend)
        let model = try nodeCase("test_conv_with_strides_padding").appendingPathComponent("model.onnx")
        let cache = try TemporaryFolder("ort-cache-keys")
        let options = SessionOptions(cacheDirectory: cache.url)
        _ = try await backend.makeSession(model: model, device: device, options: options)
        let defaultEntry = try #require(try entries(cache.url).first { $0.hasSuffix(".ort.onnx") })
        _ = try await backend.makeSession(
            model: model, device: device, options: SessionOptions(graphOptimization: .basic, cacheDirectory: cache.url))
        let files = try entries(cache.url)
        #expect(files.count == 4)

        // Overwrite the saved graph with garbage: the next load rebuilds it instead of failing.
        let damaged = cache.url.appendingPathComponent(defaultEntry)
        let garbage = Data("not a model".utf8)
        try garbage.write(to: damaged)
        let reloaded = try await backend.makeSession(model: model, device: device, options: options)
        #expect(reloaded.inputs.count == 2)
        #expect(try entries(cache.url) == files)
        #expect(try Data(contentsOf: damaged) != garbage)
    }
}

@Suite("Capability answers from the measured operator table")
struct CapabilityTests {
    func summary(_ url: URL) throws -> ModelSummary {
        ModelSummary(model: try Model(contentsOf: url), schemas: try OperatorSchemas.standard())
    }

    @Test("The committed table was measured on the pinned library")
    func table() throws {
        let table = try #require(SupportTable.shared)
        #expect(table.operators.library == "onnxruntime")
        #expect(table.operators.libraryVersion == "1.31.1")
        #expect((table.maxOpset ?? 0) >= 21)
        #expect(table.operators.lookup(OperatorKey(domain: "", type: "Conv", sinceVersion: 11), firstInputType: .float32) == .supported)
        #expect(table.operators.lookup(OperatorKey(domain: "", type: "Conv", sinceVersion: 11), firstInputType: .int8) == .dataType(.int8))
    }

    @Test("Every light model is supported on the CPU")
    func lightModels() throws {
        let backend = try loadedBackend()
        let cpu = try cpuDevice(backend)
        for model in try Fixtures.lightModels() {
            let report = backend.capability(of: try summary(model), on: cpu)
            #expect(report.verdict == .supported, "\(model.lastPathComponent): \(report.findings)")
            #expect(report.device == cpu.id)
        }
    }

    @Test("A gap blocks on the CPU provider and falls back on a GPU provider")
    func severityByRoute() throws {
        let backend = try loadedBackend()
        // Relu-1 (the legacy version with `consumed_inputs`) has no kernel in ORT.
        var summary = try summary(try nodeCase("test_relu").appendingPathComponent("model.onnx"))
        summary.nodes[0].key = OperatorKey(domain: "", type: "Relu", sinceVersion: 1)
        let cpu = try cpuDevice(backend)
        #expect(backend.capability(of: summary, on: cpu).verdict == .unsupported)
        let gpu = Device(
            id: DeviceID("onnxruntime:cuda:0"), kind: .gpu, vendor: "NVIDIA", name: "test", memoryBytes: nil,
            backend: .onnxRuntime, route: "CUDAExecutionProvider", specificity: 30)
        let report = backend.capability(of: summary, on: gpu)
        #expect(report.verdict == .supportedWithFallback)
        #expect(report.findings.first?.nodes.count == 1)
    }

    @Test("A model opset newer than the library loads is blocking")
    func opsetTooNew() throws {
        let backend = try loadedBackend()
        var summary = try summary(try nodeCase("test_relu").appendingPathComponent("model.onnx"))
        summary.opsets[""] = 99
        let report = backend.capability(of: summary, on: try cpuDevice(backend))
        #expect(report.verdict == .unsupported)
        #expect(report.findings.contains { "\($0)".contains("opset 99") })
    }
}
