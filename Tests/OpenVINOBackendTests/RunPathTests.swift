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
        // The model declares `axes` with one element; which one is the run's choice.
        let cases: [([Int64], [Int], [Float])] = [
            ([1], [3, 1, 2], [4, 6, 12, 14, 20, 22]),
            ([0], [1, 2, 2], [15, 18, 21, 24]),
            ([-1], [3, 2, 1], [3, 7, 11, 15, 19, 23]),
        ]
        for (axes, shape, sums) in cases {
            let feeds = ["data": data, "axes": try Tensor(shape: [axes.count], scalars: axes)]
            let reduced = try #require(try session.run(feeds)["reduced"])
            #expect(reduced.shape == shape, "axes \(axes)")
            #expect(try reduced.scalars(as: Float.self) == sums, "axes \(axes)")
        }
    }

    @Test("an output sized by the data comes back with each run's shape, empty included")
    func dataDependentOutput() async throws {
        let model = try OpenVINOFixtures.nodeCase("test_nonzero_example").appendingPathComponent("model.onnx")
        let session = try await OpenVINOFixtures.session(model)
        // NonZero's second dimension is bounded (..4) but not fixed: the session reports it unknown.
        #expect(session.outputs.first?.dims == [2, nil])
        let cases: [([Bool], [Int], [Int64])] = [
            ([true, false, true, true], [2, 3], [0, 1, 1, 0, 0, 1]),
            ([false, false, false, false], [2, 0], []),
        ]
        for (condition, shape, indices) in cases {
            let input = try Tensor(shape: [2, 2], scalars: condition)
            let result = try #require(try session.run(["condition": input])["result"])
            #expect(result.shape == shape, "\(condition)")
            #expect(try result.scalars(as: Int64.self) == indices, "\(condition)")
        }
    }

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

/// Which ONNX value each OpenVINO port stands for, when OpenVINO's ONNX frontend drops inputs
/// (unused, zero-size) and renames others (an input passed straight to an output keeps only the
/// output's name).
@Suite("OpenVINO port naming")
struct PortNamingTests {
    typealias Value = ONNXInterfaceNames.Value

    static func value(_ name: String, _ type: DataType = .float32, _ dims: [Int?]? = [2]) -> Value {
        Value(name: name, dataType: type, dims: dims)
    }

    static func port(_ name: String, _ type: DataType? = .float32, _ dims: [Int?]? = [2]) -> PortSignature {
        PortSignature(anyName: name, dataType: type, dims: dims)
    }

    @Test("every declared value kept: ports take the file's names by position, whatever OpenVINO calls them")
    func positional() {
        let declared = [Self.value("x"), Self.value("r", .float32, [])]
        #expect(PortNaming.names(of: [Self.port("y"), Self.port("r", .float32, [])], declared: declared) == ["x", "r"])
        #expect(PortNaming.names(of: [Self.port("y")], declared: nil) == ["y"])
    }

    @Test("dropped inputs: named ports anchor, a renamed port takes the value that fits between anchors")
    func droppedAndRenamed() {
        // x only feeds Dropout (renamed to its output y), b is unused and zero-size, c is kept.
        let declared = [Self.value("x"), Self.value("b", .float32, [0]), Self.value("c")]
        #expect(PortNaming.names(of: [Self.port("y"), Self.port("c")], declared: declared) == ["x", "c"])
        // The dropped value first: the renamed port skips what does not fit it.
        let reversed = [Self.value("b", .float32, [0]), Self.value("x"), Self.value("c", .int64, [3])]
        #expect(PortNaming.names(of: [Self.port("y"), Self.port("c", .int64, [3])], declared: reversed) == ["x", "c"])
        // Split with a zero-size input dropped: the kept port still has its own name.
        let split = [Self.value("input", .float32, [0]), Self.value("split", .int64, [3])]
        #expect(PortNaming.names(of: [Self.port("split", .int64, [3])], declared: split) == ["split"])
    }

