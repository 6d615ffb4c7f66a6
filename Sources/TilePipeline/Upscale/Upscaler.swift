public import Foundation
public import ImageIO
public import InferenceRuntime
public import ModelManifest
import ONNXModel
import TensorCore

/// Upscales images with one model or a chain of models, tiled over every suitable device.
///
/// Loading is separate from running: ``load(models:store:backends:options:log:)`` resolves each
/// model (an installed id, a manifest or an `.onnx` file), picks its variant before anything is
/// fetched, fetches it if needed, and opens `sessionsPerDevice` sessions per model on each device;
/// ``upscale(_:to:progress:onFailure:)`` can then run many images with the sessions kept loaded.
///
/// ```swift
/// let upscaler = try await Upscaler.load(
///     models: ["realesr-animevideov3-x4"], store: ModelStore(root: ModelStore.defaultRoot()),
///     backends: BackendCatalog.discover().backends, options: UpscaleOptions())
/// let report = try await upscaler.upscale(photo, to: output)
/// ```
public struct Upscaler: Sendable {
    /// What a finished image took.
    public struct Report: Sendable {
        public var input: URL
        public var output: URL
        public var inputSize: (width: Int, height: Int)
        public var outputSize: (width: Int, height: Int)
        public var tiles: TileRunReport
    }

    public let manifests: [ModelManifest]
    public let workers: [TileWorker]
    public private(set) var options: UpscaleOptions
    /// Output pixels per input pixel of the whole chain.
    public let scale: Int
    public let margin: Int
    /// Lines for `--explain`: the variant and device decisions.
    public let explanation: [String]
    private let tile: Int
    private let multipleOf: Int
    private let minTile: Int?
    private let maxTile: Int?
    /// Finds the pooled values of each image for a first model that pools over its whole input.
    private let pooling: PoolingProbe?
    /// The side the image is reduced to for ``pooling``.
    private let poolingTile: Int
    /// Host memory the stitcher may hold for rows in flight: a 32000-pixel-wide output then still
    /// completes within a 1.5 GiB peak.
    static let stitchBudgetBytes: Int64 = 384 << 20
    /// Schema 1 models take and give RGB.
    private let modelChannels = 3

    /// Resolves, fetches and loads `models` (in chain order) as the type describes.
    /// - Parameter log: one-line notices (a device skipped, a fetch starting, pairs being measured).
    public static func load(
        models names: [String], store: ModelStore, backends: [any Backend], options: UpscaleOptions,
        log: @Sendable (String) -> Void = { _ in }
    ) async throws -> Upscaler {
        let (stages, layout) = try await rankedStages(names, store: store, backends: backends, options: options, log: log)
        let devices = try UpscaleStage.commonDevices(stages, allDevices: options.allDevices)
        var workers: [TileWorker] = []
        var explanation = stages.flatMap(\.explanation)
        // A first model that pools over its whole input takes the whole image's pooled values;
        // later models of a chain see only tiles of an image that does not exist yet.
        let pooled = stages.first.map { !$0.pooledValues.isEmpty } ?? false
        for stage in stages.dropFirst() where !stage.pooledValues.isEmpty {
            log("note: \(stage.name) pools over its whole input, but follows another model of the chain: each tile pools "
                + "over itself, so tiles may differ slightly in tone; run it on its own to keep them in step")
        }
        var probe: PoolingProbe?
        for device in devices {
            if pooled, device.kind == .remote {
                log("\(device.id) skipped: a server runs its own copy of the model, which cannot take the whole image's pooled values")
                continue
            }
            // A server gets one worker per request it may have in flight, the count measured unless given.
            let inFlight = device.kind != .remote ? nil : options.requestsPerEndpoint.map { InFlightLimit(fixed: $0) }
                ?? InFlightLimit(measuringUpTo: UpscaleOptions.maxRequestsPerEndpoint)
            let sessions = inFlight?.cap ?? max(1, options.sessionsPerDevice)
            let sessionOptions = sessionOptions(on: device, options)
            do {
                if pooled, probe == nil {
                    probe = try await stages[0].poolingProbe(on: device, backends: backends, session: sessionOptions, directory: store.root)
                    explanation.append(
                        "pooling: \(stages[0].name) pools over its whole input (\(stages[0].pooledValues.count) global pooling "
                            + "nodes); tiles take the values of the whole image, reduced to fit one tile, found on \(device.id)")
                }
                for index in 0..<sessions {
                    var processors: [any TileProcessor] = []
                    for (position, stage) in stages.enumerated() {
                        processors.append(
                            try await stage.processor(
                                on: device, backends: backends, session: sessionOptions,
                                pooling: pooled && position == 0 ? store.root : nil))
                    }
                    let chain: any TileProcessor = processors.count == 1 ? processors[0] : try ChainProcessor(processors)
                    let name = sessions == 1 ? device.id.rawValue : "\(device.id)#\(index + 1)"
                    workers.append(TileWorker(
                        name: name, processor: options.testTimeAugmentation ? AugmentedProcessor(chain) : chain, inFlight: inFlight))
                }
                let threads = sessionOptions.threads.map { ", \($0) threads each" } ?? ""
                explanation.append(
                    "worker: \(device.id) \(stages.map { $0.label(on: device) }.joined(separator: " → ")) (\(device.name))"
                        + (inFlight.map { limit in
                            options.requestsPerEndpoint == nil
                                ? ", requests in flight measured during the run (2 up to \(limit.cap))" : ", \(limit.cap) requests in flight"
                        } ?? (sessions > 1 ? ", \(sessions) sessions\(threads)" : "")))
            } catch {
                log("\(device.id) could not load the model, skipped: \(error)")
            }
        }
        guard let first = stages.first, let processor = workers.first?.processor else {
            throw UpscaleError.noUsableDevice(model: names.joined(separator: " → "), reasons: ["every device failed to load it"])
        }
        return Upscaler(
            manifests: stages.map(\.manifest), workers: workers, options: options, scale: processor.scale,
            margin: layout.margin, explanation: explanation, tile: layout.tile, multipleOf: first.manifest.tiling.multipleOf,
            minTile: first.manifest.tiling.minTile, maxTile: first.manifest.tiling.maxTile, pooling: probe,
            poolingTile: layout.poolingTile)
    }

