import Foundation
import ONNXModel
import TensorCore
import Testing
import TesseraTestSupport

/// `tessera run` with maps on ONNX Runtime: ZipMap's sequences of maps written as numbered
/// folders of keys.npy and values.npy or as .pb, a DictVectorizer's map input read from a
/// MapProto, a map passed straight through; expected values from onnxruntime's Python API
/// (Tests/Oracles/map_model.py). The reference engine refuses a map naming it.
@Suite("tessera run: maps")
struct RunMapValuesTests {
    static func value(_ folder: URL, _ file: String, _ info: ValueInfo) throws -> ModelValue {
        let data = try Data(contentsOf: folder.appendingPathComponent("test_data_set_0/\(file)"))
        return try ModelValue(serializedBytes: data, type: try #require(info.type))
    }

    @Test("ZipMap's outputs as folders of keys.npy and values.npy, then as .pb; the reference engine refuses them")
    func zipMap() throws {
        let root = try Fixtures.temporaryDirectory("run-maps")
        defer { try? FileManager.default.removeItem(at: root) }
        _ = try runPython("Tests/Oracles/map_model.py", [root.path])
        let folder = root.appendingPathComponent("zipmap")
        let model = folder.appendingPathComponent("model.onnx").path
        let graph = try Model(contentsOf: URL(fileURLWithPath: model)).graph
        let input = ["--input", "probabilities=\(folder.appendingPathComponent("test_data_set_0/input_0.pb").path)"]
        guard case .mapSequence(let byID) = try Self.value(folder, "output_0.pb", graph.outputs[0]) else {
            throw Failure("output_0.pb is not a sequence of maps")
        }

        let npyOut = root.appendingPathComponent("out-npy")
        let npy = try TesseraBinary.run(["run", model] + input + ["--library", "onnxruntime", "--output-dir", npyOut.path])
        #expect(npy.status == 0, "\(npy.stderr)")
        #expect(npy.stdout.contains("seq(map(int64,float))"), "\(npy.stdout)")
        for (index, want) in byID.enumerated() {
            let keys = try Tensor(npy: Data(contentsOf: npyOut.appendingPathComponent("by_id/\(index)/keys.npy")))
            let values = try Tensor(npy: Data(contentsOf: npyOut.appendingPathComponent("by_id/\(index)/values.npy")))
            #expect(try TensorMap(keys: keys, values: values).compare(to: want, tolerance: .exact) == nil, "by_id[\(index)]")
        }
        // String keys are NumPy fixed-width unicode: "cat", "dog", "owl" as <U3.
        let names = try Data(contentsOf: npyOut.appendingPathComponent("by_name/0/keys.npy"))
        #expect(String(decoding: names.prefix(128), as: UTF8.self).contains("'descr': '<U3'"))
        #expect(names.count % 64 == 3 * 3 * 4 % 64)

        let pbOut = root.appendingPathComponent("out-pb")
        let pb = try TesseraBinary.run(
            ["run", model] + input + ["--library", "onnxruntime", "--output-dir", pbOut.path, "--output-format", "pb"])
        #expect(pb.status == 0, "\(pb.stderr)")
        for (index, output) in graph.outputs.enumerated() {
            let written = try ModelValue(
                serializedBytes: Data(contentsOf: pbOut.appendingPathComponent("\(output.name).pb")), type: try #require(output.type))
            #expect(written.compare(to: try Self.value(folder, "output_\(index).pb", output), tolerance: .exact) == nil, "\(output.name)")
        }
        // onnx's own reader sees the same maps in Tessera's files as in onnxruntime's.
        let script = """
            import sys, onnx
            from onnx import numpy_helper
            def maps(path):
                sequence = onnx.SequenceProto()
                sequence.ParseFromString(open(path, "rb").read())
                assert sequence.elem_type == onnx.SequenceProto.MAP, sequence.elem_type
                return [{k: float(v) for k, v in m.items()} for m in numpy_helper.to_list(sequence)]
            for name, index in (("by_id", 0), ("by_name", 1)):
                ours, theirs = maps(f"{sys.argv[1]}/{name}.pb"), maps(f"{sys.argv[2]}/output_{index}.pb")
                assert ours == theirs, (name, ours, theirs)
            """
        let check = try runProcess(
            try Fixtures.python(), ["-c", script, pbOut.path, folder.appendingPathComponent("test_data_set_0").path])
        #expect(check.status == 0, "\(check.stderr)")
    }

    @Test("A map in and out on ONNX Runtime; the reference engine refuses the model naming the map")
    func passthrough() throws {
        let root = try Fixtures.temporaryDirectory("run-map-passthrough")
        defer { try? FileManager.default.removeItem(at: root) }
        _ = try runPython("Tests/Oracles/map_model.py", [root.path])
        let folder = root.appendingPathComponent("passthrough")
        let model = folder.appendingPathComponent("model.onnx").path
        let graph = try Model(contentsOf: URL(fileURLWithPath: model)).graph
        let input = ["--input", "labels=\(folder.appendingPathComponent("test_data_set_0/input_0.pb").path)"]
        let out = root.appendingPathComponent("out")
        let result = try TesseraBinary.run(["run", model] + input + ["--library", "onnxruntime", "--output-dir", out.path, "--output-format", "pb"])
        #expect(result.status == 0, "\(result.stderr)")
        let written = try ModelValue(serializedBytes: Data(contentsOf: out.appendingPathComponent("labels.pb")), type: try #require(graph.outputs[0].type))
        #expect(written.compare(to: try Self.value(folder, "output_0.pb", graph.outputs[0]), tolerance: .exact) == nil, "\(written.summary)")

        // The map as NumPy wrote it (string keys as <U3) in, and as .npy out: keys sorted by ORT.
        let npyOut = root.appendingPathComponent("out-npy")
        let fromFolder = try TesseraBinary.run([
            "run", model, "--input", "labels=\(folder.appendingPathComponent("labels").path)", "--library", "onnxruntime",
            "--output-dir", npyOut.path,
        ])
        #expect(fromFolder.status == 0, "\(fromFolder.stderr)")
        let keys = try Tensor(npy: Data(contentsOf: npyOut.appendingPathComponent("labels/keys.npy")))
        let values = try Tensor(npy: Data(contentsOf: npyOut.appendingPathComponent("labels/values.npy")))
        #expect(ModelValue.map(try TensorMap(keys: keys, values: values)).compare(to: try Self.value(folder, "output_0.pb", graph.outputs[0]), tolerance: .exact) == nil)
        #expect(keys.strings == [Data("cat".utf8), Data("owl".utf8)])

        // The graph has no nodes, so nothing but the map interface stands in the reference engine's way.
        let reference = try TesseraBinary.run(["run", model] + input + ["--library", "reference"])
        #expect(reference.status == 1)
        #expect(reference.stderr.contains("'labels' is map(string,float[])") && reference.stderr.contains("not maps"), "\(reference.stderr)")
    }

    @Test("A map input from a MapProto; a malformed MapProto is one line naming the file, exit status 1")
    func dictVectorizer() throws {
        let root = try Fixtures.temporaryDirectory("run-map-input")
        defer { try? FileManager.default.removeItem(at: root) }
        _ = try runPython("Tests/Oracles/map_model.py", [root.path])
        let folder = root.appendingPathComponent("dictvectorizer")
        let model = folder.appendingPathComponent("model.onnx").path
        let graph = try Model(contentsOf: URL(fileURLWithPath: model)).graph
        let out = root.appendingPathComponent("out")
        let result = try TesseraBinary.run([
            "run", model, "--input", "features=\(folder.appendingPathComponent("test_data_set_0/input_0.pb").path)",
            "--library", "onnxruntime", "--output-dir", out.path,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let expected = try #require(try Self.value(folder, "output_0.pb", graph.outputs[0]).tensor)
        let vector = try Tensor(npy: Data(contentsOf: out.appendingPathComponent("vector.npy")))
        #expect(vector.compare(to: expected, tolerance: .exact).failure == nil)

        let bad = root.appendingPathComponent("bad.pb")
        try Data([0x10, 0x07, 0x18]).write(to: bad)  // key_type int64, then a key cut off
        let refused = try TesseraBinary.run(["run", model, "--input", "features=\(bad.path)", "--library", "onnxruntime"])
        #expect(refused.status == 1)
        #expect(refused.stderr.hasPrefix("tessera: \(bad.path): ") && refused.stderr.contains("MapProto"), "\(refused.stderr)")
    }

    @Test("tessera conformance judges map cases: all three pass on ONNX Runtime, the reference engine refuses them")
    func conformance() throws {
        let root = try Fixtures.temporaryDirectory("conformance-maps")
        defer { try? FileManager.default.removeItem(at: root) }
        _ = try runPython("Tests/Oracles/map_model.py", [root.appendingPathComponent("node").path])
        let ort = try TesseraBinary.run(["conformance", "--data", root.path, "--library", "onnxruntime"])
        #expect(ort.status == 0, "\(ort.stderr)")
        #expect(ort.stdout.contains("3 passed, 0 failed, 0 unsupported, 0 skipped of 3"), "\(ort.stdout)")
        let reference = try TesseraBinary.run(["conformance", "--data", root.path, "--library", "reference"])
        #expect(reference.stdout.contains("0 passed, 0 failed, 3 unsupported, 0 skipped of 3"), "\(reference.stdout)")
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
