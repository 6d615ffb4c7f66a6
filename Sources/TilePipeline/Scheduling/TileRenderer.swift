import InferenceRuntime
import TensorCore

/// Produces tile outputs on one worker's thread: reads windows from the source, runs them in a
/// batch, crops each to its footprint, and recovers from out-of-memory errors by running the
/// batch one tile at a time and then splitting the tile into smaller windows, remembering the
/// smaller size for the tiles that follow.
///
/// Confined to the thread that created it.
final class TileRenderer {
    private let processor: any TileProcessor
    private let source: any TileSource
    private let layout: StitchLayout
    /// The largest window this worker's device has managed since an out-of-memory error.
    private var windowLimit: (width: Int, height: Int)?
    /// Tiles (or parts of tiles) that had to be split.
    private(set) var splitCount = 0

    init(processor: any TileProcessor, source: any TileSource, layout: StitchLayout) {
        self.processor = processor
        self.source = source
        self.layout = layout
    }

    private var plan: TilePlan { layout.plan }

    /// Renders `tiles` (same window size) into their contributions.
    func render(_ tiles: [TilePlan.Tile]) throws -> [TileContribution] {
        let outputs = try outputs(for: tiles.map { Job(window: $0.window, area: layout.footprint(of: $0)) })
        return try zip(tiles, outputs).map { tile, output throws(TilingError) in
            try layout.contribution(of: tile, output: output)
        }
    }

    /// A window to run and the part of it whose output is wanted.
    private struct Job {
        var window: PixelRect
        var area: PixelRect
    }

    /// The output of each job's area (area × scale).
    private func outputs(for jobs: [Job]) throws -> [PlanarRegion] {
        guard let first = jobs.first else { return [] }
        if let limit = windowLimit, first.window.width > limit.width || first.window.height > limit.height {
            return try jobs.map(split)
        }
        do {
            return try run(jobs)
        } catch let error as BackendError where error.kind == .outOfMemory {
            if jobs.count > 1 { return try jobs.flatMap { try outputs(for: [$0]) } }
            try shrinkLimit(below: first.window, failure: error)
            return [try split(first)]
        }
    }

    /// Runs the jobs' windows as one batch; each job's output is its area of the batch output.
    private func run(_ jobs: [Job]) throws -> [PlanarRegion] {
        let window = jobs[0].window
        let input = BatchShape(count: jobs.count, channels: source.channels, height: window.height, width: window.width)
        var values: [Float] = []
        values.reserveCapacity(input.count * input.imageSize)
        for job in jobs {
            values += try source.planes(x: job.window.x, y: job.window.y, width: job.window.width, height: job.window.height)
        }
        let output = try processor.process(batch: try Tensor(shape: input.dims, scalars: values))
        _ = try BatchShape(output: output, input: input, scale: plan.scale, processor: processor.label)
        return try jobs.enumerated().map { index, job throws(TilingError) in
            let area = job.area.offset(dx: -job.window.x, dy: -job.window.y).scaled(by: plan.scale)
            return try PlanarRegion(batch: output, image: index, rect: area)
        }
    }

    /// Halves the longer side of `window` as the new limit, or rethrows `failure` when a window
    /// that small could not hold the margins.
    private func shrinkLimit(below window: PixelRect, failure: BackendError) throws {
        let k = plan.multipleOf
        var width = window.width
        var height = window.height
        if width >= height { width = width / 2 / k * k } else { height = height / 2 / k * k }
        guard min(width, height) >= 2 * plan.margin + k, min(width, height) >= (plan.minTile ?? 1) else { throw failure }
        windowLimit = (width, height)
    }

    /// Computes `job`'s area from smaller windows within the limit, each with its own margins.
    private func split(_ job: Job) throws -> PlanarRegion {
        let limit = windowLimit ?? (job.window.width, job.window.height)
        let parts = try plan.subdivided(job.area, maxWindowWidth: limit.width, maxWindowHeight: limit.height)
        splitCount += 1
        let scale = plan.scale
        let width = job.area.width * scale
        let height = job.area.height * scale
        var assembled: [Float] = []
        var channels = 0
        for tile in parts.tiles {
            let piece = try outputs(for: [Job(window: tile.window, area: tile.core)])[0]
            if assembled.isEmpty {
                channels = piece.channels
                assembled = [Float](repeating: 0, count: channels * width * height)
            }
            guard piece.channels == channels else { throw TilingError.channelMismatch(expected: channels, actual: piece.channels) }
            let left = (tile.core.x - job.area.x) * scale
            let top = (tile.core.y - job.area.y) * scale
            try piece.withUnsafePlanes { source, planeStride, rowStride in
                for channel in 0..<channels {
                    for row in 0..<piece.height {
                        let from = source + channel * planeStride + row * rowStride
                        let to = (channel * height + top + row) * width + left
                        for x in 0..<piece.width { assembled[to + x] = from[x] }
                    }
                }
            }
        }
        return try PlanarRegion(PlanarImage(width: width, height: height, channels: channels, values: assembled))
    }
}
