/// Runs a ``TilePlan`` on one or more workers and streams the stitched output to a ``BandSink``.
///
/// Each worker (a processor on one (library, device) pair; several may share a device) runs on
/// a thread of its own and takes tiles from one shared queue: whichever worker is idle takes
/// what is next, up to ``batchSize`` tiles of the same size at a time. A worker whose processor
/// fails with a ``BackendError`` (other than invalid input) is retired, reported once through
/// `onFailure`, and its tiles go back to the queue for the others; the run fails only when every
/// worker has failed. Out-of-memory errors split the batch, then the tile, and the worker
/// remembers the smaller size.
///
/// Tiles are queued row by row, at most ``rowsAhead`` rows beyond the first unfinished one, so
/// the stitcher holds about `rowsAhead + 1` tile rows of output however large the image.
///
/// ```swift
/// let scheduler = TileScheduler(workers: [TileWorker(processor: try SessionProcessor(session: s, scale: 4, margin: 10))])
/// let report = try await scheduler.run(source: image, plan: plan, into: writer) { print($0.tilesDone) }
/// ```
public struct TileScheduler: Sendable {
    public var workers: [TileWorker]
    /// The most same-size tiles one processor call receives.
    public var batchSize: Int
    /// Tile rows queued beyond the first unfinished row.
    public var rowsAhead: Int

    public init(workers: [TileWorker], batchSize: Int = 1, rowsAhead: Int = 1) {
        self.workers = workers
        self.batchSize = batchSize
        self.rowsAhead = rowsAhead
    }

    /// Runs every tile of `plan` over `source` and writes the output, top to bottom, to `sink`.
    ///
    /// `progress` and `onFailure` are called on the calling task, between tiles. Cancelling the
    /// task stops the run promptly: no tile starts afterwards, nothing more reaches the sink, and
    /// the call throws `CancellationError` (a tile already inside a library finishes on its
    /// worker thread and is dropped).
    /// - Throws: ``TileSchedulerError``, ``TilingError`` (a plan that does not fit the source or
    ///   the workers, or output of the wrong shape), a non-recoverable ``BackendError``, what
    ///   the sink throws, or `CancellationError`.
    public func run(
        source: any TileSource, plan: TilePlan, mode: StitchMode = .crop, into sink: any BandSink,
        progress: (TileProgress) -> Void = { _ in }, onFailure: (WorkerFailure) -> Void = { _ in }
    ) async throws -> TileRunReport {
        try validate(source: source, plan: plan)
        let clock = ContinuousClock()
        let start = clock.now
        let layout = StitchLayout(plan: plan, mode: mode)
        let stitcher = Stitcher(layout: layout, sink: sink)
        let queue = WorkQueue()
        let (events, continuation) = AsyncStream.makeStream(of: WorkerEvent.self)
        defer {
            queue.close()
            continuation.finish()
        }
        for (index, worker) in workers.enumerated() {
            WorkerThread.start(
                index: index, worker: worker, source: source, layout: layout, batchSize: batchSize, queue: queue,
                events: continuation)
        }

        var queued = 0
        func queueAllowedRows() {
            let lastRow = stitcher.firstIncompleteRow + rowsAhead
            let end = plan.tiles[queued...].firstIndex { $0.row > lastRow } ?? plan.tiles.count
            if end > queued { queue.add(Array(plan.tiles[queued..<end])) }
            queued = end
        }

        let squareScale = Double(plan.scale * plan.scale)
        let totalMegapixels = Double(plan.outputWidth * plan.outputHeight) / 1e6
        var report = TileRunReport(
            tiles: plan.tiles.count, tilesPerWorker: [Int](repeating: 0, count: workers.count), splits: 0, failures: [],
            outputChannels: 0, peakBufferedBytes: 0, peakBufferedRows: 0, elapsed: .zero)
        var megapixels = 0.0
        var done = 0

        queueAllowedRows()
        try await withTaskCancellationHandler {
            for await event in events {
                try Task.checkCancellation()
                switch event {
                case .rendered(let worker, let contributions, let splits):
                    for contribution in contributions {
                        try Task.checkCancellation()
                        try stitcher.add(contribution)
                        megapixels += Double(contribution.tile.core.area) * squareScale / 1e6
                    }
                    done += contributions.count
                    report.tilesPerWorker[worker] += contributions.count
                    report.splits += splits
                    let elapsed = clock.now - start
                    progress(TileProgress(
                        tilesDone: done, tilesTotal: plan.tiles.count, outputMegapixelsDone: megapixels,
                        outputMegapixelsTotal: totalMegapixels, elapsed: elapsed,
                        estimatedRemaining: done > 0 ? elapsed * (Double(plan.tiles.count - done) / Double(done)) : nil))
                    if stitcher.isComplete { return }
                    queueAllowedRows()
                case .retired(let failure):
                    report.failures.append(failure)
                    onFailure(failure)
                    if report.failures.count == workers.count { throw TileSchedulerError.allWorkersFailed(report.failures) }
                case .failed(let error):
                    throw error
                }
            }
        } onCancel: {
            queue.close()
            continuation.finish()
        }
        // The event stream ends early only when the task is cancelled.
        guard stitcher.isComplete else { throw CancellationError() }
        report.outputChannels = stitcher.outputChannels ?? 0
        report.peakBufferedBytes = stitcher.peakBufferedBytes
        report.peakBufferedRows = stitcher.peakBufferedRows
        report.elapsed = clock.now - start
        return report
    }

    private func validate(source: any TileSource, plan: TilePlan) throws {
        guard !workers.isEmpty else { throw TileSchedulerError.noWorkers }
        guard batchSize >= 1 else { throw TilingError.invalidParameter(name: "batch size", value: batchSize, reason: "at least 1") }
        guard rowsAhead >= 0 else { throw TilingError.invalidParameter(name: "rows ahead", value: rowsAhead, reason: "0 or more") }
        guard source.width == plan.imageWidth, source.height == plan.imageHeight, source.channels > 0 else {
            throw TilingError.sourceMismatch(
                planWidth: plan.imageWidth, planHeight: plan.imageHeight, sourceWidth: source.width, sourceHeight: source.height)
        }
        for worker in workers where worker.processor.scale != plan.scale {
            throw TilingError.scaleMismatch(worker: worker.name, processorScale: worker.processor.scale, planScale: plan.scale)
        }
    }
}