    /// Resolves and fetches `models` and measures their (library, device) pairs as
    /// ``load(models:store:backends:options:log:)`` would, keeping the measurements for later
    /// runs, but opens no worker: what `tessera models install` does, so that the first upscale
    /// does not pay for measuring.
    /// - Returns: the `--explain` lines: the measured table and the choice.
    public static func measure(
        models names: [String], store: ModelStore, backends: [any Backend], options: UpscaleOptions,
        log: @Sendable (String) -> Void = { _ in }
    ) async throws -> [String] {
        try await rankedStages(names, store: store, backends: backends, options: options, log: log).stages.flatMap(\.explanation)
    }

    /// The stages of the chain `names`, each ranked by the speed of its pairs measured at the
    /// tile the job will use, and that tile.
    private static func rankedStages(
        _ names: [String], store: ModelStore, backends: [any Backend], options: UpscaleOptions,
        log: @Sendable (String) -> Void
    ) async throws -> (stages: [UpscaleStage], layout: (tile: Int, margin: Int, poolingTile: Int)) {
        var stages: [UpscaleStage] = []
        for name in names {
            stages.append(try await UpscaleStage.prepare(name, store: store, backends: backends, options: options, log: log))
        }
        guard let first = stages.first else { throw UpscaleError.noModel }
        let candidates = try UpscaleStage.commonDevices(stages, allDevices: true)
        // The chain's margin composes each model's manifest overlap; --overlap overrides it.
        let margin = options.overlap
            ?? ChainProcessor.margin(of: stages.map { (scale: $0.manifest.scale, margin: $0.manifest.tiling.overlap) })
        let memory = candidates.compactMap(\.memoryBytes).min() ?? 4 << 30
        let automatic = max(8, min(512, TileSizing.coreTileSize(
            deviceMemoryBytes: memory, bytesPerInputPixel: stages.map(\.bytesPerInputPixel).reduce(0, +), margin: margin,
            multipleOf: first.manifest.tiling.multipleOf, batch: options.batch, minTile: first.manifest.tiling.minTile,
            maxTile: first.manifest.tiling.maxTile)))
        let tile = max(8, options.tile ?? automatic)
        // Each stage is measured at the tile it receives: the window, times the scales before it.
        var side = tile + 2 * margin
        for index in stages.indices {
            let session = sessionOptions(on: stages[index].ranked.first, options)
            await stages[index].rankByMeasuredSpeed(
                inputSide: side, session: session, backends: backends, options: options, directory: store.root, log: log)
            side *= stages[index].manifest.scale
        }
        // The whole image's pooled values are found once per image, so at the largest tile memory allows.
        return (stages, (tile, margin, max(tile, automatic)))
    }

    /// The session options of one worker on `device`: on a CPU shared by several sessions,
    /// each gets its share of the threads.
    private static func sessionOptions(on device: Device?, _ options: UpscaleOptions) -> SessionOptions {
        var session = options.session
        let sessions = max(1, options.sessionsPerDevice)
        if sessions > 1, device?.kind == .cpu {
            session.threads = max(1, (options.session.threads ?? ProcessInfo.processInfo.activeProcessorCount) / sessions)
        }
        return session
    }

