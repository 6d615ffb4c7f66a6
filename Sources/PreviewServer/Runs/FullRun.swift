import TilePipeline

/// A full-size upscale started from the page, as the page is told about it.
struct RunStatus: LiveStatus {
    enum State: String, Codable, Sendable { case running, done, cancelled, failed }
    var id: String
    var image: String
    var state = State.running
    var tilesDone = 0
    var tilesTotal = 0
    var megapixelsPerSecond = 0.0
    var elapsedSeconds = 0.0
    var etaSeconds: Double?
    var width: Int?
    var height: Int?
    /// The result's id for `GET /api/results/<id>` once done.
    var result: String?
    var error: String?

    var finished: Bool { state != .running }
}

/// A full-size upscale: its status and its task.
typealias FullRun = LiveTask<RunStatus>

extension LiveTask where Status == RunStatus {
    func progress(_ progress: TileProgress) {
        update { status in
            let seconds = progress.elapsed.seconds
            status.tilesDone = progress.tilesDone
            status.tilesTotal = progress.tilesTotal
            status.elapsedSeconds = seconds
            status.megapixelsPerSecond = seconds > 0 ? progress.outputMegapixelsDone / seconds : 0
            status.etaSeconds = progress.estimatedRemaining?.seconds
        }
    }
}
