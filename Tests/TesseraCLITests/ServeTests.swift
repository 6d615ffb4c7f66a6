import Foundation
import InferenceRuntime
import ONNXRuntimeBackend
import RemoteBackend
import Testing
import TesseraTestSupport

/// `tessera serve` on 127.0.0.1, serving the SRVGG ×4 model (`fixtures/srvgg-x4.onnx`), driven
/// by Tessera's own remote backend and by NVIDIA's tritonclient; the oracle is the same model on
/// the local ONNX Runtime.
@Suite("tessera serve", .serialized)
struct ServeTests {
    let model = Fixtures.repositoryRoot.appendingPathComponent("fixtures/srvgg-x4.onnx")

    private func localOutput(_ tile: Tensor) async throws -> Tensor {
        let discovery = ONNXRuntimeBackend.discover()
        let backend = try #require(discovery.backend)
        let session = try await backend.makeSession(model: model, device: try #require(backend.devices().first), options: SessionOptions())
        return try #require(try await Self.run(session, ["input": tile])["output"])
    }

    private func tile(seed: UInt64) throws -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return try Tensor(shape: [1, 3, 18, 26], scalars: (0..<(3 * 18 * 26)).map { _ in Float.random(in: 0..<1, using: &generator) })
    }

    /// Runs `session` on a thread of its own: the remote session blocks while it waits for a
    /// task of the cooperative pool, so it must not be called from the pool.
    private static func run(_ session: any Session, _ inputs: [String: Tensor]) async throws -> [String: Tensor] {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try session.run(inputs) }) }.start()
        }
    }

    private static func maxDifference(_ a: Tensor, _ b: Tensor) throws -> Float {
        #expect(a.shape == b.shape)
        return zip(try a.scalars(as: Float.self), try b.scalars(as: Float.self)).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    @Test("The remote backend (binary and JSON) and tritonclient get the local ONNX Runtime's output")
    func servesTensors() async throws {
        let folder = try Fixtures.temporaryDirectory("serve")
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try await TesseraServe.start(model: model, in: folder)
        defer { server.kill() }

        let binary = try RemoteEndpoint(server.httpURL.absoluteString, model: "srvgg-x4")
        var json = binary
        json.binaryTensors = false
        let remote = await RemoteBackend.connect([binary, json])
        #expect(remote.failures.isEmpty, "\(remote.failures)")
        #expect(remote.connections.first?.server.name == "tessera")
        #expect(remote.connections.first?.model.inputs.first?.name == "input")
        let input = try tile(seed: 11)
        let expected = try await localOutput(input)
        for device in remote.devices() {
            let session = try await remote.makeSession(model: model, device: device, options: SessionOptions())
            let served = try #require(try await Self.run(session, ["input": input])["output"])
            let difference = try Self.maxDifference(served, expected)
            #expect(difference <= 1e-5, "\(device.id): max |served − local| = \(difference)")
        }

        let source = folder.appendingPathComponent("in.npy")
        let target = folder.appendingPathComponent("out.npy")
        try input.npyData().write(to: source)
        let script = Fixtures.repositoryRoot.appendingPathComponent("Tests/Servers/tritonclient_infer.py")
        let result = try runProcess(
            try ServingVenv.python(), [script.path, "127.0.0.1:\(server.httpPort)", "srvgg-x4", "input", "output", source.path, target.path])
        #expect(result.status == 0, "\(result.stderr)")
        let fromClient = try Tensor(npy: try Data(contentsOf: target))
        #expect(try Self.maxDifference(fromClient, expected) <= 1e-5)
    }

    @Test("With a token, requests without it are refused (401, naming the endpoint) and health checks still answer")
    func bearerToken() async throws {
        let folder = try Fixtures.temporaryDirectory("serve")
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try await TesseraServe.start(model: model, token: "s3cret", in: folder)
        defer { server.kill() }

        let without = await RemoteBackend.connect([try RemoteEndpoint(server.httpURL.absoluteString, model: "srvgg-x4")])
        guard case .status(let endpoint, let code, _)? = without.failures.first else {
            Issue.record("expected an HTTP status failure, got \(without.failures)")
            return
        }
        #expect(endpoint == server.httpURL.absoluteString && code == 401)
        let with = await RemoteBackend.connect([try RemoteEndpoint(server.httpURL.absoluteString, model: "srvgg-x4", token: "s3cret")])
        #expect(with.failures.isEmpty, "\(with.failures)")
    }
}
