import Foundation
import InferenceRuntime
import ReferenceEngine
import Testing
import TesseraTestSupport

@Suite("The onnx wheel's light models with random weights match ONNX Runtime")
struct LightModelTests {
    static let models = [
        "light_bvlc_alexnet", "light_densenet121", "light_inception_v1", "light_inception_v2", "light_resnet50",
        "light_shufflenet", "light_squeezenet", "light_vgg19", "light_zfnet512",
    ]

    @Test("Logits before the final Softmax agree within 1e-4 of their range", arguments: models)
    func logits(_ name: String) async throws {
        let folder = try Fixtures.temporaryDirectory("light-\(name)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try Fixtures.lightModelsDirectory().appendingPathComponent("\(name).onnx")
        let names = try runPython("Tests/Oracles/light_model_oracle.py", [source.path, folder.path, "17"])
            .split(separator: "\n").map(String.init)
        let (inputName, outputName) = (try #require(names.first), try #require(names.last))
        let input = try Tensor(npy: Data(contentsOf: folder.appendingPathComponent("input.npy")))
        let expected = try Tensor(npy: Data(contentsOf: folder.appendingPathComponent("expected.npy")))

        let engine = ReferenceBackend()
        let device = try #require(engine.devices().first)
        let session = try await engine.makeSession(
            model: folder.appendingPathComponent("model.onnx"), device: device, options: SessionOptions(threads: 2))
        let actual = try #require(try session.run([inputName: input])[outputName])
        #expect(actual.shape == expected.shape)
        let got = try actual.doubleValues()
        let want = try expected.doubleValues()
        let range = want.map(abs).max() ?? 0
        let error = zip(got, want).map { abs($0 - $1) }.max() ?? .infinity
        print("\(name): max |error| \(error), largest logit \(range)")
        #expect(range > 1, "random weights give logits of a real spread")
        #expect(error <= 1e-4 * range)
    }
}
