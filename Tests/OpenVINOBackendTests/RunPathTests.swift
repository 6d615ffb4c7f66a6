import CTesseraOpenVINO
import Foundation
import InferenceRuntime
import TensorCore
import TesseraTestSupport
import Testing

@testable import OpenVINOBackend

/// Regressions of the run path: how outputs are read back, which inputs are fed, and what an
/// error says. Each was found by comparing `tessera conformance --library openvino` with
/// `Scripts/conformance-openvino-python.py` case by case.
@Suite("OpenVINO run path")
struct RunPathTests {
    /// Node cases whose outputs include scalars (a loss, a size, a quantization scale and zero
    /// point, an inner product). `ov_tensor_get_shape` refuses rank 0, so each of these used to
    /// fail with INVALID_C_PARAM after a successful inference.
    static let scalarOutputCases = [
        "test_size", "test_nllloss_NCd1", "test_dynamicquantizelinear_min_adjusted", "test_einsum_inner_prod",
        "test_sce_mean",
    ]

    @Test("scalar outputs come back with shape [] and ONNX's expected values", arguments: scalarOutputCases)
    func scalarOutputs(_ name: String) async throws {
        let folder = try OpenVINOFixtures.nodeCase(name)
        let session = try await OpenVINOFixtures.session(folder.appendingPathComponent("model.onnx"))
        let data = folder.appendingPathComponent("test_data_set_0")
        let inputs = try OpenVINOFixtures.readTensors(in: data, prefix: "input")
        let expected = try OpenVINOFixtures.readTensors(in: data, prefix: "output")
        #expect(expected.contains { $0.tensor.shape.isEmpty }, "\(name) should have a scalar output")
        let outputs = try session.run(Dictionary(uniqueKeysWithValues: inputs.map { ($0.name, $0.tensor) }))
        for (outputName, reference) in expected {
            let actual = try #require(outputs[outputName], "\(name): output \(outputName) missing")
            #expect(actual.shape == reference.shape, "\(name) \(outputName)")
            let comparison = actual.compare(to: reference, tolerance: .onnxConformance)
            #expect(comparison.passed, "\(name) \(outputName): \(comparison.failure ?? "")")
        }
    }

