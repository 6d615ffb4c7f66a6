import Foundation
import InferenceRuntime
import ONNXRuntimeBackend
import TensorCore
import Testing
import TensorCore
import TesseraTestSupport

@Suite("Outputs match independent references")
struct OutputTests {
    static let lightModelNames = [
        "light_bvlc_alexnet", "light_densenet121", "light_inception_v1", "light_inception_v2", "light_resnet50",
        "light_shufflenet", "light_squeezenet", "light_vgg19", "light_zfnet512",
    ]

    /// Same seeded random input through Tessera and through the Python package (one thread and
    /// full optimization on both sides): the same library must give the same numbers.
    @Test("Light models agree with Python onnxruntime on a random input", arguments: lightModelNames)
    func lightModel(name: String) async throws {
        let model = try Fixtures.lightModelsDirectory().appendingPathComponent("\(name).onnx")
        let backend = try loadedBackend()
        let session = try await backend.makeSession(
            model: model, device: try cpuDevice(backend), options: SessionOptions(threads: 1))
        #expect(session.inputs.count == 1)
        #expect(session.outputs.count == 1)

        let folder = try TemporaryFolder("ort-light")
        var generator = SeededGenerator(seed: 0x5EED_0001)
        var inputs: [String: Tensor] = [:]
        for (index, description) in session.inputs.enumerated() {
            let tensor = try randomTensor(for: description, generator: &generator)
            inputs[description.name] = tensor
            try writeTensor(tensor, name: description.name, to: folder.url.appendingPathComponent("input_\(index).pb"))
        }
        let ours = try session.run(inputs)

        let outputFolder = folder.url.appendingPathComponent("expected")
        _ = try runPython("Tests/Oracles/ort_run.py", [model.path, folder.url.path, outputFolder.path, "1"])
        for index in session.outputs.indices {
            let (outputName, expected) = try readTensor(outputFolder.appendingPathComponent("output_\(index).pb"))
            let actual = try #require(ours[outputName], "output \(outputName) missing")
            try expectClose(actual, expected, rtol: 1e-5, atol: 1e-7, "\(name) \(outputName)")
        }
    }

    static let nodeCases = [
        "test_conv_with_strides_padding", "test_relu", "test_resize_upsample_scales_linear", "test_gemm_all_attributes",
        "test_gemm_default_matrix_bias", "test_add_bcast", "test_maxpool_2d_pads", "test_softmax_axis_1",
        "test_averagepool_2d_default", "test_argmax_default_axis_example", "test_equal", "test_cast_FLOAT_to_FLOAT16",
        "test_cast_STRING_to_FLOAT", "test_strnormalizer_export_monday_casesensintive_nochangecase",
        "test_range_int32_type_negative_delta", "test_size_example", "test_where_example",
    ]

    /// ONNX's own expected outputs (Debian libonnx-testdata), with the conformance tolerance.
    /// The cases cover float, float16, int32, int64, bool and string outputs, string and bool
    /// inputs, and rank-0 (scalar) inputs and outputs.
    @Test("ONNX node cases reproduce their expected outputs", arguments: nodeCases)
    func node(name: String) async throws {
        let folder = try nodeCase(name)
        let backend = try loadedBackend()
        let session = try await backend.makeSession(
            model: folder.appendingPathComponent("model.onnx"), device: try cpuDevice(backend), options: SessionOptions())
        let data = folder.appendingPathComponent("test_data_set_0")
        var inputs: [String: Tensor] = [:]
        for (index, description) in session.inputs.enumerated() {
            inputs[description.name] = try readTensor(data.appendingPathComponent("input_\(index).pb")).tensor
        }
        let outputs = try session.run(inputs)
        for (index, description) in session.outputs.enumerated() {
            let expected = try readTensor(data.appendingPathComponent("output_\(index).pb")).tensor
            let actual = try #require(outputs[description.name])
            try expectClose(actual, expected, rtol: 1e-3, atol: 1e-5, "\(name) \(description.name)")
        }
    }

    @Test("Session metadata: names, types and dims as the model declares them")
    func metadata() async throws {
        let backend = try loadedBackend()
        let session = try await backend.makeSession(
            model: try nodeCase("test_gemm_default_matrix_bias").appendingPathComponent("model.onnx"),
            device: try cpuDevice(backend), options: SessionOptions())
        #expect(session.inputs.map(\.name) == ["a", "b", "c"])
        #expect(session.inputs.map(\.dataType) == [.float32, .float32, .float32])
        #expect(session.inputs[0].dims == [3, 6])
        #expect(session.outputs.map(\.name) == ["y"])
        #expect(session.device.id == DeviceID("onnxruntime:cpu"))
    }

    @Test("A session runs from several threads at once")
    func concurrentRuns() async throws {
        let backend = try loadedBackend()
        let folder = try nodeCase("test_conv_with_strides_padding")
        let session = try await backend.makeSession(
            model: folder.appendingPathComponent("model.onnx"), device: try cpuDevice(backend), options: SessionOptions())
        let data = folder.appendingPathComponent("test_data_set_0")
        var inputs: [String: Tensor] = [:]
        for (index, description) in session.inputs.enumerated() {
            inputs[description.name] = try readTensor(data.appendingPathComponent("input_\(index).pb")).tensor
        }
        let reference = try session.run(inputs)
        let frozen = inputs
        let results = try await withThrowingTaskGroup(of: [String: Tensor].self) { group in
            for _ in 0..<8 { group.addTask { try session.run(frozen) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 8)
        #expect(results.allSatisfy { $0 == reference })
    }
}
