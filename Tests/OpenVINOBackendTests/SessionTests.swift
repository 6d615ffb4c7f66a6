import Foundation
import InferenceRuntime
import TensorCore
import TesseraTestSupport
import Testing

@testable import OpenVINOBackend

@Suite("OpenVINO sessions")
struct SessionTests {
    /// Node cases chosen for their types (float, float16, int64, uint8, bool outputs), for
    /// names OpenVINO merges (an input that only feeds `Identity`-like nodes loses its own name),
    /// for inputs it folds away (`axes` of size 0, a zero-size split input) and for empty outputs.
    static let nodeCases = [
        "test_add_bcast", "test_argmax_default_axis_example", "test_cast_FLOAT_to_FLOAT16", "test_and2d",
        "test_gather_0", "test_conv_with_strides_padding", "test_add_uint8", "test_matmul_2d", "test_where_example",
        "test_max_one_input", "test_dropout_default", "test_reduce_sum_default_axes_keepdims_example",
        "test_split_zero_size_splits", "test_layer_normalization_2d_axis1_expanded",
    ]

    @Test("node cases reproduce ONNX's expected outputs (rtol 1e-3, atol 1e-5)", arguments: nodeCases)
    func nodeCase(_ name: String) async throws {
        let folder = try OpenVINOFixtures.nodeCase(name)
        let session = try await OpenVINOFixtures.session(folder.appendingPathComponent("model.onnx"))
        let data = folder.appendingPathComponent("test_data_set_0")
        let inputs = try OpenVINOFixtures.readTensors(in: data, prefix: "input")
        let expected = try OpenVINOFixtures.readTensors(in: data, prefix: "output")
        let outputs = try session.run(Dictionary(uniqueKeysWithValues: inputs.map { ($0.name, $0.tensor) }))
        #expect(session.outputs.map(\.name) == expected.map(\.name))
        for (outputName, reference) in expected {
            let actual = try #require(outputs[outputName], "output \(outputName) missing")
            let comparison = actual.compare(to: reference, tolerance: .onnxConformance)
            #expect(comparison.passed, "\(name) \(outputName): \(comparison.failure ?? "")")
        }
    }

    @Test("symbolic H and W: one session runs two sizes and gives each its own output shape")
    func dynamicSpatialSize() async throws {
        let folder = try Fixtures.temporaryDirectory("ov-dynamic")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try runPython("Tests/Oracles/openvino_run.py", ["dynamic", folder.path])
        let model = folder.appendingPathComponent("model.onnx")
        let session = try await OpenVINOFixtures.session(model)
        #expect(session.inputs.first?.dims == [1, 3, nil, nil])
        for index in 0..<2 {
            let input = try OpenVINOFixtures.readTensor(folder.appendingPathComponent("input_\(index).pb"))
            let expected = try OpenVINOFixtures.readTensor(folder.appendingPathComponent("expected_\(index).pb"))
            let output = try #require(try session.run(["x": input.tensor])["y"])
            #expect(output.shape == expected.tensor.shape)
            let comparison = output.compare(to: expected.tensor, tolerance: .close)
            #expect(comparison.passed, "size \(input.tensor.shape): \(comparison.failure ?? "")")
        }

        // The same model with H and W fixed before compiling (`inputShapes`): the session's
        // input is static, and other sizes are refused before OpenVINO sees them.
        let options = SessionOptions(inputShapes: ["x": [1, 3, 32, 48]])
        let fixed = try await OpenVINOFixtures.session(model, options: options)
        #expect(fixed.inputs.first?.dims == [1, 3, 32, 48])
        let first = try OpenVINOFixtures.readTensor(folder.appendingPathComponent("input_0.pb"))
        #expect(try fixed.run(["x": first.tensor])["y"]?.shape == [1, 4, 16, 24])
        let second = try OpenVINOFixtures.readTensor(folder.appendingPathComponent("input_1.pb"))
        #expect(throws: BackendError.self) { try fixed.run(["x": second.tensor]) }
    }

    @Test("precision and thread options reach OpenVINO's compiled model")
    func compileOptions() async throws {
        let model = try OpenVINOFixtures.nodeCase("test_conv_with_strides_padding").appendingPathComponent("model.onnx")
        let accurate = try #require(
            try await OpenVINOFixtures.session(model, options: SessionOptions(threads: 1, precision: .accurate))
                as? OVSession)
        #expect(accurate.compiledProperty("INFERENCE_PRECISION_HINT") == "f32")
        #expect(accurate.compiledProperty("INFERENCE_NUM_THREADS") == "1")
        #expect(accurate.compiledProperty("NO_SUCH_PROPERTY") == nil)