    @Test("a tensor's dimensions: [] for a scalar, the shape otherwise")
    func tensorDims() throws {
        let api = try OpenVINOFixtures.backend().core.api
        for shape in [[], [1], [2, 3], [4, 0, 2]] as [[Int]] {
            var dims = shape.map(Int64.init)
            var handle: OpaquePointer?
            let status = dims.withUnsafeMutableBufferPointer { buffer in
                api.tensorCreate(
                    TESSERA_OV_TYPE_F32, tessera_ov_shape(rank: Int64(buffer.count), dims: buffer.baseAddress), &handle)
            }
            try api.check(status, "ov_tensor_create", kind: .run)
            let tensor = OVTensor(takingOwnership: try #require(handle), api: api)
            #expect(try tensor.dims() == shape)
        }
    }

    @Test("ReduceSum's runtime axes input is fed: the axes given decide the output's shape and values")
    func runtimeAxes() async throws {
        let model = try OpenVINOFixtures.nodeCase("test_reduce_sum_keepdims_example")
            .appendingPathComponent("model.onnx")
        let session = try await OpenVINOFixtures.session(model)
        #expect(session.inputs.map(\.name) == ["data", "axes"])
        // The output's sizes depend on the axes' values, so OpenVINO leaves them dynamic.
        #expect(session.outputs.first?.dims == [nil, nil, nil])
        let data = try Tensor(shape: [3, 2, 2], scalars: (1...12).map(Float.init))
        let cases: [([Int64], [Int], [Float])] = [
            ([1], [3, 1, 2], [4, 6, 12, 14, 20, 22]),
            ([0, 2], [1, 2, 1], [33, 45]),
            ([-1], [3, 2, 1], [3, 7, 11, 15, 19, 23]),
        ]
        for (axes, shape, sums) in cases {
            let feeds = ["data": data, "axes": try Tensor(shape: [axes.count], scalars: axes)]
            let reduced = try #require(try session.run(feeds)["reduced"])
            #expect(reduced.shape == shape, "axes \(axes)")
            #expect(try reduced.scalars(as: Float.self) == sums, "axes \(axes)")
        }
    }

    @Test("an output of dynamic rank comes back with the rank of each run, scalar included")
    func dynamicRankOutput() async throws {
        let folder = try Fixtures.temporaryDirectory("ov-dynamic-rank")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = folder.appendingPathComponent("reduce.onnx")
        try makeModel(at: model, python: Self.dynamicRankReduce)
        let session = try await OpenVINOFixtures.session(model)
        let data = try Tensor(shape: [2, 3], scalars: (1...6).map(Float.init))
        let cases: [([Int64], [Int], [Float])] = [([0], [3], [5, 7, 9]), ([1], [2], [6, 15]), ([0, 1], [], [21])]
        for (axes, shape, sums) in cases {
            let feeds = ["data": data, "axes": try Tensor(shape: [axes.count], scalars: axes)]
            let reduced = try #require(try session.run(feeds)["reduced"])
            #expect(reduced.shape == shape, "axes \(axes)")
            #expect(try reduced.scalars(as: Float.self) == sums, "axes \(axes)")
        }
    }

    /// ReduceSum-13 with `keepdims = 0` and an `axes` input of unknown length: the output's rank
    /// depends on how many axes a run passes.
    static let dynamicRankReduce = """
        node = helper.make_node("ReduceSum", ["data", "axes"], ["reduced"], keepdims=0)
        graph = helper.make_graph([node], "reduce", [
            helper.make_tensor_value_info("data", TensorProto.FLOAT, [2, 3]),
            helper.make_tensor_value_info("axes", TensorProto.INT64, ["n"])],
            [helper.make_tensor_value_info("reduced", TensorProto.FLOAT, None)])
        """

    @Test("a status the C layer returns itself does not carry an earlier exception's message")
    func staleErrorMessage() throws {
        let backend = try OpenVINOFixtures.backend()
        let api = backend.core.api
        // An exception: reading a missing file records OpenVINO's message naming it.
        let missing = "/nonexistent/tessera-stale-message-\(UUID().uuidString).onnx"
        var model: OpaquePointer?
        let failed = api.coreReadModel(backend.core.handle, missing, nil, &model)
        #expect(failed != TESSERA_OV_OK && model == nil)
        #expect(throws: BackendError.self) { try api.check(failed, "ov_core_read_model", kind: .load) }

        // INVALID_C_PARAM (a refused argument) is returned without an exception: the process-wide
        // message is still the one above, and must not be reported as this failure's cause.
        do {
            try api.check(TESSERA_OV_INVALID_C_PARAM, "ov_tensor_get_shape", kind: .run)
            Issue.record("a failure status was accepted")
        } catch {
            #expect(error.code == Int(TESSERA_OV_INVALID_C_PARAM.rawValue))
            #expect(!error.message.contains("nonexistent"), "stale message: \(error.message)")
            #expect(!error.message.isEmpty)
        }
    }
}

/// Writes the model that `python` (statements using `helper` and `TensorProto`, ending with a
/// `graph`) describes, as an opset-13 ONNX file, with the repository's Python.
func makeModel(at url: URL, python: String) throws {
    let script = """
        import onnx
        from onnx import helper, TensorProto
        \(python)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        onnx.checker.check_model(model)
        onnx.save(model, \(String(reflecting: url.path)))
        """
    let result = try runProcess(try Fixtures.python(), ["-c", script])
    guard result.status == 0 else {
        throw PythonFailure(script: "-c (model for \(url.lastPathComponent))", status: result.status, stderr: result.stderr)
    }
}
