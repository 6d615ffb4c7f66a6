import Foundation
import Testing
import TesseraTestSupport

/// `tessera import`, then `tessera upscale` of a photo, for every Real-CUGAN and SPAN model: the
/// output is exactly scale × the input, and both a whole-image run and a run in 64-pixel tiles
/// match ncnn running the original model on the mirror-padded photo (as Real-CUGAN's program pads).
@Suite("Real-CUGAN and SPAN models upscale a photo end to end")
struct ZooUpscaleTests {
    struct Comparison: Decodable {
        var ours: [Int]
        var psnr: Double?
        var max_diff: Double?
        var also: [Comparison]?
    }

    @Test("upscale gives scale × the photo; whole and tiled (tile 64) runs match ncnn", arguments: ZooModels.all)
    func upscale(_ model: ZooModels.Model) throws {
        let (param, bin) = try model.files()
        let folder = try Fixtures.temporaryDirectory("zoo-upscale")
        defer { try? FileManager.default.removeItem(at: folder) }
        let onnx = folder.appendingPathComponent("\(model.name).onnx")
        let imported = try TesseraBinary.run(["import", param.path, bin.path, "-o", onnx.path])
        try #require(imported.status == 0, "\(imported.stderr)")

        // A crop of a face that 64-pixel tiles cut in two columns and two rows, with sides every
        // model accepts as they are (Real-CUGAN ×3 wants multiples of 4), so that no edge padding
        // beyond the mirror makes Tessera's input differ from the oracle's.
        let (width, height) = (92, 76)
        let photo = folder.appendingPathComponent("photo.png")
        _ = try runPython("Tests/Oracles/photo_input.py", [
            try Fixtures.samplePhoto("astronaut.png").path, "170", "50", "\(width)", "\(height)",
            folder.appendingPathComponent("photo.npy").path, "--png", photo.path,
        ])
        let manifest = onnx.deletingPathExtension().appendingPathExtension("json").path
        var outputs: [URL] = []
        for tile in [1024, 64] {
            let output = folder.appendingPathComponent("x\(tile).png")
            let run = try TesseraBinary.run([
                "upscale", photo.path, "--model", manifest, "-o", output.path, "--tile", "\(tile)", "--library", "onnxruntime",
            ])
            try #require(run.status == 0, "\(run.stderr)")
            outputs.append(output)
        }
        let json = try runPython("Tests/Oracles/ncnn_upscale.py", [
            param.path, bin.path, photo.path, outputs[0].path, "--also", outputs[1].path, "--pad", "\(model.border)",
            "--blobs", model.blobs.input, model.blobs.output,
        ])
        let whole = try JSONDecoder().decode(Comparison.self, from: Data(json.utf8))
        let tiled = try #require(whole.also?.first)
        print("\(model.path): whole vs ncnn \(whole.psnr ?? .infinity) dB, max \(whole.max_diff ?? -1); tiled \(tiled.psnr ?? .infinity) dB, max \(tiled.max_diff ?? -1)")
        #expect(whole.ours == [height * model.scale, width * model.scale, 3])
        #expect(tiled.ours == whole.ours)
        // Both are 8-bit roundings of float32 results: one step apart at most.
        #expect((whole.max_diff ?? .infinity) <= 1)
        if model.globalPooling {
            withKnownIssue("squeeze-excitation averages over each tile, not the whole image (no synchronized pass yet)", isIntermittent: true) {
                #expect((tiled.max_diff ?? .infinity) <= 1)
            }
        } else {
            #expect((tiled.max_diff ?? .infinity) <= 1)
        }
    }
}