    /// Upscales `input` into `output` (format from its extension), writing through a temporary
    /// file that replaces `output` only when the whole image is done; on any error or
    /// cancellation nothing is left behind.
    public func upscale(
        _ input: URL, to output: URL, progress: (TileProgress) -> Void = { _ in },
        onFailure: (WorkerFailure) -> Void = { _ in }
    ) async throws -> Report {
        guard input.standardizedFileURL.resolvingSymlinksInPath() != output.standardizedFileURL.resolvingSymlinksInPath() else {
            throw UpscaleError.outputIsInput(path: output.path)
        }
        // Rows are decoded as the tiles reach them (see ImageBandSource), never the whole image at once.
        let reader = try ImageRowReader(input, maxPixels: options.maxPixels)
        let info = reader.info
        let plan = try plan(imageWidth: info.width, imageHeight: info.height)
        let workers = try pooling.map { probe in
            bound(try probe.values(reading: input, maxPixels: options.maxPixels, channels: modelChannels, tiling: poolingTiling))
        } ?? workers
        let scheduler = TileScheduler(workers: workers, batchSize: options.batch)
        let source = ImageBandSource(reader: reader, channels: modelChannels, plan: plan, rowsAhead: scheduler.rowsAhead)
        let format = ImageFormat(pathExtension: output.pathExtension)
        let depth = format?.holds16Bit == false ? 8 : options.bitDepth ?? info.layout.bitDepth
        let writer = try ImageWriter(
            url: output, width: plan.outputWidth, height: plan.outputHeight,
            layout: UpscaleSink.outputLayout(for: info.layout, bitDepth: depth), format: format,
            options: withProfile(info.iccProfile))
        let sink = UpscaleSink(writer: writer, input: source, region: plan.region, scale: scale, modelChannels: modelChannels)
        do {
            let tiles = try await scheduler.run(
                source: source, plan: plan, mode: options.stitch, into: sink, progress: progress, onFailure: onFailure)
            try writer.finish()
            return Report(
                input: input, output: output, inputSize: (info.width, info.height),
                outputSize: (plan.outputWidth, plan.outputHeight), tiles: tiles)
        } catch {
            writer.cancel()
            throw error
        }
    }

    /// The same loaded sessions for another area or stitching: what a preview changes between
    /// runs without reloading the model (TTA, precision, library and device are fixed at load).
    public func with(region: PixelRect?, stitch: StitchMode) -> Upscaler {
        var copy = self
        copy.options.region = region
        copy.options.stitch = stitch
        return copy
    }

    /// Refuses `input` when its header claims more pixels than ``UpscaleOptions/maxPixels``, as
    /// ``upscale(_:to:progress:onFailure:)`` would, reading the header alone: a batch can be
    /// checked before any model loads. Other faults of the file are left for `upscale` to report.
    /// - Throws: ``ImageIOError/tooManyPixels(path:width:height:limit:)``.
    public static func checkPixelCount(of input: URL, options: UpscaleOptions) throws(ImageIOError) {
        do {
            try ImageReader.checkPixelCount(input, maxPixels: options.maxPixels)
        } catch {
            if case .tooManyPixels = error { throw error }
        }
    }

    /// The tiles ``upscale(_:to:progress:onFailure:)`` cuts `image` into.
    public func plan(for image: Image) throws(TilingError) -> TilePlan {
        try plan(imageWidth: image.width, imageHeight: image.height)
    }

    private func plan(imageWidth: Int, imageHeight: Int) throws(TilingError) -> TilePlan {
        // Wide outputs get flatter tiles, so the rows the stitcher holds stay within budget.
        let width = options.region?.width ?? imageWidth
        let tileHeight = min(tile, TileSizing.coreTileHeight(
            hostBudgetBytes: Self.stitchBudgetBytes, outputWidth: width * scale, scale: scale, channels: modelChannels,
            rowsInFlight: 2, multipleOf: multipleOf))
        return try TilePlan(
            imageWidth: imageWidth, imageHeight: imageHeight, region: options.region, tileWidth: tile,
            tileHeight: tileHeight, margin: margin, multipleOf: multipleOf, scale: scale, minTile: minTile, maxTile: maxTile)
    }

    /// The workers that run the tiles of `image`: ``workers``, given the image's pooled values
    /// where the model pools over its whole input.
    public func workers(for image: Image) throws -> [TileWorker] {
        try pooling.map { probe in bound(try probe.values(of: source(for: image), tiling: poolingTiling)) } ?? workers
    }

    private func bound(_ values: [String: Tensor]) -> [TileWorker] {
        workers.map { TileWorker(name: $0.name, processor: $0.processor.feeding(values), inFlight: $0.inFlight) }
    }

    /// For `--explain` after a run: each inference server's requests in flight, and the tiles
    /// per second measured for each count tried.
    public var inFlightSummary: [String] {
        var seen: [ObjectIdentifier] = []
        return workers.compactMap { worker in
            guard let limit = worker.inFlight, !seen.contains(ObjectIdentifier(limit)) else { return nil }
            seen.append(ObjectIdentifier(limit))
            return "\(worker.processor.label): \(limit.summary)"
        }
    }

    private var poolingTiling: PoolingProbe.Tiling {
        PoolingProbe.Tiling(tile: poolingTile, margin: margin, multipleOf: multipleOf, scale: scale, minTile: minTile, maxTile: maxTile)
    }

    /// The source tiles read from for `image`.
    public func source(for image: Image) -> ImageTileSource { ImageTileSource(image: image, channels: modelChannels) }

    /// The write options with the input's ICC profile carried over, unless one was given.
    private func withProfile(_ profile: Data?) -> ImageWriteOptions {
        var write = options.write
        if write.iccProfile == nil { write.iccProfile = profile }
        return write
    }
}
