import Foundation
import ONNXModel
import TensorCore
import Testing
import TesseraTestSupport

/// `tessera run` with a sequence input (a folder of .npy elements, or a .pb file) and an optional
/// one, writing the sequence output as .npy elements or as a SequenceProto; expected outputs from
/// onnx's ReferenceEvaluator (Tests/Oracles/sequence_model.py).
@Suite("tessera run: sequences and optionals")
struct RunValuesTests {
    /// The oracle's case, plus its data set 0 inputs as .npy files: `xs/0.npy …` and `extra.npy`.
    static func prepare() throws -> (folder: URL, graph: Graph) {
        let folder = try Fixtures.temporaryDirectory("run-values")
        _ = try runPython("Tests/Oracles/sequence_model.py", [folder.path])
        let graph = try Model(contentsOf: folder.appendingPathComponent("model.onnx")).graph
        guard case .sequence(let xs) = try value(folder, "input_0.pb", graph.inputs[0]) else { throw CLIFailure("xs is not a sequence") }
        let elements = folder.appendingPathComponent("xs")
        try FileManager.default.createDirectory(at: elements, withIntermediateDirectories: true)
        for (index, tensor) in xs.elements.enumerated() {
            try tensor.npyData().write(to: elements.appendingPathComponent("\(index).npy"))
        }
        let extra = try #require(try value(folder, "input_2.pb", graph.inputs[2]).tensor)
        try extra.npyData().write(to: folder.appendingPathComponent("extra.npy"))
        return (folder, graph)
    }

    static func value(_ folder: URL, _ file: String, _ info: ValueInfo, dataSet: Int = 0) throws -> ModelValue {
        let data = try Data(contentsOf: folder.appendingPathComponent("test_data_set_\(dataSet)/\(file)"))
        return try ModelValue(serializedBytes: data, type: try #require(info.type))
    }

    struct CLIFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    @Test("A folder of elements and a present optional in; the sequence out as .npy elements, then as a .pb")
    func sequenceFolderAndPB() throws {
        let (folder, graph) = try Self.prepare()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = folder.appendingPathComponent("model.onnx").path
        let inputs = [
            "--input", "xs=\(folder.appendingPathComponent("xs").path)",
            "--input", "bias=\(folder.appendingPathComponent("test_data_set_0/input_1.pb").path)",
            "--input", "extra=\(folder.appendingPathComponent("extra.npy").path)",
        ]
        guard case .sequence(let expected) = try Self.value(folder, "output_0.pb", graph.outputs[0]) else {
            throw CLIFailure("output_0.pb is not a sequence")
        }
        let npyOut = folder.appendingPathComponent("out-npy")
        let npy = try TesseraBinary.run(["run", model] + inputs + ["--library", "reference", "--output-dir", npyOut.path])
        #expect(npy.status == 0, "\(npy.stderr)")
        for (index, want) in expected.elements.enumerated() {
            let got = try Tensor(npy: Data(contentsOf: npyOut.appendingPathComponent("ys/\(index).npy")))
            #expect(got.compare(to: want, tolerance: .onnxConformance).failure == nil, "ys[\(index)]")
        }
        #expect(!FileManager.default.fileExists(atPath: npyOut.appendingPathComponent("ys/\(expected.elements.count).npy").path))

        let pbOut = folder.appendingPathComponent("out-pb")
        let pb = try TesseraBinary.run(
            ["run", model] + inputs + ["--library", "reference", "--output-dir", pbOut.path, "--output-format", "pb"])
        #expect(pb.status == 0, "\(pb.stderr)")
        let written = try ModelValue(serializedBytes: Data(contentsOf: pbOut.appendingPathComponent("ys.pb")), type: try #require(graph.outputs[0].type))
        #expect(written.compare(to: .sequence(expected), tolerance: .onnxConformance) == nil)
    }

    @Test("An optional input left out runs as absent")
    func absentOptional() throws {
        let (folder, graph) = try Self.prepare()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out")
        let result = try TesseraBinary.run([
            "run", folder.appendingPathComponent("model.onnx").path, "--input", "xs=\(folder.appendingPathComponent("xs").path)",
            "--input", "extra=\(folder.appendingPathComponent("extra.npy").path)", "--library", "reference", "--output-dir", out.path,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let expected = try #require(try Self.value(folder, "output_1.pb", graph.outputs[1], dataSet: 1).tensor)
        let total = try Tensor(npy: Data(contentsOf: out.appendingPathComponent("total.npy")))
        #expect(total.compare(to: expected, tolerance: .onnxConformance).failure == nil)
        #expect(try Tensor(npy: Data(contentsOf: out.appendingPathComponent("has.npy"))).scalars(as: Bool.self) == [false])
    }

    @Test("A malformed sequence .pb is one line naming the file, exit status 1")
    func malformedSequence() throws {
        let (folder, _) = try Self.prepare()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bad = folder.appendingPathComponent("bad.pb")
        try Data([0x10, 0x01, 0x1a, 0xc8, 0x01, 0x08]).write(to: bad)
        let result = try TesseraBinary.run([
            "run", folder.appendingPathComponent("model.onnx").path, "--input", "xs=\(bad.path)",
            "--input", "extra=\(folder.appendingPathComponent("extra.npy").path)", "--library", "reference",
        ])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("tessera: \(bad.path): ") && result.stderr.contains("SequenceProto"), "\(result.stderr)")
    }
}
