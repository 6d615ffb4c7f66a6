import Foundation
import ONNXModel
import Testing
import TesseraTestSupport

@Suite("tessera devices and check, end to end")
struct CheckCommandTests {
    private struct CheckReport: Decodable {
        struct Pair: Decodable {
            var library: String
            var verdict: String
            var findings: [String]
        }
        var pairs: [Pair]
    }

    /// Resize at opset 10 (X, scales): ONNX Runtime has it, OpenVINO's ONNX frontend does not.
    private func resize10Model(in directory: URL) throws -> URL {
        let scales = try Tensor(shape: [4], scalars: [1, 1, 2, 2] as [Float])
        let graph = Graph(
            name: "resize10",
            nodes: [Node(name: "upscale", opType: "Resize", inputs: ["x", "scales"], outputs: ["y"],
                         attributes: [Attribute(name: "mode", value: .string(Data("nearest".utf8)))])],
            initializers: [StoredTensor(name: "scales", tensor: scales)],
            inputs: [ValueInfo(name: "x", type: .tensor(.float32, [.value(1), .value(3), .value(8), .value(8)]))],
            outputs: [ValueInfo(name: "y", type: .tensor(.float32, nil))])
        let url = directory.appendingPathComponent("resize10.onnx")
        try Model(graph: graph, opsetImports: [OpsetImport(domain: "", version: 10)]).write(to: url)
        return url
    }

    @Test("check names the operator a library lacks at the model's opset")
    func missingOperator() throws {
        let directory = try Fixtures.temporaryDirectory("check")
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try resize10Model(in: directory)
        let result = try TesseraBinary.run(["check", model.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONDecoder().decode(CheckReport.self, from: Data(result.stdout.utf8))
        let openvino = try #require(report.pairs.first { $0.library == "openvino" })
        #expect(openvino.verdict == "unsupported")
        #expect(openvino.findings.contains { $0.contains("Resize-10") && $0.contains("'upscale' (Resize)") }, "\(openvino.findings)")
        let ort = try #require(report.pairs.first { $0.library == "onnxruntime" })
        #expect(ort.verdict == "supported", "\(ort.findings)")

        let text = try TesseraBinary.run(["check", model.path])
        #expect(text.stdout.contains("Resize-10"))
    }

    @Test("devices lists both libraries with their versions and a CPU each")
    func devices() throws {
        let result = try TesseraBinary.run(["devices", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        struct Report: Decodable {
            struct Library: Decodable {
                var library: String
                var loaded: Bool
                var version: String?
            }
            struct Device: Decodable {
                var id: String
                var kind: String
            }
            var libraries: [Library]
            var devices: [Device]
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
        #expect(report.libraries.first { $0.library == "onnxruntime" }?.version == "1.31.1")
        #expect(report.libraries.first { $0.library == "openvino" }?.version?.hasPrefix("2026.4.1") == true)
        #expect(report.devices.contains { $0.id == "onnxruntime:cpu" && $0.kind == "cpu" })
        #expect(report.devices.contains { $0.id == "openvino:CPU" && $0.kind == "cpu" })
    }

    @Test("a broken library named by the environment is skipped with its reason")
    func brokenLibrary() throws {
        let directory = try Fixtures.temporaryDirectory("broken-lib")
        defer { try? FileManager.default.removeItem(at: directory) }
        let fake = directory.appendingPathComponent("libonnxruntime.so")
        try Data(repeating: 0x42, count: 4096).write(to: fake)
        let result = try runProcess(
            try TesseraBinary.url(), ["devices"], environment: ["TESSERA_ONNXRUNTIME_LIBRARY": fake.path])
        #expect(result.status == 0)
        #expect(result.stdout.contains(fake.path), "\(result.stdout)")
        #expect(result.stdout.contains("skipped"))
    }

    @Test("run writes outputs and reports a checksum that matches the file")
    func runCommand() throws {
        let directory = try Fixtures.temporaryDirectory("run")
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try #require(try Fixtures.lightModels().first { $0.lastPathComponent == "light_squeezenet.onnx" })
        let result = try TesseraBinary.run([
            "run", model.path, "--input", "data_0=random:7", "--output-dir", directory.path, "--library", "openvino", "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        struct Report: Decodable {
            struct Output: Decodable {
                var name: String
                var shape: [Int]
                var file: String?
            }
            var device: String
            var outputs: [Output]
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
        #expect(report.device == "openvino:CPU")
        #expect(report.outputs.first?.shape == [1, 1000, 1, 1])
        let file = try #require(report.outputs.first?.file)
        let tensor = try Tensor(npy: Data(contentsOf: URL(fileURLWithPath: file)))
        #expect(tensor.shape == [1, 1000, 1, 1])

        let missing = try TesseraBinary.run(["run", model.path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("missing --input data_0"))
    }
}
