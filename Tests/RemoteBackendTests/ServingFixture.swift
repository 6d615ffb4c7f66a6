import Foundation
import InferenceRuntime
import ONNXRuntimeBackend
import RemoteBackend
import Synchronization
import Testing
import TesseraTestSupport
import TilePipeline

/// What the remote tests share: the model every server serves, the local ONNX Runtime session
/// that is the oracle, and tiles of deterministic noise.
enum ServingFixture {
    /// `fixtures/srvgg-x4.onnx`: the architecture of the default model, realesr-animevideov3-x4
    /// (SRVGGNetCompact, 4×), with seeded random weights, written by `Scripts/setup.sh --deps`.
    static func model() throws -> URL {
        let url = Fixtures.repositoryRoot.appendingPathComponent("fixtures/srvgg-x4.onnx")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw Fixtures.Missing(what: "the SRVGG ×4 model", path: url.path)
        }
        return url
    }

    static func onnxRuntime() throws -> any Backend {
        let discovery = ONNXRuntimeBackend.discover()
        return try #require(discovery.backend, "ONNX Runtime was not found: \(discovery.attempts)")
    }

    /// A local ONNX Runtime session of ``model()``: the oracle.
    static func localSession() async throws -> any Session {
        let backend = try onnxRuntime()
        return try await backend.makeSession(model: try model(), device: try #require(backend.devices().first), options: SessionOptions())
    }

    /// A `1×3×height×width` tile of seeded noise in [0, 1).
    static func tile(height: Int, width: Int, seed: UInt64) throws -> Tensor {
        var generator = SeededGenerator(seed: seed)
        let values = (0..<(3 * height * width)).map { _ in Float.random(in: 0..<1, using: &generator) }
        return try Tensor(shape: [1, 3, height, width], scalars: values)
    }

    /// The largest absolute difference between two float32 tensors of one shape.
    static func maxDifference(_ a: Tensor, _ b: Tensor) throws -> Float {
        #expect(a.shape == b.shape)
        let x = try a.scalars(as: Float.self)
        let y = try b.scalars(as: Float.self)
        return zip(x, y).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    /// Runs `session` on a thread of its own, as the tile workers do: ``Session/run(_:)`` blocks,
    /// and the remote session waits for a task of the cooperative pool, so it must not be
    /// called from the pool itself.
    static func run(_ session: any Session, _ inputs: [String: Tensor]) async throws -> [String: Tensor] {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try session.run(inputs) }) }.start()
        }
    }

    /// The one device of a backend connected to a single endpoint.
    static func device(of remote: RemoteBackend) throws -> Device {
        try #require(remote.devices().first, "no endpoint connected: \(remote.failures)")
    }

    /// Runs `image` through `plan` on `workers` and returns the stitched output and the report.
    static func upscale(
        _ image: PlanarImage, plan: TilePlan, workers: [TileWorker], onFailure: (WorkerFailure) -> Void = { _ in }
    ) async throws -> (PlanarImage, TileRunReport) {
        let sink = PlanarImageSink(width: plan.outputWidth, height: plan.outputHeight, channels: 3)
        let report = try await TileScheduler(workers: workers).run(source: image, plan: plan, into: sink, onFailure: onFailure)
        return (try sink.image(), report)
    }

    /// A 48×40 image of seeded noise and its plan: 16-pixel tiles with a 4-pixel margin, 4×.
    static func noiseImage() throws -> (PlanarImage, TilePlan) {
        var generator = SeededGenerator(seed: 7)
        let image = try PlanarImage(
            width: 48, height: 40, channels: 3, values: (0..<(3 * 48 * 40)).map { _ in Float.random(in: 0..<1, using: &generator) })
        return (image, try TilePlan(imageWidth: 48, imageHeight: 40, tileWidth: 16, margin: 4, scale: 4))
    }
}

/// A real processor that calls `before` with the call's number (from 1) before each batch.
final class HookedProcessor: TileProcessor {
    let base: any TileProcessor
    let before: @Sendable (Int) -> Void
    private let calls = Mutex(0)

    init(base: any TileProcessor, before: @escaping @Sendable (Int) -> Void) {
        self.base = base
        self.before = before
    }

    var scale: Int { base.scale }
    var margin: Int { base.margin }
    var label: String { base.label }

    func process(batch: Tensor) throws -> Tensor {
        before(calls.withLock { count in
            count += 1
            return count
        })
        return try base.process(batch: batch)
    }
}
