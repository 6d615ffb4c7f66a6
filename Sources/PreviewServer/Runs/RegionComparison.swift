import Foundation
import ImageIO
import ModelTools
import TensorCore

/// Two previews of one region with different settings (two models, two precisions), and how far
/// apart they are, measured as `tessera verify` measures outputs.
struct ComparisonRequest: Codable, Sendable {
    var image: String
    var x: Int
    var y: Int
    var width: Int
    var height: Int
    var first: RunSettings
    var second: RunSettings

    /// The preview of this region with `settings`.
    func region(with settings: RunSettings) -> RegionRequest {
        RegionRequest(image: image, x: x, y: y, width: width, height: height, settings: settings)
    }
}

struct ComparisonOutcome: Codable, Sendable {
    var first: PreviewOutcome
    var second: PreviewOutcome
    /// PSNR in dB on [0, 1] samples; `nil` when the two are identical (infinite).
    var psnr: Double?
    var ssim: Double?
    var maxAbsoluteError: Double
    var meanAbsoluteError: Double
    /// The heatmap's result id: error magnified so the worst pixel is white.
    var heatmap: String
}

struct RegionComparison: Sendable {
    let preview: RegionPreview

    func run(_ request: ComparisonRequest) async throws -> ComparisonOutcome {
        let first = try await preview.run(request.region(with: request.first))
        let second = try await preview.run(request.region(with: request.second))
        guard first.width == second.width, first.height == second.height else {
            throw PreviewError.badRequest(
                "the two settings give \(first.width)×\(first.height) and \(second.width)×\(second.height): compare models of the same scale"
            )
        }
        let results = preview.results
        let a = try Self.planes(try await results.file(first.result).url)
        let b = try Self.planes(try await results.file(second.result).url)
        let difference: OutputDifference
        let heatmap: DiffPicture.RGB
        do {
            difference = try OutputDifference(
                name: "output", reference: a, candidate: b, tolerance: Verifier.defaultTolerance, peak: 1)
            guard
                let picture = DiffPicture(
                    reference: try a.doubleValues(), candidate: try b.doubleValues(), shape: a.shape)
            else {
                throw PreviewError.runFailed(reason: "the outputs are not image-shaped")
            }
            heatmap = picture.heatmap()
        } catch {
            throw PreviewError.runFailed(reason: "the two previews could not be compared: \(error)")
        }
        let (id, url) = await results.reserve(extension: "png")
        do {
            try heatmap.writePNG(to: url)
        } catch {
            throw PreviewError.runFailed(reason: "\(error)")
        }
        await results.publish(id, url: url, downloadName: "difference.png")
        return ComparisonOutcome(
            first: first, second: second, psnr: difference.psnr.isFinite ? difference.psnr : nil, ssim: difference.ssim,
            maxAbsoluteError: difference.maxAbsoluteError, meanAbsoluteError: difference.meanAbsoluteError, heatmap: id)
    }

    /// A result read back as verify reads images: 1×3×H×W in [0, 1].
    private static func planes(_ url: URL) throws -> Tensor {
        do {
            return try Tensor(image: try ImageReader.read(url), channels: 3)
        } catch {
            throw PreviewError.runFailed(reason: "\(url.lastPathComponent): \(error)")
        }
    }
}
