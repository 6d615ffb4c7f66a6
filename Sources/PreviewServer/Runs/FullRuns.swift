import Foundation
import ImageIO
import TilePipeline

/// Starts full-size upscales and keeps them by id.
actor FullRuns {
    private let library: ImageLibrary
    private let pool: UpscalerPool
    private let results: ResultFiles
    private var runs: [String: FullRun] = [:]

    init(library: ImageLibrary, pool: UpscalerPool, results: ResultFiles) {
        self.library = library
        self.pool = pool
        self.results = results
    }

    /// Starts upscaling image `imageID` whole with `settings`; the result keeps the input's format
    /// where Tessera writes it and browsers show it (an AVIF, HEIF or JPEG XL input gives a PNG).
    func start(imageID: String, settings: RunSettings) async throws -> RunStatus {
        let (image, input) = try await library.file(imageID)
        let ext =
            switch ImageFormat(rawValue: image.format) {
            case .jpeg: "jpg"
            case .tiff: "tif"
            case .webp: "webp"
            case .png, .avif, .heif, .jxl, nil: "png"
            }
        let (resultID, output) = await results.reserve(extension: ext)
        let run = FullRun(RunStatus(id: UUID().uuidString.lowercased(), image: image.name))
        runs[run.status.id] = run
        let pool = pool
        let results = results
        run.start { run in
            do {
                let (finished, _, _) = try await pool.withUpscaler(settings, region: nil) { upscaler in
                    try await upscaler.upscale(input, to: output, progress: { run.progress($0) })
                }
                let stem = (image.name as NSString).deletingPathExtension
                await results.publish(
                    resultID, url: output,
                    downloadName: "\(stem)-x\(finished.outputSize.width / max(image.width, 1)).\(ext)")
                run.update { status in
                    status.state = .done
                    status.result = resultID
                    status.width = finished.outputSize.width
                    status.height = finished.outputSize.height
                }
            } catch is CancellationError {
                run.update { $0.state = .cancelled }
            } catch {
                // A cancelled run can surface as the pipeline's own error wrapping the cancellation.
                let cancelled = Task.isCancelled
                run.update { status in
                    status.state = cancelled ? .cancelled : .failed
                    status.error = cancelled ? nil : "\(image.name): the upscale failed: \(error)"
                }
            }
        }
        return run.status
    }

    func run(_ id: String) throws -> FullRun {
        guard let run = runs[id] else { throw PreviewError.notFound("run \(id)") }
        return run
    }
}
