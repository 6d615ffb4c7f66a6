import Foundation
import InferenceRuntime
import OpenVINOBackend
import TensorCore
import TesseraTestSupport
import Testing

/// Whole networks through Tessera's session, against two oracles run by
/// `Tests/Oracles/openvino_run.py`: Python's OpenVINO with the same f32 hint (the same library,
/// so 1e-5) and ONNX Runtime (an independent implementation, so 1e-4).
///
/// The oracle gives each model seeded random weights (the shipped ones are all 0.02) and removes
/// its final Softmax, so the comparison sees logits that depend on every weight.
@Suite("OpenVINO light models", .serialized)
struct LightModelTests {
    /// The `light` models, or a single name that fails the test when the fixture is missing.
    static let models: [String] = (try? Fixtures.lightModels().map { $0.lastPathComponent }) ?? ["light models missing"]

    @Test("logits equal Python OpenVINO's (1e-5) and ONNX Runtime's (1e-4)", arguments: models)
    func lightModel(_ fileName: String) async throws {
        let source = try Fixtures.lightModelsDirectory().appendingPathComponent(fileName)
        try #require(FileManager.default.fileExists(atPath: source.path), "\(fileName): run Scripts/setup.sh")
        let folder = try Fixtures.temporaryDirectory("ov-light")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try runPython("Tests/Oracles/openvino_run.py", ["light", source.path, folder.path, "--seed", "2024"])

        let session = try await OpenVINOFixtures.session(folder.appendingPathComponent("model.onnx"))
        let inputs = try OpenVINOFixtures.readTensors(in: folder, prefix: "input")
        let outputs = try session.run(Dictionary(uniqueKeysWithValues: inputs.map { ($0.name, $0.tensor) }))

        let sameLibrary = try OpenVINOFixtures.readTensors(in: folder, prefix: "openvino_output")
        let independent = try OpenVINOFixtures.readTensors(in: folder, prefix: "onnxruntime_output")
        try #require(!sameLibrary.isEmpty && sameLibrary.count == independent.count)
        for ((name, openVINO), (_, onnxRuntime)) in zip(sameLibrary, independent) {
            let actual = try #require(outputs[name], "\(fileName): output \(name) missing")
            #expect(try OpenVINOFixtures.largestMagnitude(openVINO) > 1e-3, "\(fileName): logits should not vanish")
            let viaPython = actual.compare(to: openVINO, tolerance: try OpenVINOFixtures.scaled(1e-5, to: openVINO))
            #expect(viaPython.passed, "\(fileName) vs Python OpenVINO: \(viaPython.failure ?? "")")
            let viaORT = actual.compare(to: onnxRuntime, tolerance: try OpenVINOFixtures.scaled(1e-4, to: onnxRuntime))
            #expect(viaORT.passed, "\(fileName) vs ONNX Runtime: \(viaORT.failure ?? "")")
            print(
                "\(fileName): max |Δ| vs OpenVINO (Python) \(viaPython.maxAbsoluteError), vs ONNX Runtime \(viaORT.maxAbsoluteError), "
                    + "largest logit \(try OpenVINOFixtures.largestMagnitude(onnxRuntime))")
        }
    }
}
