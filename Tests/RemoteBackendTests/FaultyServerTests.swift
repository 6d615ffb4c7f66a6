import Foundation
import InferenceRuntime
import RemoteBackend
import Synchronization
import Testing
import TesseraTestSupport
import TilePipeline

/// The remote backend against a server that answers inference wrongly on purpose
/// (`Tests/Servers/faulty_oip_server.py`, correct metadata): each wrong answer is a device
/// failure naming the endpoint, never a wrong tile, and the tile is done by another worker.
@Suite("Remote backend against wrong answers", .serialized)
struct FaultyServerTests {
    @Test(
        "A wrong reply fails as the endpoint's device error, and its tiles finish locally with identical output",
        arguments: [
            ("wrong-shape", "has shape [1, 3, 48, 48], the model gives [1, 3, 96, 96]"),
            ("wrong-type", "is FP64, its metadata says FP32"),
            ("truncated", "bytes short of output 'output'"),
            ("status-500", "HTTP 500: injected failure"),
            ("garbage", "malformed reply: its JSON header does not parse"),
        ])
    func wrongAnswer(fault: String, message: String) async throws {
        let folder = try Fixtures.temporaryDirectory("faulty")
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try await FaultyServer.start(fault: fault, in: folder)
        defer { server.kill() }
        let endpoint = try RemoteEndpoint(server.httpURL.absoluteString, model: "srvgg")
        let remote = await RemoteBackend.connect([endpoint])
        let session = try await remote.makeSession(
            model: try ServingFixture.model(), device: try ServingFixture.device(of: remote), options: SessionOptions())

        let tile = try ServingFixture.tile(height: 24, width: 24, seed: 1)
        let error = await #expect(throws: BackendError.self) { try await ServingFixture.run(session, ["input": tile]) }
        #expect(error?.kind == .run)
        let text = error?.description ?? ""
        #expect(text.contains(endpoint.description) && text.contains(message), "\(text)")

        // In a run: the local worker waits until the remote one has failed, so the remote surely
        // took a tile; that tile is done again locally.
        let (image, plan) = try ServingFixture.noiseImage()
        let local = try SessionProcessor(session: try await ServingFixture.localSession(), scale: 4, margin: 4)
        let (expected, _) = try await ServingFixture.upscale(image, plan: plan, workers: [TileWorker(processor: local)])
        let gate = Gate()
        let workers = [
            TileWorker(name: "remote", processor: try SessionProcessor(session: session, scale: 4, margin: 4)),
            TileWorker(name: "local", processor: HookedProcessor(base: local) { _ in gate.pass() }),
        ]
        let (output, report) = try await ServingFixture.upscale(image, plan: plan, workers: workers) { _ in gate.open() }
        #expect(report.failures.map(\.worker) == ["remote"])
        #expect(report.tilesPerWorker == [0, plan.tiles.count])
        #expect(output == expected, "the failed tiles were not redone exactly")
    }

    @Test("A slow server gets fewer tiles than a fast one, each with its requests in flight measured")
    func slowServerGetsFewerTiles() async throws {
        let folder = try Fixtures.temporaryDirectory("faulty")
        defer { try? FileManager.default.removeItem(at: folder) }
        let fast = try await FaultyServer.start(fault: "none", in: folder)
        defer { fast.kill() }
        let slow = try await FaultyServer.start(fault: "none", delay: 0.5, in: folder)
        defer { slow.kill() }
        let remote = await RemoteBackend.connect(
            try [fast, slow].map { try RemoteEndpoint($0.httpURL.absoluteString, model: "srvgg") })
        #expect(remote.failures.isEmpty, "\(remote.failures)")
        var workers: [TileWorker] = []
        var limits: [InFlightLimit] = []
        for device in remote.devices() {
            let session = try await remote.makeSession(model: try ServingFixture.model(), device: device, options: SessionOptions())
            let limit = InFlightLimit(measuringUpTo: 8)
            limits.append(limit)
            for _ in 0..<limit.cap {
                workers.append(TileWorker(processor: try SessionProcessor(session: session, scale: 4, margin: 4), inFlight: limit))
            }
        }
        var generator = SeededGenerator(seed: 3)
        let image = try PlanarImage(
            width: 128, height: 96, channels: 3, values: (0..<(3 * 128 * 96)).map { _ in Float.random(in: 0..<1, using: &generator) })
        let plan = try TilePlan(imageWidth: 128, imageHeight: 96, tileWidth: 16, margin: 4, scale: 4)
        let (_, report) = try await ServingFixture.upscale(image, plan: plan, workers: workers)
        let perServer = [report.tilesPerWorker.prefix(8).reduce(0, +), report.tilesPerWorker.suffix(8).reduce(0, +)]
        #expect(perServer.reduce(0, +) == plan.tiles.count)
        #expect(perServer[1] < perServer[0], "tiles per server (fast, slow): \(perServer); \(limits.map(\.summary))")
    }

    @Test("Edge tiles reach a server at the common window size (shifted inward, not shrunk), so it can batch them")
    func edgeTilesKeepTheCommonSize() async throws {
        let folder = try Fixtures.temporaryDirectory("faulty")
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try await FaultyServer.start(fault: "none", in: folder)
        defer { server.kill() }
        let remote = await RemoteBackend.connect([try RemoteEndpoint(server.httpURL.absoluteString, model: "srvgg")])
        let session = try await remote.makeSession(
            model: try ServingFixture.model(), device: try ServingFixture.device(of: remote), options: SessionOptions())
        let shapes = Mutex<[[Int]]>([])
        let processor = ShapeRecorder(base: try SessionProcessor(session: session, scale: 4, margin: 4)) { shape in
            shapes.withLock { $0.append(shape) }
        }
        // 50 × 37: neither side a multiple of the 16-pixel tile.
        var generator = SeededGenerator(seed: 9)
        let image = try PlanarImage(
            width: 50, height: 37, channels: 3, values: (0..<(3 * 50 * 37)).map { _ in Float.random(in: 0..<1, using: &generator) })
        let plan = try TilePlan(imageWidth: 50, imageHeight: 37, tileWidth: 16, margin: 4, scale: 4)
        _ = try await ServingFixture.upscale(image, plan: plan, workers: [TileWorker(processor: processor)])
        let sent = shapes.withLock { $0 }
        #expect(sent.count == plan.tiles.count)
        #expect(Set(sent) == [[1, 3, 24, 24]], "\(Set(sent))")
    }
}

/// A processor that reports the shape of every batch before passing it on.
struct ShapeRecorder: TileProcessor {
    let base: any TileProcessor
    let record: @Sendable ([Int]) -> Void

    var scale: Int { base.scale }
    var margin: Int { base.margin }
    var label: String { base.label }

    func process(batch: Tensor) throws -> Tensor {
        record(batch.shape)
        return try base.process(batch: batch)
    }
}
