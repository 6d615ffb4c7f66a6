import ArgumentParser
import Foundation
import ImageIO
import Tessera
import TilePipeline

/// `tessera bench upscale`: what the pipeline costs on top of the model.
struct BenchUpscale: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upscale",
        abstract: "Time the upscale pipeline against the bare session on the same tiles.",
        discussion: """
            Runs the same tiles of PHOTO twice on one worker, alternating --repeat times: once as \
            bare model calls (each tile's input cut from the decoded image, one Session.run per \
            tile, nothing stitched or written), once as `tessera upscale` does it (decode, tile, \
            schedule, stitch, write the --format file). Reports the fastest and the median round of \
            each and the pipeline's overhead from the fastest (on a shared machine the fastest round \
            is the least disturbed one).

            Example:
              tessera bench upscale photo.png --model realesr-animevideov3-x4 --tile 128 --json
            """
    )

    @Argument(help: "The photo to upscale.")
    var photo: String

    @Option(help: "A model id, manifest or .onnx file.")
    var model = "realesr-animevideov3-x4"

    @Option(help: "Tile side in input pixels (default: as upscale chooses).")
    var tile: Int?

    @Option(help: "Use only this library: onnxruntime, openvino or reference.")
    var library: String?

    @Option(help: "The pipeline's output format: png, jpg, tif, webp or avif.")
    var format = "png"

    @Option(help: "Sessions on the device, as `tessera upscale --sessions` (the bare run uses the first).")
    var sessions = 1

    @Option(help: "Rounds of both measurements.")
    var `repeat` = 3

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        try LibraryNames.validate(library)
        if `repeat` < 1 { throw ValidationError("--repeat must be at least 1") }
        if sessions < 1 { throw ValidationError("--sessions must be at least 1") }
        if ImageFormat(pathExtension: format)?.isWritable != true {
            throw ValidationError("--format must be png, jpg, tif, webp or avif")
        }
    }

    struct Result: Encodable {
        var photo: String
        var format: String
        var device: String
        var tiles: Int
        var outputMegapixels: Double
        /// Fastest rounds.
        var sessionSeconds: Double
        var pipelineSeconds: Double
        var sessionMedianSeconds: Double
        var pipelineMedianSeconds: Double
        /// Pipeline time over bare session time, minus one, from the fastest rounds.
        var overhead: Double
        var pipelineMegapixelsPerSecond: Double
    }

    func run() async throws {
        var options = UpscaleOptions()
        options.tile = tile
        options.library = library
        options.allDevices = false
        options.sessionsPerDevice = sessions
        options.session = SessionOptions(cacheDirectory: Cache.directory)
        let upscaler = try await Upscaler.load(
            models: [model], store: ModelStore(root: Cache.directory), backends: BackendCatalog.discover().backends,
            options: options)
        let input = URL(fileURLWithPath: photo)
        let image = try ImageReader.read(input)
        guard let worker = try upscaler.workers(for: image).first else { throw CLIError("no worker loaded") }
        let plan = try upscaler.plan(for: image)
        let source = upscaler.source(for: image)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let clock = ContinuousClock()
        var session: [Double] = []
        var pipeline: [Double] = []
        for round in 0..<`repeat` {
            session.append(try clock.measure {
                for tile in plan.tiles {
                    let window = tile.window
                    let values = source.planes(x: window.x, y: window.y, width: window.width, height: window.height)
                    _ = try worker.processor.process(
                        batch: try Tensor(shape: [1, source.channels, window.height, window.width], scalars: values))
                }
            }.seconds)
            let output = folder.appendingPathComponent("out-\(round).\(format)")
            pipeline.append(try await clock.measure { _ = try await upscaler.upscale(input, to: output) }.seconds)
        }
        let median = { (values: [Double]) in values.sorted()[values.count / 2] }
        let (fastestSession, fastestPipeline) = (session.min() ?? 0, pipeline.min() ?? 0)
        let megapixels = Double(plan.outputWidth * plan.outputHeight) / 1e6
        let result = Result(
            photo: input.path, format: format, device: worker.name, tiles: plan.tiles.count, outputMegapixels: megapixels,
            sessionSeconds: fastestSession, pipelineSeconds: fastestPipeline, sessionMedianSeconds: median(session),
            pipelineMedianSeconds: median(pipeline), overhead: fastestPipeline / fastestSession - 1,
            pipelineMegapixelsPerSecond: megapixels / fastestPipeline)
        if json {
            print(try JSONOutput.string(result))
        } else {
            print(String(
                format: "%@ → %@ on %@: %d tiles, %.2f output MP, %d rounds\n"
                    + "                fastest   median\n  bare session  %.3f s   %.3f s\n  pipeline      %.3f s   %.3f s (%.2f MP/s)\n"
                    + "  overhead      %+.1f%% (fastest rounds)",
                input.lastPathComponent, format, worker.name, plan.tiles.count, megapixels, `repeat`, result.sessionSeconds,
                result.sessionMedianSeconds, result.pipelineSeconds, result.pipelineMedianSeconds,
                result.pipelineMegapixelsPerSecond, result.overhead * 100))
        }
    }
}
