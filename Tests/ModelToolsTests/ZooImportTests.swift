import Foundation
import ModelTools
import Testing
import TesseraTestSupport

/// Every Real-CUGAN and SPAN model of the two wheels: imported (scale and border measured into the
/// manifest), then run by ONNX Runtime on a crop of a real photo and compared with the ncnn runtime
/// running the original files.
@Suite("Real-CUGAN and SPAN ncnn models import and match ncnn")
struct ZooImportTests {
    @Test("the manifest has the model's scale and border; ONNX Runtime matches ncnn at ≥ 50 dB on a photo", arguments: ZooModels.all)
    func matchesNCNN(_ model: ZooModels.Model) async throws {
        let (param, bin) = try model.files()
        let folder = try Fixtures.temporaryDirectory("zoo-import")
        defer { try? FileManager.default.removeItem(at: folder) }
        let onnx = folder.appendingPathComponent("\(model.name).onnx")
        let (result, manifest) = try NCNNImporter.importAndWrite(param: param, weights: bin, output: onnx)
        #expect(manifest.scale == model.scale)
        #expect((manifest.tiling.border ?? 0) == model.border)
        #expect(result.inputName == model.blobs.input && result.outputName == model.blobs.output)

        // The smallest crop with 24 output pixels per scale step, at a side the network accepts.
        let multiple = manifest.tiling.multipleOf
        let side = (2 * model.border + 24 + multiple - 1) / multiple * multiple
        let inputNPY = folder.appendingPathComponent("input.npy")
        let oracleNPY = folder.appendingPathComponent("ncnn.npy")
        _ = try runPython("Tests/Oracles/photo_input.py", [
            try Fixtures.samplePhoto("astronaut.png").path, "180", "60", "\(side)", "\(side)", inputNPY.path,
        ])
        _ = try runPython("Tests/Oracles/ncnn_run.py", [
            param.path, bin.path, inputNPY.path, oracleNPY.path, model.blobs.input, model.blobs.output,
        ])
        let input = try Tensor(npy: Data(contentsOf: inputNPY))
        let expected = try Tensor(npy: Data(contentsOf: oracleNPY))
        let actual = try #require(try await NCNNTestSupport.runONNXRuntime(model: onnx, input: result.inputName, tensor: input)[result.outputName])
        let outputSide = model.scale * (side - 2 * model.border)
        #expect(expected.shape == [1, 3, outputSide, outputSide])
        #expect(actual.shape == expected.shape)
        let psnr = NCNNTestSupport.psnr(try actual.scalars(as: Float.self), try expected.scalars(as: Float.self))
        print("\(model.path) at \(side)×\(side): PSNR ONNX Runtime vs ncnn = \(String(format: "%.1f", psnr)) dB")
        #expect(psnr >= 50)
    }
}