    @Test("a renamed port that fits no declared value keeps OpenVINO's name")
    func noFit() {
        let declared = [Self.value("a", .int64, [3]), Self.value("b", .int64, [3]), Self.value("c")]
        #expect(PortNaming.names(of: [Self.port("mystery", .float32, [5]), Self.port("c")], declared: declared) == [
            "mystery", "c",
        ])
        // Types and sizes must agree where both are known; unknowns fit anything.
        #expect(PortNaming.fits(Self.port("p", nil, nil), Self.value("v", .int8, [1, 2])))
        #expect(PortNaming.fits(Self.port("p", .float32, [nil, 4]), Self.value("v", .float32, [3, nil])))
        #expect(!PortNaming.fits(Self.port("p", .float32, [3]), Self.value("v", .float32, [3, 1])))
        #expect(!PortNaming.fits(Self.port("p", .float16, [3]), Self.value("v", .float32, [3])))
    }

    @Test("the file scanner reads names, element types and dimensions of inputs and outputs")
    func scanner() throws {
        let model = try OpenVINOFixtures.nodeCase("test_castlike_FLOAT_to_DOUBLE").appendingPathComponent("model.onnx")
        let scanned = try #require(ONNXInterfaceNames(contentsOf: model))
        #expect(scanned.inputValues == [Self.value("input", .float32, [3, 4]), Self.value("like", .float64, [1])])
        #expect(scanned.outputValues == [Self.value("output", .float64, [3, 4])])
    }

    @Test("a model whose input OpenVINO renames while dropping another is fed by its ONNX names")
    func renamedInputSession() async throws {
        let folder = try Fixtures.temporaryDirectory("ov-renamed-input")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = folder.appendingPathComponent("renamed.onnx")
        try makeModel(at: model, python: Self.renamedInputModel)
        let scanned = try #require(ONNXInterfaceNames(contentsOf: model))
        #expect(scanned.inputValues.map(\.dims) == [[2], [0], [2]] as [[Int?]?])

        let session = try await OpenVINOFixtures.session(model)
        #expect(session.inputs.map(\.name) == ["x", "c"])
        let x = try Tensor(shape: [2], scalars: [Float(1.5), -2])
        let c = try Tensor(shape: [2], scalars: [Float(-3), 4])
        let b = try Tensor(shape: [0], scalars: [Float]())
        // b was dropped by OpenVINO: callers may still pass it, as the file declares it.
        let outputs = try session.run(["x": x, "b": b, "c": c])
        #expect(try outputs["y"]?.scalars(as: Float.self) == [1.5, -2])
        #expect(try outputs["z"]?.scalars(as: Float.self) == [0, 4])
    }

    /// x only feeds an inference-mode Dropout (OpenVINO names its parameter "y"), b is unused and
    /// zero-size (dropped), c feeds Relu.
    static let renamedInputModel = """
        nodes = [helper.make_node("Dropout", ["x"], ["y"]), helper.make_node("Relu", ["c"], ["z"])]
        graph = helper.make_graph(nodes, "renamed", [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, [2]),
            helper.make_tensor_value_info("b", TensorProto.FLOAT, [0]),
            helper.make_tensor_value_info("c", TensorProto.FLOAT, [2])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2]),
             helper.make_tensor_value_info("z", TensorProto.FLOAT, [2])])
        """
}

/// Writes the model that `python` (statements using `helper` and `TensorProto`, ending with a
/// `graph`) describes, as an opset-13 ONNX file, with the repository's Python. ONNX's checker is
/// not run: it wants a shape on every graph output, and a rank-unknown output is what some
/// tests are about.
func makeModel(at url: URL, python: String) throws {
    let script = """
        import onnx
        from onnx import helper, TensorProto
        \(python)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        onnx.save(model, \(String(reflecting: url.path)))
        """
    let result = try runProcess(try Fixtures.python(), ["-c", script])
    guard result.status == 0 else { throw ModelScriptFailure(model: url.lastPathComponent, stderr: result.stderr) }
}

/// The Python that writes a test model failed (onnx missing, or a model the checker refuses).
struct ModelScriptFailure: Error, CustomStringConvertible {
    var model: String
    var stderr: String
    var description: String { "writing \(model) failed: \(stderr.suffix(2000))" }
}
