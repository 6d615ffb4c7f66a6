import Foundation
import InferenceRuntime
import TensorCore
import TesseraTestSupport
import Testing

@testable import OpenVINOBackend

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
