import Foundation
import Tessera
import TesseraTestSupport
import Testing
import TilePipeline

/// One of the models `Tests/Fixtures/TileModels/make_tile_models.py` writes, with what its
/// architecture says about it.
struct TileModel: Sendable, CustomStringConvertible {
    var name: String
    var scale: Int
    /// The receptive radius in input pixels.
    var margin: Int
    var multipleOf = 1

    var description: String { name }

    static let convX2 = TileModel(name: "conv-x2", scale: 2, margin: 3)
    static let convX1 = TileModel(name: "conv-x1", scale: 1, margin: 2)
    static let wideX2 = TileModel(name: "wide-x2", scale: 2, margin: 8)
    static let blocksX2 = TileModel(name: "blocks-x2", scale: 2, margin: 12, multipleOf: 4)
    static let nearestX4 = TileModel(name: "nearest-x4", scale: 4, margin: 0)
    static let seX2 = TileModel(name: "se-x2", scale: 2, margin: 3)
}

/// Models, images, sessions and the whole-image oracle shared by the tiling and scheduling tests.
enum TileFixtures {
    /// The generated models' folder, written once per test process.
    private static let generated = Result<URL, any Error> {
        let directory = try Fixtures.temporaryDirectory("tile-models")
        _ = try runPython("Tests/Fixtures/TileModels/make_tile_models.py", [directory.path])
        return directory
    }

    static let catalog = BackendCatalog.discover()

    static func path(of model: TileModel) throws -> URL {
        try generated.get().appendingPathComponent("\(model.name).onnx")
    }

    static func backend(_ id: BackendID) throws -> any Backend {
        try #require(catalog.backends.first { $0.id == id }, "\(id) was not found: \(catalog.discoveries.map(\.attempts))")
    }

    /// A session of `model` on `backend`'s CPU with `threads` intra-op threads.
    static func session(_ model: TileModel, on backend: any Backend, threads: Int = 1) async throws -> any Session {
        let device = try #require(backend.devices().first { $0.kind == .cpu })
        return try await backend.makeSession(model: try path(of: model), device: device, options: SessionOptions(threads: threads))
    }

    /// A processor running `model` through ONNX Runtime, or through `backend` when given.
    static func processor(_ model: TileModel, on backend: (any Backend)? = nil, threads: Int = 1) async throws
        -> SessionProcessor
    {
        let session = try await session(model, on: try backend ?? self.backend(.onnxRuntime), threads: threads)
        return try SessionProcessor(session: session, scale: model.scale, margin: model.margin)
    }

    /// Uniform noise in [0, 1): the hardest input for a seam to hide in.
    static func randomImage(width: Int, height: Int, channels: Int = 3, seed: UInt64) throws -> PlanarImage {
        var generator = SeededGenerator(seed: seed)
        let values = (0..<(width * height * channels)).map { _ in Float.random(in: 0..<1, using: &generator) }
        return try PlanarImage(width: width, height: height, channels: channels, values: values)
    }

    /// Tiles `image` through `workers` into an in-memory sink sized for the plan's output.
    static func upscale(
        _ image: PlanarImage, plan: TilePlan, workers: [TileWorker], mode: StitchMode = .crop, batchSize: Int = 1,
        channels: Int = 3
    ) async throws -> (image: PlanarImage, report: TileRunReport) {
        let sink = PlanarImageSink(width: plan.outputWidth, height: plan.outputHeight, channels: channels)
        let scheduler = TileScheduler(workers: workers, batchSize: batchSize)
        let report = try await scheduler.run(source: image, plan: plan, mode: mode, into: sink)
        #expect(sink.rowsReceived == plan.outputHeight)
        return (try sink.image(), report)
    }

    /// One whole-image computation for `Tests/Oracles/tile_oracle.py`.
    struct OracleJob {
        /// `whole`, `chain` or `tta`.
        var mode: String
        var models: [TileModel]
        var image: PlanarImage
        /// The part of the output to keep, in output pixels.
        var crop: PixelRect?
    }

    /// Runs the jobs in one Python process and returns their outputs.
    static func oracle(_ jobs: [OracleJob]) throws -> [PlanarImage] {
        let directory = try Fixtures.temporaryDirectory("tile-oracle")
        defer { try? FileManager.default.removeItem(at: directory) }
        var descriptions: [[String: Any]] = []
        for (index, job) in jobs.enumerated() {
            let input = directory.appendingPathComponent("input-\(index).npy")
            let tensor = try Tensor(shape: [job.image.channels, job.image.height, job.image.width], scalars: job.image.values)
            try tensor.npyData().write(to: input)
            var description: [String: Any] = [
                "mode": job.mode, "models": try job.models.map { try path(of: $0).path }, "input": input.path,
                "output": directory.appendingPathComponent("output-\(index).npy").path,
                "pad_multiple": job.models.map(\.multipleOf).max() ?? 1,
            ]
            if let crop = job.crop { description["crop"] = [crop.x, crop.y, crop.width, crop.height] }
            descriptions.append(description)
        }
        let jobFile = directory.appendingPathComponent("jobs.json")
        try JSONSerialization.data(withJSONObject: descriptions).write(to: jobFile)
        _ = try runPython("Tests/Oracles/tile_oracle.py", [jobFile.path])
        return try jobs.indices.map { index in
            let tensor = try Tensor(npy: try Data(contentsOf: directory.appendingPathComponent("output-\(index).npy")))
            try #require(tensor.shape.count == 3)
            return try PlanarImage(
                width: tensor.shape[2], height: tensor.shape[1], channels: tensor.shape[0],
                values: try tensor.scalars(as: Float.self))
        }
    }

    /// The largest absolute difference, or infinity when the sizes differ.
    static func maxDifference(_ a: PlanarImage, _ b: PlanarImage) -> Float {
        guard a.width == b.width, a.height == b.height, a.channels == b.channels else { return .infinity }
        return zip(a.values, b.values).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }
}
