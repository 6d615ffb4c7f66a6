import Foundation
import ModelTools
import Testing
import TesseraTestSupport

/// Every Real-CUGAN and SPAN model of the two wheels: imported (scale and border measured into the
/// manifest), run by ONNX Runtime on a crop of a real photo and compared with the ncnn runtime
/// running the original files, then used by `tessera upscale` on a photo in 64-pixel tiles and
/// compared with ncnn on the whole photo.
@Suite("Real-CUGAN and SPAN ncnn models import and match ncnn")
struct ZooImportTests {
    @Test("the manifest has the model's scale and border; ONNX Runtime matches ncnn (plus the nearest-neighbour input for a residual network) at ≥ 50 dB on a photo; upscale in 64-pixel tiles gives scale × the photo, within 1/255 of ncnn on the whole photo", arguments: ZooModels.all)
    func matchesNCNN(_ model: ZooModels.Model) async throws {
        let (param, bin) = try model.files()
        let folder = try Fixtures.temporaryDirectory("zoo-import")
        defer { try? FileManager.default.removeItem(at: folder) }
        let onnx = folder.appendingPathComponent("\(model.name).onnx")
        let (result, manifest) = try NCNNImporter.importAndWrite(param: param, weights: bin, output: onnx)
        #expect(manifest.scale == model.scale)
        #expect((manifest.tiling.border ?? 0) == model.border)
        #expect(result.inputName == model.blobs.input && result.outputName == model.blobs.output)
        #expect(result.addsNearestResidual == model.residual)

        // The smallest crop with 24 output pixels per scale step, at a side the network accepts.
        let multiple = manifest.tiling.multipleOf
        let side = (2 * model.border + 24 + multiple - 1) / multiple * multiple
        let input = try ZooImportTests.crop(side: side)
        let inputNPY = folder.appendingPathComponent("input.npy")
        let oracleNPY = folder.appendingPathComponent("ncnn.npy")
        try input.npyData().write(to: inputNPY)
        _ = try runPython("Tests/Oracles/ncnn_run.py", [
            param.path, bin.path, inputNPY.path, oracleNPY.path, model.blobs.input, model.blobs.output,
        ] + (model.residual ? ["--add-nearest", "\(model.scale)", "\(model.border)"] : []))
        let expected = try Tensor(npy: Data(contentsOf: oracleNPY))
        let actual = try #require(try await NCNNTestSupport.runONNXRuntime(model: onnx, input: result.inputName, tensor: input)[result.outputName])
        let outputSide = model.scale * (side - 2 * model.border)
        #expect(expected.shape == [1, 3, outputSide, outputSide])
        #expect(actual.shape == expected.shape)
        let psnr = NCNNTestSupport.psnr(try actual.scalars(as: Float.self), try expected.scalars(as: Float.self))
        print("\(model.path) at \(side)×\(side): PSNR ONNX Runtime vs ncnn = \(String(format: "%.1f", psnr)) dB")
        #expect(psnr >= 50)

        // End to end: the CLI upscales the photo in 64-pixel tiles to exactly scale × its size.
        let upscaled = folder.appendingPathComponent("upscaled.png")
        let run = try TesseraBinary.run([
            "upscale", try ZooModels.photo.get().path, "--model", folder.appendingPathComponent("\(model.name).json").path,
            "-o", upscaled.path, "--tile", "64", "--library", "onnxruntime",
        ])
        try #require(run.status == 0, "\(run.stderr)")
        #expect(try Self.pngSize(upscaled) == [ZooModels.photoSize.width * model.scale, ZooModels.photoSize.height * model.scale])
        // Tiled as it is, the picture equals ncnn's run of the original files on the whole
        // mirror-padded photo (its program's own padding) up to 8-bit rounding.
        struct Comparison: Decodable {
            var psnr: Double?
            var max_diff: Double?
        }
        let comparison = try JSONDecoder().decode(Comparison.self, from: Data(try runPython("Tests/Oracles/ncnn_upscale.py", [
            param.path, bin.path, try ZooModels.photo.get().path, upscaled.path, "--pad", "\(model.border)",
            "--blobs", model.blobs.input, model.blobs.output,
        ] + (model.residual ? ["--add-nearest", "\(model.scale)"] : [])).utf8))
        print("\(model.path): 64-pixel tiles vs ncnn on the whole photo = \(comparison.psnr ?? .infinity) dB, max \(comparison.max_diff ?? -1)")
        #expect((comparison.max_diff ?? .infinity) <= 1)
        #expect((comparison.psnr ?? 0) >= 50)
    }

    /// The top-left `side` × `side` of a 64×64 crop of a real photo (a face), as [1, 3, side, side].
    static func crop(side: Int) throws -> Tensor {
        let whole = try photoCrop.get()
        let values = try whole.scalars(as: Float.self)
        var result: [Float] = []
        for channel in 0..<3 {
            for y in 0..<side { result += values[(channel * 64 + y) * 64..<((channel * 64 + y) * 64 + side)] }
        }
        return try Tensor(shape: [1, 3, side, side], scalars: result)
    }

    /// Decoded once by Pillow for every case.
    private static let photoCrop: Result<Tensor, any Error> = Result {
        let folder = try Fixtures.temporaryDirectory("zoo-input")
        defer { try? FileManager.default.removeItem(at: folder) }
        let npy = folder.appendingPathComponent("crop.npy")
        _ = try runPython("Tests/Oracles/photo_input.py", [try Fixtures.samplePhoto("astronaut.png").path, "180", "60", "64", "64", npy.path])
        return try Tensor(npy: Data(contentsOf: npy))
    }

    /// Width and height from a PNG's header (the IHDR chunk right after the signature).
    static func pngSize(_ url: URL) throws -> [Int] {
        let bytes = [UInt8](try Data(contentsOf: url).prefix(24))
        guard bytes.count == 24 else { return [] }
        func int(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        return [int(16), int(20)]
    }
}