        // `.fast` leaves OpenVINO's default, whatever this CPU makes of it (bf16 where it has it).
        let fast = try #require(
            try await OpenVINOFixtures.session(model, options: SessionOptions(precision: .fast)) as? OVSession)
        let hint = try #require(fast.compiledProperty("INFERENCE_PRECISION_HINT"))
        #expect(["f32", "bf16", "f16"].contains(hint), "\(hint)")
    }

    @Test("sessions run concurrently from several tasks with identical results")
    func concurrentRuns() async throws {
        let folder = try OpenVINOFixtures.nodeCase("test_conv_with_strides_padding")
        let session = try await OpenVINOFixtures.session(folder.appendingPathComponent("model.onnx"))
        let inputs = try OpenVINOFixtures.readTensors(
            in: folder.appendingPathComponent("test_data_set_0"), prefix: "input")
        let feeds = Dictionary(uniqueKeysWithValues: inputs.map { ($0.name, $0.tensor) })
        let reference = try session.run(feeds)
        try await withThrowingTaskGroup(of: [String: Tensor].self) { group in
            for _ in 0..<8 { group.addTask { try session.run(feeds) } }
            for try await result in group { #expect(result == reference) }
        }
    }

    @Test("a model file OpenVINO cannot read is a load error carrying OpenVINO's message")
    func corruptModel() async throws {
        let folder = try Fixtures.temporaryDirectory("ov-corrupt-model")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = folder.appendingPathComponent("broken.onnx")
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }).write(to: model)
        do {
            _ = try await OpenVINOFixtures.session(model)
            Issue.record("a corrupt model compiled")
        } catch let error as BackendError {
            #expect(error.kind == .load)
            #expect(error.call == "ov_core_read_model")
            #expect(error.code != nil && error.code != 0)
            #expect(error.message.contains("broken.onnx"), "OpenVINO's own message names the file: \(error.message)")
            #expect(!error.description.contains("\n"), "one line: \(error)")
            print("corrupt model: \(error)")
        }
    }

    @Test("inputs are checked by name, type and shape before OpenVINO sees them")
    func invalidInputs() async throws {
        let folder = try OpenVINOFixtures.nodeCase("test_add_bcast")
        let session = try await OpenVINOFixtures.session(folder.appendingPathComponent("model.onnx"))
        let x = try Tensor(shape: [3, 4, 5], scalars: [Float](repeating: 1, count: 60))
        let y = try Tensor(shape: [5], scalars: [Float](repeating: 2, count: 5))
        #expect(try session.run(["x": x, "y": y])["sum"]?.scalars(as: Float.self).allSatisfy { $0 == 3 } == true)

        let cases: [(String, [String: Tensor], String)] = [
            ("unknown name", ["x": x, "z": y], "'z'"),
            ("missing input", ["x": x], "'y'"),
            ("wrong rank", ["x": x, "y": try Tensor(shape: [1, 5], scalars: [Float](repeating: 2, count: 5))], "'y'"),
            (
                "wrong size", ["x": try Tensor(shape: [3, 4, 6], scalars: [Float](repeating: 1, count: 72)), "y": y],
                "'x'"
            ),
            ("wrong type", ["x": x, "y": try Tensor(shape: [5], scalars: [Int64](repeating: 2, count: 5))], "'y'"),
        ]
        for (label, feeds, named) in cases {
            do {
                _ = try session.run(feeds)
                Issue.record("\(label) was accepted")
            } catch let error as BackendError {
                #expect(error.kind == .invalidInput, "\(label)")
                #expect(error.message.contains(named), "\(label): \(error.message)")
            }
        }
    }

    @Test("an inputShapes entry that names no input or contradicts a fixed size is invalid input")
    func invalidInputShapes() async throws {
        let model = try OpenVINOFixtures.nodeCase("test_add_bcast").appendingPathComponent("model.onnx")
        for shapes in [["nope": [1]], ["x": [3, 4, 6]]] {
            do {
                _ = try await OpenVINOFixtures.session(model, options: SessionOptions(inputShapes: shapes))
                Issue.record("\(shapes) was accepted")
            } catch let error as BackendError {
                #expect(error.kind == .invalidInput, "\(shapes): \(error)")
            }
        }
    }
}
