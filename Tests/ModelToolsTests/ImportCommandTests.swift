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
