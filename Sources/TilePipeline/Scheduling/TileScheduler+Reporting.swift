public import InferenceRuntime

/// One worker: a processor (a model on one (library, device) pair) and a name for messages.
public struct TileWorker: Sendable {
    public var name: String
    public var processor: any TileProcessor
    /// Shared by the workers of one inference server: they take tiles only while the server
    /// has fewer requests in flight than it allows.
    public var inFlight: InFlightLimit?

    /// - Parameter name: defaults to the processor's label (its device).
    public init(name: String? = nil, processor: any TileProcessor, inFlight: InFlightLimit? = nil) {
        self.name = name ?? processor.label
        self.processor = processor
        self.inFlight = inFlight
    }
}

/// A worker that failed and was retired; its tiles went to the others.
public struct WorkerFailure: Sendable, CustomStringConvertible {
    public var worker: String
    public var error: BackendError

    public var description: String { "\(worker) failed and was retired: \(error)" }
}

/// How far a run has got; passed to the progress callback after every batch of tiles.
public struct TileProgress: Sendable {
    public var tilesDone: Int
    public var tilesTotal: Int
    /// Output produced so far and in all, in megapixels.
    public var outputMegapixelsDone: Double
    public var outputMegapixelsTotal: Double
    public var elapsed: Duration
    /// Time left at the speed so far; `nil` before the first tile.
    public var estimatedRemaining: Duration?
}

/// What a finished run did.
public struct TileRunReport: Sendable {
    /// Tiles in the plan.
    public var tiles: Int
    /// Tiles each worker produced, in the order the workers were given.
    public var tilesPerWorker: [Int]
    /// Tiles (or parts of tiles) split after an out-of-memory error.
    public var splits: Int
    /// Workers that failed, in the order they failed.
    public var failures: [WorkerFailure]
    /// Channels of the output rows.
    public var outputChannels: Int
    /// The stitcher's high-water mark of buffered output.
    public var peakBufferedBytes: Int
    public var peakBufferedRows: Int
    public var elapsed: Duration
}

/// Why a run could not finish.
public enum TileSchedulerError: Error, Sendable, CustomStringConvertible {
    /// The scheduler was given no workers.
    case noWorkers
    /// Every worker failed; the output is incomplete.
    case allWorkersFailed([WorkerFailure])

    public var description: String {
        switch self {
        case .noWorkers:
            "tile scheduler: no workers to run tiles on"
        case .allWorkersFailed(let failures):
            "tile scheduler: every worker failed: " + failures.map(\.description).joined(separator: "; ")
        }
    }
}
