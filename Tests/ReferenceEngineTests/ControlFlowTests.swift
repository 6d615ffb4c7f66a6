import Foundation
import InferenceRuntime
import ONNXModel
import ReferenceEngine
import Testing
import TensorCore
import TesseraTestSupport

/// Subgraph execution beyond the node suite's cases: a Loop body reading an outer-scope value
/// and stacking a scan output, a Scan walking backwards, and a failure inside a body naming the
/// inner node.
@Suite("If, Loop and Scan run their subgraphs")
struct ControlFlowTests {
    static func session(_ nodes: [Node], inputs: [ValueInfo], outputs: [String], opset: Int64 = 17) async throws -> any Session {
        let folder = try Fixtures.temporaryDirectory("control-flow")
        defer { try? FileManager.default.removeItem(at: folder) }
        let graph = Graph(name: "g", nodes: nodes, inputs: inputs, outputs: outputs.map { ValueInfo(name: $0, type: .tensor(.float32, nil)) })
        let url = folder.appendingPathComponent("model.onnx")
        try Model(graph: graph, opsetImports: [OpsetImport(domain: "", version: opset)]).write(to: url)
        let engine = ReferenceBackend()
        return try await engine.makeSession(model: url, device: try #require(engine.devices().first), options: SessionOptions())
    }

    static func float(_ name: String, _ shape: [Dim]?) -> ValueInfo { ValueInfo(name: name, type: .tensor(.float32, shape)) }

    @Test("Loop: three trips add an outer-scope step to the carried sum and stack each sum")
    func loop() async throws {
        let body = Graph(
            name: "body",
            nodes: [
                Node(name: "next", opType: "Add", inputs: ["sum_in", "step"], outputs: ["sum_out"]),
                Node(name: "keep_going", opType: "Identity", inputs: ["cond_in"], outputs: ["cond_out"]),
                Node(name: "record", opType: "Identity", inputs: ["sum_out"], outputs: ["scan_out"]),
            ],
            inputs: [ValueInfo(name: "i", type: .tensor(.int64, [])), ValueInfo(name: "cond_in", type: .tensor(.bool, [])), Self.float("sum_in", [2])],
            outputs: [ValueInfo(name: "cond_out", type: .tensor(.bool, [])), Self.float("sum_out", [2]), Self.float("scan_out", [2])])
        let loop = Node(name: "loop", opType: "Loop", inputs: ["trips", "", "start"], outputs: ["total", "sums"],
                        attributes: [Attribute(name: "body", value: .graph(body))])
        let session = try await Self.session(
            [loop], inputs: [ValueInfo(name: "trips", type: .tensor(.int64, [])), Self.float("start", [2]), Self.float("step", [2])],
            outputs: ["total", "sums"])
        let outputs = try session.run([
            "trips": try Tensor(shape: [], scalars: [3] as [Int64]), "start": try Tensor(shape: [2], scalars: [0, 10] as [Float]),
            "step": try Tensor(shape: [2], scalars: [1, 2] as [Float]),
        ])
        #expect(try outputs["total"]?.scalars(as: Float.self) == [3, 16])
        #expect(outputs["sums"]?.shape == [3, 2])
        #expect(try outputs["sums"]?.scalars(as: Float.self) == [1, 12, 2, 14, 3, 16])
    }

    @Test("Scan backwards: a running sum over the reversed rows, stacked in reverse")
    func scanBackwards() async throws {
        let body = Graph(
            name: "body",
            nodes: [Node(name: "accumulate", opType: "Add", inputs: ["state_in", "row"], outputs: ["state_out"]),
                    Node(name: "emit", opType: "Identity", inputs: ["state_out"], outputs: ["partial"])],
            inputs: [Self.float("state_in", [2]), Self.float("row", [2])],
            outputs: [Self.float("state_out", [2]), Self.float("partial", [2])])
        let scan = Node(name: "scan", opType: "Scan", inputs: ["zero", "rows"], outputs: ["final", "partials"],
                        attributes: [Attribute(name: "body", value: .graph(body)), Attribute(name: "num_scan_inputs", value: .int(1)),
                                     Attribute(name: "scan_input_directions", value: .ints([1])),
                                     Attribute(name: "scan_output_directions", value: .ints([1]))])
        let session = try await Self.session([scan], inputs: [Self.float("zero", [2]), Self.float("rows", [3, 2])], outputs: ["final", "partials"])
        let outputs = try session.run([
            "zero": try Tensor(shape: [2], scalars: [0, 0] as [Float]),
            "rows": try Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6] as [Float]),
        ])
        #expect(try outputs["final"]?.scalars(as: Float.self) == [9, 12])
        // Visited rows 2, 1, 0 (sums [5,6], [8,10], [9,12]); stacked in reverse.
        #expect(try outputs["partials"]?.scalars(as: Float.self) == [9, 12, 8, 10, 5, 6])
    }

    @Test("A node failing inside an If branch names itself")
    func innerFailure() async throws {
        let branch = Graph(
            name: "then", nodes: [Node(name: "inner_add", opType: "Add", inputs: ["a", "b"], outputs: ["sum"])],
            inputs: [], outputs: [Self.float("sum", nil)])
        let other = Graph(name: "else", nodes: [Node(name: "pass", opType: "Identity", inputs: ["a"], outputs: ["same"])],
                          inputs: [], outputs: [Self.float("same", nil)])
        let node = Node(name: "choose", opType: "If", inputs: ["flag"], outputs: ["y"],
                        attributes: [Attribute(name: "then_branch", value: .graph(branch)), Attribute(name: "else_branch", value: .graph(other))])
        let session = try await Self.session(
            [node], inputs: [ValueInfo(name: "flag", type: .tensor(.bool, [])), Self.float("a", nil), Self.float("b", nil)], outputs: ["y"])
        let a = try Tensor(shape: [3], scalars: [1, 2, 3] as [Float])
        let b = try Tensor(shape: [2], scalars: [1, 2] as [Float])
        let chosen = try session.run(["flag": try Tensor(shape: [], scalars: [false]), "a": a, "b": b])
        #expect(try chosen["y"]?.scalars(as: Float.self) == [1, 2, 3])
        #expect {
            try session.run(["flag": try Tensor(shape: [], scalars: [true]), "a": a, "b": b])
        } throws: { error in
            "\(error)".contains("'inner_add' (Add)") && "\(error)".contains("do not broadcast")
        }
    }
}
