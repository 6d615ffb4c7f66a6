import Foundation
import Synchronization
import TilePipeline

/// What `tessera upscale` tells the user: a progress bar with ETA and megapixels per second on
/// a terminal, JSON lines with `--json`, one line per finished file otherwise.
final class UpscaleReporter: Sendable {
    private let json: Bool
    private let terminal = isatty(STDERR_FILENO) == 1
    /// When the bar was last drawn: redrawing more than ten times a second only costs time.
    private let lastDraw = Mutex<ContinuousClock.Instant?>(nil)

    init(json: Bool) {
        self.json = json
    }

    func started(_ job: UpscaleJob) {
        if json { emit(["event": "start", "input": job.input.path, "output": job.output.path]) }
    }

    func skipped(_ job: UpscaleJob) {
        if json {
            emit(["event": "skipped", "input": job.input.path, "output": job.output.path, "reason": "output exists"])
        } else {
            StandardError.write("skipped \(job.input.lastPathComponent): \(job.output.path) exists")
        }
    }

    func progress(_ job: UpscaleJob, _ progress: TileProgress) {
        let now = ContinuousClock.now
        let due = lastDraw.withLock { last -> Bool in
            guard progress.tilesDone == progress.tilesTotal || last.map({ now - $0 >= .milliseconds(100) }) ?? true else { return false }
            last = now
            return true
        }
        guard due else { return }
        let seconds = progress.elapsed.seconds
        let rate = seconds > 0 ? progress.outputMegapixelsDone / seconds : 0
        if json {
            emit([
                "event": "progress", "input": job.input.path, "tilesDone": progress.tilesDone, "tilesTotal": progress.tilesTotal,
                "megapixelsDone": progress.outputMegapixelsDone, "megapixelsTotal": progress.outputMegapixelsTotal,
                "megapixelsPerSecond": rate, "elapsedSeconds": seconds,
                "etaSeconds": progress.estimatedRemaining.map { $0.seconds } ?? NSNull(),
            ])
        } else if terminal {
            let fraction = Double(progress.tilesDone) / Double(max(progress.tilesTotal, 1))
            let width = 28
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            let eta = progress.estimatedRemaining.map { "ETA \(Self.clock($0.seconds))" } ?? "ETA …"
            let line = String(
                format: "\r%@ %@ %3.0f%%  %d/%d tiles  %.2f MP/s  %@ ", job.input.lastPathComponent, bar, fraction * 100,
                progress.tilesDone, progress.tilesTotal, rate, eta)
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    func done(_ job: UpscaleJob, _ report: Upscaler.Report) {
        let seconds = report.tiles.elapsed.seconds
        let megapixels = Double(report.outputSize.width * report.outputSize.height) / 1e6
        if json {
            emit([
                "event": "done", "input": job.input.path, "output": job.output.path, "width": report.outputSize.width,
                "height": report.outputSize.height, "seconds": seconds, "megapixelsPerSecond": seconds > 0 ? megapixels / seconds : 0,
                "tiles": report.tiles.tiles, "tilesPerWorker": report.tiles.tilesPerWorker,
            ])
            return
        }
        if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        print(String(
            format: "%@ → %@: %d×%d, %.1f s, %.2f MP/s", job.input.lastPathComponent, job.output.path, report.outputSize.width,
            report.outputSize.height, seconds, seconds > 0 ? megapixels / seconds : 0))
    }

    func interrupted() {
        if terminal, !json { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        StandardError.write("tessera: interrupted; no partial output was left")
    }

    private func emit(_ object: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return
        }
        print(String(decoding: data, as: UTF8.self))
    }

    private static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 3600
            ? String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60) : String(format: "%d:%02d", total / 60, total % 60)
    }
}
