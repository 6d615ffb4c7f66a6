import Foundation
import InferenceRuntime
import RemoteBackend
import Testing
import TesseraTestSupport
import TilePipeline

/// The remote backend against a real Triton Inference Server (from the `nvidia-pytriton`
/// wheel) on 127.0.0.1, serving the SRVGG ×4 model through onnxruntime; the oracle is the same
/// model on the local ONNX Runtime.
@Suite("Remote backend against Triton", .serialized)
struct TritonTests {
    @Test("Metadata is read, and tiles through Triton (binary and JSON) equal the local ONNX Runtime's")
    func matchesLocal() async throws {
        let folder = try Fixtures.temporaryDirectory("triton")
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try await TritonServer.start(model: try ServingFixture.model(), name: "srvgg", in: folder)
        defer { server.kill() }

        let binary = try RemoteEndpoint(server.httpURL.absoluteString, model: "srvgg")
        var json = binary
        json.binaryTensors = false
        let remote = await RemoteBackend.connect([binary, json])
        #expect(remote.failures.isEmpty, "\(remote.failures)")
        let connection = try #require(remote.connections.first)
        #expect(connection.server.name == "triton")
        #expect(connection.server.extensions.contains("binary_tensor_data"))
        #expect(connection.model.inputs == [TensorMetadata(name: "input", datatype: "FP32", shape: [-1, 3, -1, -1])])

        let local = try await ServingFixture.localSession()
        for (index, device) in remote.devices().enumerated() {
            let session = try await remote.makeSession(model: try ServingFixture.model(), device: device, options: SessionOptions())
            for (height, width) in [(24, 40), (37, 19)] {
                let tile = try ServingFixture.tile(height: height, width: width, seed: UInt64(height + index))
                let served = try #require(try await ServingFixture.run(session, ["input": tile])["output"])
                let expected = try #require(try await ServingFixture.run(local, ["input": tile])["output"])
                #expect(served.shape == [1, 3, 4 * height, 4 * width])
                let difference = try ServingFixture.maxDifference(served, expected)
                #expect(difference <= 1e-5, "\(device.id): max |remote − local| = \(difference)")
            }
        }
    }

    @Test("A server whose model metadata disagrees is refused before any tile, naming the endpoint and the input")
    func metadataMismatch() async throws {
        let folder = try Fixtures.temporaryDirectory("triton")
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try await TritonServer.start(
            model: try ServingFixture.model(), name: "srvgg",
            inputs: [.init(name: "input", type: "TYPE_FP16")], in: folder)
        defer { server.kill() }

        let remote = await RemoteBackend.connect([try RemoteEndpoint(server.httpURL.absoluteString, model: "srvgg")])
        let device = try ServingFixture.device(of: remote)
        let error = await #expect(throws: BackendError.self) {
            try await remote.makeSession(model: try ServingFixture.model(), device: device, options: SessionOptions())
        }
        let message = error?.description ?? ""
        #expect(message.contains(server.httpURL.absoluteString) && message.contains("input 'input' is FP16 on the server, FP32"))
    }

    @Test("An endpoint with no such model, and one with nothing listening, are skipped with the reason")
    func unreachable() async throws {
        let folder = try Fixtures.temporaryDirectory("triton")
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try await TritonServer.start(model: try ServingFixture.model(), name: "srvgg", in: folder)
        let wrongModel = try RemoteEndpoint(server.httpURL.absoluteString, model: "nonexistent", retries: 0)
        // A killed Triton's port may keep accepting (a backend process outlives it): a short
        // timeout keeps the wait for its silence short.
        let gone = try RemoteEndpoint(
            server.httpURL.absoluteString, model: "srvgg", timeout: .seconds(5), retries: 1, backoff: .milliseconds(10))
        let first = await RemoteBackend.connect([wrongModel])
        #expect(first.failures == [.modelNotReady(endpoint: server.httpURL.absoluteString, model: "nonexistent")])
        server.kill()
        let second = await RemoteBackend.connect([gone])
        #expect(second.devices().isEmpty)
        #expect(second.failures.first?.description.contains("\(server.httpURL.absoluteString): unreachable") == true)
    }

    @Test("A server killed in the middle of an image: its tiles finish on the local worker, output identical")
    func killedMidRun() async throws {
        let folder = try Fixtures.temporaryDirectory("triton")
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try await TritonServer.start(model: try ServingFixture.model(), name: "srvgg", in: folder)
        defer { server.kill() }
        let endpoint = try RemoteEndpoint(
            server.httpURL.absoluteString, model: "srvgg", timeout: .seconds(5), retries: 1, backoff: .milliseconds(10))
        let remote = await RemoteBackend.connect([endpoint])
        let device = try ServingFixture.device(of: remote)
        let remoteSession = try await remote.makeSession(model: try ServingFixture.model(), device: device, options: SessionOptions())
        let localSession = try await ServingFixture.localSession()

        let (image, plan) = try ServingFixture.noiseImage()
        let (expected, _) = try await ServingFixture.upscale(
            image, plan: plan, workers: [TileWorker(processor: try SessionProcessor(session: localSession, scale: 4, margin: 4))])

        // The remote worker kills its server after its second tile; the local one waits until
        // then, so the remote surely has tiles left to lose.
        let gate = Gate()
        let killing = HookedProcessor(base: try SessionProcessor(session: remoteSession, scale: 4, margin: 4)) { call in
            if call == 3 {
                server.kill()
                gate.open()
            }
        }
        let local = HookedProcessor(base: try SessionProcessor(session: localSession, scale: 4, margin: 4)) { _ in gate.pass() }
        let (output, report) = try await ServingFixture.upscale(
            image, plan: plan, workers: [TileWorker(name: "remote", processor: killing), TileWorker(name: "local", processor: local)])
        #expect(report.failures.map(\.worker) == ["remote"])
        #expect(report.failures.first?.error.description.contains(server.httpURL.absoluteString) == true)
        #expect(report.tilesPerWorker[0] == 2)
        let difference = zip(output.values, expected.values).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
        #expect(difference <= 1e-5, "max |failover − local| = \(difference)")
    }
}


