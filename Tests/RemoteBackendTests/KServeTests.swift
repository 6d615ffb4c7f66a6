import Foundation
import InferenceRuntime
import ONNXModel
import RemoteBackend
import Testing
import TesseraTestSupport

/// The remote backend against the KServe ModelServer on 127.0.0.1 (an independent
/// implementation of the protocol), serving the SRVGG ×4 model through onnxruntime.
@Suite("Remote backend against KServe", .serialized)
struct KServeTests {
    @Test("Tiles through KServe (binary and JSON) equal the local ONNX Runtime's")
    func matchesLocal() async throws {
        let folder = try Fixtures.temporaryDirectory("kserve")
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try await KServeServer.start(model: try ServingFixture.model(), name: "srvgg", in: folder)
        defer { server.kill() }

        let binary = try RemoteEndpoint(server.httpURL.absoluteString, model: "srvgg")
        var json = binary
        json.binaryTensors = false
        let remote = await RemoteBackend.connect([binary, json])
        #expect(remote.failures.isEmpty, "\(remote.failures)")
        #expect(remote.connections.first?.server.name == "kserve")

        let local = try await ServingFixture.localSession()
        for device in remote.devices() {
            let session = try await remote.makeSession(model: try ServingFixture.model(), device: device, options: SessionOptions())
            let tile = try ServingFixture.tile(height: 20, width: 28, seed: 5)
            let served = try #require(try await ServingFixture.run(session, ["input": tile])["output"])
            let expected = try #require(try await ServingFixture.run(local, ["input": tile])["output"])
            let difference = try ServingFixture.maxDifference(served, expected)
            #expect(difference <= 1e-5, "\(device.id): max |remote − local| = \(difference)")
        }
    }

    @Test("Metadata that disagrees with the model makes the pair unusable, with the endpoint and the reason")
    func metadataMismatch() async throws {
        let folder = try Fixtures.temporaryDirectory("kserve")
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try await KServeServer.start(model: try ServingFixture.model(), name: "srvgg", inputType: "INT64", in: folder)
        defer { server.kill() }

        let remote = await RemoteBackend.connect([try RemoteEndpoint(server.httpURL.absoluteString, model: "srvgg")])
        let device = try ServingFixture.device(of: remote)
        let summary = ModelSummary(model: try Model(contentsOf: try ServingFixture.model()), schemas: try OperatorSchemas.standard())
        let report = remote.capability(of: summary, on: device)
        #expect(report.verdict == .unsupported)
        let reason = report.findings.map(\.description).joined()
        #expect(reason.contains(server.httpURL.absoluteString) && reason.contains("input 'input' is INT64 on the server, FP32"))
    }
}
