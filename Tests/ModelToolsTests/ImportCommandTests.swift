import Foundation
import Testing
import TesseraTestSupport

@Suite("tessera import, end to end")
struct ImportCommandTests {
    @Test("import writes the model and manifest; inspect reads the model")
    func importThenInspect() throws {
        let (param, bin) = try NCNNTestSupport.files("realesr-animevideov3-x2")
        let folder = try Fixtures.temporaryDirectory("ncnn-cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("out.onnx")
        let result = try TesseraBinary.run(["import", param.path, bin.path, "-o", output.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: output.path))
        let manifestData = try Data(contentsOf: folder.appendingPathComponent("out.json"))
        let manifest = try #require(try JSONSerialization.jsonObject(with: manifestData) as? [String: Any])
        #expect(manifest["scale"] as? Double == 2)
        #expect(manifest["id"] as? String == "out")
        #expect(manifest["task"] as? String == "upscale")

        let inspect = try TesseraBinary.run(["inspect", output.path, "--json"])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.stdout.contains("DepthToSpace"))
    }

    @Test("a bad --opset is a usage error (exit 2); a missing file is an error (exit 1) with no output")
    func failures() throws {
        let folder = try Fixtures.temporaryDirectory("ncnn-cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("out.onnx")
        let usage = try TesseraBinary.run(["import", "a.param", "a.bin", "-o", output.path, "--opset", "9"])
        #expect(usage.status == 2)
        let missing = try TesseraBinary.run(["import", folder.appendingPathComponent("nope.param").path, "x.bin", "-o", output.path])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("nope.param"))
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }
}

@Suite("tessera import reads .param files as ncnn's own parser does")
struct ImportParamWhitespaceTests {
    @Test("Windows line ends, stray spaces and tabs, and blank lines import to the same ONNX graph as the original")
    func windowsLineEndsAndStrayWhitespace() throws {
        let (param, bin) = try NCNNTestSupport.files("realesr-animevideov3-x2")
        let folder = try Fixtures.temporaryDirectory("ncnn-crlf")
        defer { try? FileManager.default.removeItem(at: folder) }
        // Same file name in two folders, so nothing derived from the name can differ.
        let originalFolder = folder.appendingPathComponent("original")
        let mangledFolder = folder.appendingPathComponent("mangled")
        for sub in [originalFolder, mangledFolder] { try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true) }
        let lines = try String(contentsOf: param, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(!lines.contains { $0.contains("\r") })
        // Every line gets trailing spaces and a tab and a CRLF; layer lines a leading tab; blank lines
        // (one holding only whitespace) after the header and every tenth layer.
        var mangled = ""
        for (index, line) in lines.enumerated() where !line.isEmpty {
            mangled += (index >= 2 ? "\t" : "") + line + "  \t\r\n"
            if index == 1 || (index > 2 && index % 10 == 0) { mangled += "\r\n \t\r\n" }
        }
        let mangledParam = mangledFolder.appendingPathComponent(param.lastPathComponent)
        try Data(mangled.utf8).write(to: mangledParam)

        var outputs: [URL] = []
        for (source, target) in [(param, originalFolder), (mangledParam, mangledFolder)] {
            let output = target.appendingPathComponent("model.onnx")
            let result = try TesseraBinary.run(["import", source.path, bin.path, "-o", output.path])
            #expect(result.status == 0, "\(result.stderr)")
            outputs.append(output)
        }
        let pairs = folder.appendingPathComponent("pairs.json")
        try JSONSerialization.data(withJSONObject: [outputs.map(\.path)]).write(to: pairs)
        struct Comparison: Decodable {
            struct Mismatch: Decodable { var reason: String }
            var compared: Int
            var mismatches: [Mismatch]
        }
        let comparison = try JSONDecoder().decode(
            Comparison.self, from: Data(try runPython("Tests/Oracles/compare_models.py", [pairs.path]).utf8))
        #expect(comparison.compared == 1)
        #expect(comparison.mismatches.isEmpty, "\(comparison.mismatches.map(\.reason))")
    }
}
