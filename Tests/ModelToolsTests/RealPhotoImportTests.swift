import Foundation
import ModelTools
import Testing
import TesseraTestSupport

/// The issue's bar for the importer: on real photographs (scikit-image's sample photos, decoded by
/// Pillow), every imported Real-ESRGAN model on ONNX Runtime matches the ncnn runtime running the
/// original .param/.bin at PSNR ≥ 50 dB.
@Suite("Imported Real-ESRGAN models match ncnn on real photos")
struct RealPhotoImportTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var model: String
        var photo: String
        var x: Int
        var y: Int
        var size: Int
        var testDescription: String { "\(model) on \(photo) \(size)×\(size)+\(x)+\(y)" }
    }

    /// A face, a cup and a cat's fur; the 16.7 M-parameter x4plus gets smaller crops to keep the run short.
    static let cases: [Case] = ["realesr-animevideov3-x2", "realesr-animevideov3-x3", "realesr-animevideov3-x4", "realesrgan-x4plus-anime"]
        .flatMap { model in
            [
                Case(model: model, photo: "astronaut.png", x: 160, y: 40, size: 96),
                Case(model: model, photo: "coffee.png", x: 220, y: 120, size: 96),
            ]
        } + [
            Case(model: "realesrgan-x4plus", photo: "astronaut.png", x: 190, y: 80, size: 48),
            Case(model: "realesrgan-x4plus", photo: "chelsea.png", x: 150, y: 100, size: 48),
        ]

    @Test("PSNR of ONNX Runtime's output against ncnn's ≥ 50 dB", arguments: cases)
    func matchesNCNN(_ item: Case) async throws {
        let (param, bin) = try NCNNTestSupport.files(item.model)
        let folder = try Fixtures.temporaryDirectory("photo-import")
        defer { try? FileManager.default.removeItem(at: folder) }
        let onnx = folder.appendingPathComponent("\(item.model).onnx")
        let result = try NCNNImporter.importAndWrite(param: param, weights: bin, output: onnx).result

        let inputNPY = folder.appendingPathComponent("input.npy")
        let oracleNPY = folder.appendingPathComponent("ncnn.npy")
        _ = try runPython("Tests/Oracles/photo_input.py", [
            try Fixtures.samplePhoto(item.photo).path, "\(item.x)", "\(item.y)", "\(item.size)", "\(item.size)", inputNPY.path,
        ])
        _ = try runPython("Tests/Oracles/ncnn_run.py", [
            param.path, bin.path, inputNPY.path, oracleNPY.path, result.inputName, result.outputName,
        ])
        let input = try Tensor(npy: Data(contentsOf: inputNPY))
        let expected = try Tensor(npy: Data(contentsOf: oracleNPY))
        let outputs = try await NCNNTestSupport.runONNXRuntime(model: onnx, input: result.inputName, tensor: input)
        let actual = try #require(outputs[result.outputName])
        #expect(actual.shape == expected.shape)
        let psnr = NCNNTestSupport.psnr(try actual.scalars(as: Float.self), try expected.scalars(as: Float.self))
        print("\(item.testDescription): PSNR ONNX Runtime vs ncnn = \(String(format: "%.1f", psnr)) dB")
        #expect(psnr >= 50)
    }
}
