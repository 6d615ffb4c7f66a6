import Foundation
import ModelTools
import ONNXModel
import Tessera
import Testing
import TesseraTestSupport

@Suite("Importing the Real-ESRGAN ncnn models reproduces ncnn's output on ONNX Runtime")
struct RealESRGANImportTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var size: Int
        var scale: Double
        var opset = 17
        var testDescription: String { "\(name) at \(size)×\(size), opset \(opset)" }
    }

    static let cases = [
        Case(name: "realesr-animevideov3-x2", size: 32, scale: 2, opset: 13),
        Case(name: "realesr-animevideov3-x3", size: 32, scale: 3),
        Case(name: "realesr-animevideov3-x4", size: 32, scale: 4),
        Case(name: "realesrgan-x4plus-anime", size: 32, scale: 4, opset: 21),
        // 16.7 M parameters: a 16×16 input keeps the test short.
        Case(name: "realesrgan-x4plus", size: 16, scale: 4),
    ]

    @Test("ORT output of the imported model matches ncnn (PSNR ≥ 50 dB)", arguments: cases)
    func matchesNCNN(_ item: Case) async throws {
        let (param, bin) = try NCNNTestSupport.files(item.name)
        let folder = try Fixtures.temporaryDirectory("ncnn-import")
        defer { try? FileManager.default.removeItem(at: folder) }
        let onnx = folder.appendingPathComponent("\(item.name).onnx")
        let (result, manifest) = try NCNNImporter.importAndWrite(
            param: param, weights: bin, output: onnx, options: NCNNImportOptions(opset: item.opset))
        #expect(Double(manifest.scale) == item.scale)
        try result.model.validate()
        #expect(result.model.opsetVersion(for: "") == item.opset)
        if let factor = Int(exactly: item.scale) {
            let dims = result.model.graph.outputs.first?.type?.tensorType?.dims
            #expect(dims == [.symbol("N"), 3, try Dim.symbol("H").multiplied(by: factor), try Dim.symbol("W").multiplied(by: factor)])
        }
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("\(item.name).json").path))

        var generator = SeededGenerator(seed: 11)
        let count = 3 * item.size * item.size
        let values = (0..<count).map { _ in Float.random(in: 0..<1, using: &generator) }
        let input = try Tensor(shape: [1, 3, item.size, item.size], scalars: values)
        let inputNPY = folder.appendingPathComponent("input.npy")
        let oracleNPY = folder.appendingPathComponent("ncnn.npy")
        try input.npyData().write(to: inputNPY)
        _ = try runPython("Tests/Oracles/ncnn_run.py", [
            param.path, bin.path, inputNPY.path, oracleNPY.path, result.inputName, result.outputName,
        ])
        let expected = try Tensor(npy: Data(contentsOf: oracleNPY))

        let outputs = try await NCNNTestSupport.runONNXRuntime(model: onnx, input: result.inputName, tensor: input)
        let actual = try #require(outputs[result.outputName])
        let side = Int(Double(item.size) * item.scale)
        #expect(actual.shape == [1, 3, side, side])
        #expect(expected.shape == actual.shape)
        let psnr = NCNNTestSupport.psnr(try actual.scalars(as: Float.self), try expected.scalars(as: Float.self))
        print("\(item.name) \(item.size)×\(item.size): PSNR ONNX Runtime vs ncnn = \(psnr) dB")
        #expect(psnr >= 50)
    }

    @Test("--fp16 stores float16 initializers behind Cast nodes and gives the same output")
    func float16Weights() async throws {
        let (param, bin) = try NCNNTestSupport.files("realesr-animevideov3-x4")
        let folder = try Fixtures.temporaryDirectory("ncnn-import")
        defer { try? FileManager.default.removeItem(at: folder) }
        let plain = folder.appendingPathComponent("plain.onnx")
        let half = folder.appendingPathComponent("half.onnx")
        let a = try NCNNImporter.importAndWrite(param: param, weights: bin, output: plain).result
        let b = try NCNNImporter.importAndWrite(
            param: param, weights: bin, output: half, options: NCNNImportOptions(opset: 13, float16Weights: true)).result
        #expect(b.model.graph.initializers.contains { $0.tensor.dataType == .float16 })
        #expect(b.model.graph.nodes.contains { $0.opType == "Cast" })
        let input = try Tensor(shape: [1, 3, 16, 16], scalars: (0..<768).map { Float($0 % 17) / 17 })
        let x = try await NCNNTestSupport.runONNXRuntime(model: plain, input: a.inputName, tensor: input)[a.outputName]
        let y = try await NCNNTestSupport.runONNXRuntime(model: half, input: b.inputName, tensor: input)[b.outputName]
        let psnr = NCNNTestSupport.psnr(
            try #require(x).scalars(as: Float.self), try #require(y).scalars(as: Float.self))
        // The float16 convolution weights round-trip exactly; the float32 biases and PReLU slopes
        // are rounded to float16, which costs a little (about 85 dB here).
        print("realesr-animevideov3-x4 --fp16 vs float32 weights: PSNR = \(psnr) dB")
        #expect(psnr >= 70)
    }

    @Test("Every discovered backend runs the imported x4 model and matches ncnn")
    func everyBackend() async throws {
        let (param, bin) = try NCNNTestSupport.files("realesr-animevideov3-x4")
        let folder = try Fixtures.temporaryDirectory("ncnn-import")
        defer { try? FileManager.default.removeItem(at: folder) }
        let onnx = folder.appendingPathComponent("x4.onnx")
        let result = try NCNNImporter.importAndWrite(param: param, weights: bin, output: onnx).result
        var generator = SeededGenerator(seed: 12)
        let input = try Tensor(shape: [1, 3, 24, 24], scalars: (0..<1728).map { _ in Float.random(in: 0..<1, using: &generator) })
        let inputNPY = folder.appendingPathComponent("input.npy")
        let oracleNPY = folder.appendingPathComponent("ncnn.npy")
        try input.npyData().write(to: inputNPY)
        _ = try runPython("Tests/Oracles/ncnn_run.py", [param.path, bin.path, inputNPY.path, oracleNPY.path])
        let expected = try Tensor(npy: Data(contentsOf: oracleNPY)).scalars(as: Float.self)
        let backends = BackendCatalog.discover().backends
        #expect(!backends.isEmpty)
        for backend in backends {
            let device = try #require(backend.devices().first { $0.kind == .cpu })
            let session = try await backend.makeSession(model: onnx, device: device, options: SessionOptions(precision: .accurate))
            let output = try #require(try session.run([result.inputName: input])[result.outputName])
            let psnr = NCNNTestSupport.psnr(try output.scalars(as: Float.self), expected)
            print("realesr-animevideov3-x4 on \(backend.id): PSNR vs ncnn = \(psnr) dB")
            #expect(psnr >= 50, "\(backend.id)")
        }
    }
}