/// The same server over gRPC (the code generated from the protocol's definition).
@Suite("Remote backend against Triton over gRPC", .serialized)
struct TritonGRPCTests {
    @Test("gRPC gives REST's metadata, and a tile whose output (4.9 MB) exceeds gRPC's usual 4 MiB limit equals the local run")
    func matchesLocal() async throws {
        let folder = try Fixtures.temporaryDirectory("triton")
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try await TritonServer.start(model: try ServingFixture.model(), name: "srvgg", in: folder)
        defer { server.kill() }

        let remote = await RemoteBackend.connect([
            try RemoteEndpoint(server.grpcURL.absoluteString, model: "srvgg"),
            try RemoteEndpoint(server.httpURL.absoluteString, model: "srvgg"),
        ])
        #expect(remote.failures.isEmpty, "\(remote.failures)")
        #expect(remote.connections.count == 2)
        guard remote.connections.count == 2 else { return }
        let (grpc, rest) = (remote.connections[0], remote.connections[1])
        #expect(grpc.device.route == "grpc")
        #expect(grpc.server.name == rest.server.name && grpc.server.version == rest.server.version)
        #expect(grpc.model.inputs == rest.model.inputs && grpc.model.outputs == rest.model.outputs)

        let session = try await remote.makeSession(model: try ServingFixture.model(), device: grpc.device, options: SessionOptions())
        let tile = try ServingFixture.tile(height: 160, width: 160, seed: 3)
        let served = try #require(try await ServingFixture.run(session, ["input": tile])["output"])
        let expected = try #require(try await ServingFixture.run(try await ServingFixture.localSession(), ["input": tile])["output"])
        #expect(served.shape == [1, 3, 640, 640])
        let difference = try ServingFixture.maxDifference(served, expected)
        #expect(difference <= 1e-5, "max |gRPC − local| = \(difference)")
    }

    @Test("A gRPC server killed between tiles: the next run fails as the endpoint's lost device")
    func killed() async throws {
        let folder = try Fixtures.temporaryDirectory("triton")
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try await TritonServer.start(model: try ServingFixture.model(), name: "srvgg", in: folder)
        let endpoint = try RemoteEndpoint(server.grpcURL.absoluteString, model: "srvgg", retries: 1, backoff: .milliseconds(10))
        let remote = await RemoteBackend.connect([endpoint])
        let session = try await remote.makeSession(
            model: try ServingFixture.model(), device: try ServingFixture.device(of: remote), options: SessionOptions())
        let tile = try ServingFixture.tile(height: 16, width: 16, seed: 9)
        _ = try await ServingFixture.run(session, ["input": tile])
        server.kill()
        let error = await #expect(throws: BackendError.self) { try await ServingFixture.run(session, ["input": tile]) }
        #expect(error?.kind == .deviceLost)
        #expect(error?.description.contains(server.grpcURL.absoluteString) == true)
    }
}
