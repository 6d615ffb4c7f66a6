import Foundation
import TilePipeline

/// A region in source pixels, as the page sends it.
struct RegionRequest: Codable, Sendable {
    var image: String
    var x: Int
    var y: Int
    var width: Int
    var height: Int
    var settings: RunSettings
}

/// What a preview made and what it took, for the page's figures.
struct PreviewOutcome: Codable, Sendable {
    /// The result's id (`GET /api/results/<id>`): a PNG exactly as `tessera upscale --region` writes it.
    var result: String
    var width: Int
    var height: Int
    var scale: Int
    /// The tiles' time (the figure `tessera upscale` reports), and the request's time on the
    /// server, loading included.
    var seconds: Double
    var serverSeconds: Double
    var megapixelsPerSecond: Double
    var workers: [WorkerShare]
    /// Whether the models were loaded for this preview (false: the sessions were reused).
    var loadedNow: Bool
    var explanation: [String]
    var notices: [String]

    struct WorkerShare: Codable, Sendable {
        var worker: String
        var tiles: Int
    }
}

/// Runs previews: the upscale command's pipeline on one region of a library image.
struct RegionPreview: Sendable {
    let library: ImageLibrary
    let pool: UpscalerPool
    let results: ResultFiles

    func run(_ request: RegionRequest) async throws -> PreviewOutcome {
        let started = ContinuousClock.now
        let (image, input) = try await library.file(request.image)
        guard request.width > 0, request.height > 0, request.x >= 0, request.y >= 0,
            request.x + request.width <= image.width, request.y + request.height <= image.height
        else {
            throw PreviewError.badRequest(
                "region \(request.x),\(request.y),\(request.width),\(request.height) is not inside \(image.name) (\(image.width)×\(image.height))"
            )
        }
        let region = PixelRect(x: request.x, y: request.y, width: request.width, height: request.height)
        let (id, output) = await results.reserve(extension: "png")
        let (run, loadedNow, notices) = try await pool.withUpscaler(request.settings, region: region) { upscaler in
            let failures = NoticeList()
            do {
                let report = try await upscaler.upscale(input, to: output, onFailure: { failures.append("\($0)") })
                return FinishedRun(report: report, upscaler: upscaler, failures: failures.lines)
            } catch {
                throw PreviewError.runFailed(reason: "\(image.name): the preview failed: \(error)")
            }
        }
        let stem = (image.name as NSString).deletingPathExtension
        await results.publish(id, url: output, downloadName: "\(stem)-region-\(region.x)-\(region.y).png")
        let report = run.report
        let seconds = report.tiles.elapsed.seconds
        let megapixels = Double(report.outputSize.width * report.outputSize.height) / 1e6
        return PreviewOutcome(
            result: id, width: report.outputSize.width, height: report.outputSize.height, scale: run.upscaler.scale,
            seconds: seconds, serverSeconds: (ContinuousClock.now - started).seconds,
            megapixelsPerSecond: seconds > 0 ? megapixels / seconds : 0,
            workers: zip(run.upscaler.workers, report.tiles.tilesPerWorker).map { .init(worker: $0.name, tiles: $1) },
            loadedNow: loadedNow, explanation: run.upscaler.explanation, notices: notices + run.failures)
    }
}

/// One finished upscale with the upscaler that ran it.
struct FinishedRun: Sendable {
    var report: Upscaler.Report
    var upscaler: Upscaler
    var failures: [String]
}
