import Foundation
import InferenceRuntime
import ONNXRuntimeBackend
import RemoteBackend
import Testing
import TesseraTestSupport

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

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

    /// Pillow's comparison of two images (`Tests/Oracles/served_images.py compare`).
    private struct Comparison: Decodable {
        var sizes: [[Int]]
        var formats: [String?]
        var maxDiff: Int?
    }

    private static let images = "Tests/Oracles/served_images.py"

    /// `POST url` with `body`, as an integration would send an image.
    private static func post(_ url: URL, _ body: Data, token: String? = nil) async throws -> (status: Int, type: String?, body: Data) {
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.timeoutInterval = 120
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.upload(for: request, from: body)
        let http = try #require(response as? HTTPURLResponse)
        return (http.statusCode, http.value(forHTTPHeaderField: "Content-Type"), data)
    }

    @Test("The image endpoint answers the pixels tessera upscale writes, in the posted format; token and size limit enforced")
    func servesImages() async throws {
        let folder = try Fixtures.temporaryDirectory("serve")
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try await TesseraServe.start(model: model, token: "s3cret", arguments: ["--max-request-mb", "1"], in: folder)
        defer { server.kill() }
        let endpoint = server.httpURL.appendingPathComponent("upscale/srvgg-x4")
        let photo = try Fixtures.samplePhoto("astronaut.png")

        for (ext, type) in [("png", "image/png"), ("jpg", "image/jpeg")] {
            let input = folder.appendingPathComponent("in.\(ext)")
            _ = try runPython(Self.images, ["crop", photo.path, input.path, "72", "56"])
            let reply = try await Self.post(endpoint, try Data(contentsOf: input), token: "s3cret")
            #expect(reply.status == 200, "\(String(decoding: reply.body, as: UTF8.self))")
            #expect(reply.type == type)
            let served = folder.appendingPathComponent("served.\(ext)")
            try reply.body.write(to: served)
            let local = folder.appendingPathComponent("local.\(ext)")
            let run = try runProcess(
                try TesseraBinary.url(),
                ["upscale", input.path, "-o", local.path, "--model", model.path, "--library", "onnxruntime", "--no-tune"],
                environment: ["TESSERA_CACHE": folder.appendingPathComponent("cache").path])
            #expect(run.status == 0, "\(run.stderr)")
            let comparison = try JSONDecoder().decode(
                Comparison.self, from: Data(try runPython(Self.images, ["compare", local.path, served.path]).utf8))
            #expect(comparison.sizes == [[288, 224], [288, 224]])
            #expect(comparison.formats[0] == comparison.formats[1])
            #expect(comparison.maxDiff == 0, "served and tessera upscale differ in \(ext)")
        }

        let png = try Data(contentsOf: folder.appendingPathComponent("in.png"))
        #expect(try await Self.post(endpoint, png).status == 401)
        #expect(try await Self.post(endpoint, Data("not an image".utf8), token: "s3cret").status == 415)
        #expect(try await Self.post(endpoint, png.prefix(png.count / 2), token: "s3cret").status == 400)
        #expect(try await Self.post(endpoint, Data(count: 3 << 19), token: "s3cret").status == 413)
    }

    @Test("SIGINT while an image is being upscaled: the request still completes, then the server exits cleanly")
    func gracefulShutdown() async throws {
        let folder = try Fixtures.temporaryDirectory("serve")
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try await TesseraServe.start(model: model, in: folder)
        defer { server.kill() }
        let input = folder.appendingPathComponent("in.png")
        _ = try runPython(Self.images, ["crop", try Fixtures.samplePhoto("astronaut.png").path, input.path, "256", "192"])
        let body = try Data(contentsOf: input)
        let request = Task { try await Self.post(server.httpURL.appendingPathComponent("upscale"), body) }
        // The server logs each image request as it begins: the signal then arrives mid-request.
        for _ in 0..<3000 where !server.log.contains("image request for srvgg-x4") { try await Task.sleep(for: .milliseconds(10)) }
        let status = try await server.interruptAndWait()
        let reply = try await request.value
        #expect(reply.status == 200)
        // The PNG header's width and height: 4× the posted 256 × 192.
        let size = [16, 20].map { offset in reply.body.dropFirst(offset).prefix(4).reduce(0) { $0 << 8 | Int($1) } }
        #expect(size == [1024, 768])
        #expect(status == 0, "\(server.log)")
    }
}
