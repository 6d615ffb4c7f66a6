import Foundation
import InferenceRuntime
import ONNXModel
import ReferenceEngine
import Testing
import TesseraTestSupport

@Suite("Malformed nodes are refused with an error naming the node")
struct MalformedNodeTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var node: Node
        var inputs: [String]
        /// Text the error must contain besides the node's name.
        var cause: String
        var opset = 17
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "Add with one input", node: Node(name: "lonely_add", opType: "Add", inputs: ["x"], outputs: ["y"]),
             inputs: ["x"], cause: "needs at least 2"),
        Case(label: "Relu with three inputs", node: Node(name: "greedy_relu", opType: "Relu", inputs: ["x", "x", "x"], outputs: ["y"]),
             inputs: ["x"], cause: "at most 1"),
        Case(label: "Concat without axis", node: Node(name: "no_axis", opType: "Concat", inputs: ["x", "x"], outputs: ["y"]),
             inputs: ["x"], cause: "'axis' is required"),
        Case(label: "Transpose with a string perm",
             node: Node(name: "bad_perm", opType: "Transpose", inputs: ["x"], outputs: ["y"],
                        attributes: [Attribute(name: "perm", value: .string(Data("0,1".utf8)))]),
             inputs: ["x"], cause: "must be INTS"),
        Case(label: "Conv with a negative group",
             node: Node(name: "bad_group", opType: "Conv", inputs: ["x", "x"], outputs: ["y"],
                        attributes: [Attribute(name: "group", value: .int(-2))]),
             inputs: ["x"], cause: "group"),
        Case(label: "Resize with an unknown mode",
             node: Node(name: "bad_mode", opType: "Resize", inputs: ["x", "", "s"], outputs: ["y"],
                        attributes: [Attribute(name: "mode", value: .string(Data("sideways".utf8)))]),
             inputs: ["x", "s"], cause: "sideways"),
        Case(label: "An operator ONNX does not define", node: Node(name: "mystery", opType: "Frobnicate", inputs: ["x"], outputs: ["y"]),
             inputs: ["x"], cause: "Frobnicate"),
        Case(label: "If without its branches", node: Node(name: "branchless", opType: "If", inputs: ["x"], outputs: ["y"]),
             inputs: ["x"], cause: "'then_branch' is required"),
        Case(label: "Scan without num_scan_inputs",
             node: Node(name: "unscanned", opType: "Scan", inputs: ["x"], outputs: ["y"],
                        attributes: [Attribute(name: "body", value: .graph(Graph(name: "body", nodes: [], inputs: [], outputs: [])))]),
             inputs: ["x"], cause: "num_scan_inputs"),
        Case(label: "Attention with a past key but no past value",
             node: Node(name: "half_cache", opType: "Attention", inputs: ["x", "x", "x", "", "x"], outputs: ["y"]),
             inputs: ["x"], cause: "past_key and past_value", opset: 23),
        Case(label: "Einsum with two arrows",
             node: Node(name: "bad_equation", opType: "Einsum", inputs: ["x"], outputs: ["y"],
                        attributes: [Attribute(name: "equation", value: .string(Data("ij->ji->ij".utf8)))]),
             inputs: ["x"], cause: "more than one '->'"),
        Case(label: "GridSample with an unknown padding mode",
             node: Node(name: "bad_padding", opType: "GridSample", inputs: ["x", "x"], outputs: ["y"],
                        attributes: [Attribute(name: "padding_mode", value: .string(Data("mirror".utf8)))]),
             inputs: ["x"], cause: "mirror", opset: 22),
    ]

    @Test("Loading fails with BackendError naming the node and the cause", arguments: cases)
    func refused(_ item: Case) async throws {
        let folder = try Fixtures.temporaryDirectory("malformed")
        defer { try? FileManager.default.removeItem(at: folder) }
        let values = item.inputs.map { ValueInfo(name: $0, type: .tensor(.float32, [2, 2])) }
        let graph = Graph(name: "g", nodes: [item.node], inputs: values, outputs: [ValueInfo(name: "y", type: .tensor(.float32, nil))])
        let url = folder.appendingPathComponent("model.onnx")
        try Model(graph: graph, opsetImports: [OpsetImport(domain: "", version: Int64(item.opset))]).write(to: url)
        let engine = ReferenceBackend()
        let device = try #require(engine.devices().first)
        do {
            _ = try await engine.makeSession(model: url, device: device, options: SessionOptions())
            Issue.record("\(item.label) was accepted")
        } catch let error as BackendError {
            #expect(error.message.contains("'\(item.node.name)'"), "\(error)")
            #expect(error.message.contains(item.cause), "\(error)")
            #expect(error.message.contains(url.path), "\(error)")
        }
    }

    @Test("A node that fails while running names itself, and the session stays usable")
    func runFailure() async throws {
        let folder = try Fixtures.temporaryDirectory("malformed")
        defer { try? FileManager.default.removeItem(at: folder) }
        let node = Node(name: "mismatched", opType: "Add", inputs: ["a", "b"], outputs: ["y"])
        let graph = Graph(
            name: "g", nodes: [node],
            inputs: [ValueInfo(name: "a", type: .tensor(.float32, nil)), ValueInfo(name: "b", type: .tensor(.float32, nil))],
            outputs: [ValueInfo(name: "y", type: .tensor(.float32, nil))])
        let url = folder.appendingPathComponent("model.onnx")
        try Model(graph: graph, opsetImports: [OpsetImport(domain: "", version: 17)]).write(to: url)
        let engine = ReferenceBackend()
        let session = try await engine.makeSession(model: url, device: try #require(engine.devices().first), options: SessionOptions())
        let three = try Tensor(shape: [3], scalars: [1, 2, 3] as [Float])
        let two = try Tensor(shape: [2], scalars: [1, 2] as [Float])
        #expect {
            try session.run(["a": three, "b": two])
        } throws: { error in
            "\(error)".contains("'mismatched' (Add)") && "\(error)".contains("do not broadcast")
        }
        let sum = try #require(try session.run(["a": three, "b": three])["y"])
        #expect(try sum.scalars(as: Float.self) == [2, 4, 6])
    }
}
