import Foundation
import ImageIO
import TensorCore

/// The photos fast mode judges a candidate precision on: four 96×96 crops of public-domain and
/// CC0 photos with fine detail (a face, stars, stained tissue, blood vessels; sources in
/// `Resources/QualityPhotos/SOURCES.md`), none of them photos the quantization benchmark
/// calibrates on, shipped inside Tessera so every machine judges on the same pictures.
enum QualityPhotos {
    /// The photos, decoded.
    static func load() throws -> [Image] {
        guard let folder = Bundle.module.url(forResource: "QualityPhotos", withExtension: nil) else { return [] }
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "png" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
        return try files.map { try ImageReader.read($0) }
    }

    /// PSNR in dB (peak 1) of `candidate` against `reference` after clipping both to [0, 1]:
    /// the difference in the picture a user gets, where values outside the range are clipped
    /// before quantizing. `infinity` when identical, `-infinity` when they cannot be compared.
    static func displayedPSNR(_ reference: Tensor, _ candidate: Tensor) -> Double {
        guard reference.shape == candidate.shape, let a = try? reference.doubleValues(), let b = try? candidate.doubleValues(),
            !a.isEmpty
        else { return -.infinity }
        var squared = 0.0
        for index in a.indices {
            let difference = min(max(a[index], 0), 1) - min(max(b[index], 0), 1)
            // NaN compares false everywhere: count it as the largest error.
            squared += difference.isNaN ? 1 : difference * difference
        }
        let mean = squared / Double(a.count)
        return mean == 0 ? .infinity : 10 * log10(1 / mean)
    }
}
