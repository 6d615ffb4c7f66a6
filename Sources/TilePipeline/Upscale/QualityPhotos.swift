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

    /// PSNR in dB (peak 255) of `candidate` against `reference` as 8-bit pictures: both clipped
    /// to [0, 1] and rounded to 8 bits, as an upscale writes them. Small float differences that
    /// flip a level count in full, so the figure is what a user comparing the two files finds
    /// (it can be lower than the float PSNR). `infinity` when identical, `-infinity` when the
    /// outputs cannot be compared.
    static func displayedPSNR(_ reference: Tensor, _ candidate: Tensor) -> Double {
        guard reference.shape == candidate.shape, let a = try? reference.doubleValues(), let b = try? candidate.doubleValues(),
            !a.isEmpty
        else { return -.infinity }
        // NaN becomes level 0 here and 255 there: it counts as the largest error.
        let level = { (value: Double, nan: Double) in value.isNaN ? nan : (min(max(value, 0), 1) * 255).rounded() }
        var squared = 0.0
        for index in a.indices {
            let difference = level(a[index], 0) - level(b[index], 255)
            squared += difference * difference
        }
        let mean = squared / Double(a.count)
        return mean == 0 ? .infinity : 10 * log10(255 * 255 / mean)
    }
}
