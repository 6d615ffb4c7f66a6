import Foundation
import Tessera
import Testing
import TesseraTestSupport

@Suite("ONNX Runtime and OpenVINO agree")
struct CrossLibraryTests {
    @Test("A Real-ESRGAN-class network (SRVGG ×4) gives the same output on both libraries within 1e-4 relative")
    func srvggAgreement() async throws {
        let model = Fixtures.repositoryRoot.appendingPathComponent("fixtures/srvgg-x4.onnx")
        guard FileManager.default.fileExists(atPath: model.path) else {
            throw Fixtures.Missing(what: "the SRVGG fixture", path: model.path)
        }
        var generator = SeededGenerator(seed: 5)
        let values = (0..<(3 * 64 * 64)).map { _ in Float.random(in: 0..<1, using: &generator) }
        let input = ["input": try Tensor(shape: [1, 3, 64, 64], scalars: values)]

        var outputs: [BackendID: [Float]] = [:]
        for backend in BackendCatalog.discover().backends {
            let device = try #require(backend.devices().first { $0.kind == .cpu })
            let session = try await backend.makeSession(
                model: model, device: device, options: SessionOptions(precision: .accurate))
            let output = try #require(try session.run(input)["output"])
            #expect(output.shape == [1, 3, 256, 256])
            outputs[backend.id] = try output.scalars(as: Float.self)
        }
        let ort = try #require(outputs[.onnxRuntime])
        let ov = try #require(outputs[.openVINO])
        let largest = ort.map(abs).max() ?? 0
        let worst = zip(ort, ov).map { abs($0 - $1) }.max() ?? .infinity
        print("SRVGG ×4 on 64×64: max |ORT − OpenVINO| = \(worst), largest output \(largest)")
        #expect(largest > 0.1, "the network should not collapse to zeros")
        #expect(worst / largest <= 1e-4)
    }
}
