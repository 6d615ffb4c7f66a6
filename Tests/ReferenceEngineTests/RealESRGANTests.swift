import Foundation
import InferenceRuntime
import ONNXModel
import ReferenceEngine
import Testing
import TesseraTestSupport

@Suite("An imported Real-ESRGAN model on the reference engine matches ONNX Runtime")
struct RealESRGANTests {
    @Test("realesr-animevideov3-x4, imported with `tessera import`, on a 64×64 input")
    func animeVideoX4() async throws {
        let folder = try Fixtures.temporaryDirectory("reference-esrgan")
        defer { try? FileManager.default.removeItem(at: folder) }
        let onnx = try Fixtures.importedModel("realesr-animevideov3-x4", into: folder)

        var generator = SeededGenerator(seed: 5)
        let input = try Tensor(shape: [1, 3, 64, 64], scalars: (0..<(3 * 64 * 64)).map { _ in Float.random(in: 0..<1, using: &generator) })
        let inputs = folder.appendingPathComponent("inputs")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)

        let engine = ReferenceBackend()
        let session = try await engine.makeSession(model: onnx, device: try #require(engine.devices().first), options: SessionOptions(threads: 2))
        let inputName = try #require(session.inputs.first?.name)
        let outputName = try #require(session.outputs.first?.name)
        try StoredTensor(name: inputName, tensor: input).serializedBytes().write(to: inputs.appendingPathComponent("input_0.pb"))
        _ = try runPython("Tests/Oracles/ort_run.py", [onnx.path, inputs.path, folder.appendingPathComponent("ort").path])
        let expected = try StoredTensor(serializedBytes: Data(contentsOf: folder.appendingPathComponent("ort/output_0.pb"))).tensor

        let actual = try #require(try session.run([inputName: input])[outputName])
        #expect(actual.shape == [1, 3, 256, 256])
        let comparison = actual.compare(to: expected, tolerance: Tolerance(relative: 1e-4, absolute: 1e-5))
        print("realesr-animevideov3-x4 64×64: max |error| \(comparison.maxAbsoluteError)")
        #expect(comparison.passed, "\(comparison.failure ?? "")")

        // The same against ONNX Runtime with the engine's own GEMM, not OpenBLAS (set-up installs
        // it, so the run above took the OpenBLAS route).
        let builtin = try runProcess(
            try TesseraBinary.url(),
            ["verify", onnx.path, "--library", "reference,onnxruntime", "--input-shape", "\(inputName)=1x3x48x40",
             "--inputs", "random:3", "--tolerance", "atol=1e-5,rtol=1e-4", "--threads", "2"],
            environment: ["TESSERA_REFERENCE_GEMM": "builtin"])
        #expect(builtin.status == 0, "\(builtin.stdout)\n\(builtin.stderr)")
    }
}
