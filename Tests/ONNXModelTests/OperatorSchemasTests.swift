import Foundation
import ONNXModel
import Testing
import TesseraTestSupport

@Suite("Operator schema table")
struct OperatorSchemasTests {
    @Test("Since-versions resolve as ONNX defines them")
    func sinceVersions() throws {
        let schemas = try OperatorSchemas.standard()
        #expect(schemas.onnxVersion == "1.23.2")
        #expect(schemas.newestOpset["ai.onnx"] == 28)
        #expect(schemas.sinceVersion(of: "Resize", domain: "", opset: 17) == 13)
        #expect(schemas.sinceVersion(of: "Resize", domain: "ai.onnx", opset: 10) == 10)
        #expect(schemas.sinceVersion(of: "Resize", domain: "", opset: 9) == nil, "Resize did not exist before opset 10")
        #expect(schemas.sinceVersion(of: "Conv", domain: "", opset: 11) == 11)
        #expect(schemas.version(of: "Upsample", domain: "", opset: 10)?.deprecated == true)
        #expect(schemas.version(of: "Concat", domain: "", opset: 13)?.inputs == [1, nil], "Concat is variadic")
        #expect(schemas.versions(of: "NoSuchOp", domain: "") == nil)
        #expect(schemas.operatorNames(in: "").count > 190)
        #expect(schemas.knows(domain: "ai.onnx.ml"))
    }

    @Test("The table matches the installed onnx package exactly")
    func matchesOnnx() throws {
        let schemas = try OperatorSchemas.standard()
        let script = """
            import json, onnx.defs as d
            ops = {}
            for s in d.get_all_schemas_with_history():
                if s.domain == "": ops.setdefault(s.name, []).append(s.since_version)
            print(json.dumps({k: sorted(v) for k, v in ops.items()}))
            """
        let result = try runProcess(try Fixtures.python(), ["-c", script])
        let expected = try JSONDecoder().decode([String: [Int]].self, from: Data(result.stdout.utf8))
        #expect(Set(schemas.operatorNames(in: "")) == Set(expected.keys))
        for (name, versions) in expected {
            #expect(schemas.versions(of: name, domain: "")?.map(\.since) == versions, "\(name)")
        }
    }

    @Test("Every operator of every light model is in the table at the model's opset")
    func lightModelsAreKnown() throws {
        let schemas = try OperatorSchemas.standard()
        for url in try Fixtures.lightModels() {
            let model = try Model(contentsOf: url)
            let opset = try #require(model.opsetVersion(for: ""))
            for node in model.graph.nodes {
                #expect(schemas.sinceVersion(of: node.opType, domain: node.domain, opset: opset) != nil, "\(node.opType)")
            }
        }
    }
}
