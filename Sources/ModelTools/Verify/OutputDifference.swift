import Foundation
public import TensorCore

/// How far one output of a candidate run is from the same output of a reference run.
///
/// Figures follow the usual definitions, so they can be checked against numpy and scikit-image:
/// absolute errors over every element, the relative error over elements whose reference is not
/// zero, PSNR against `peak` (the signal's range), and SSIM (Wang et al., 7×7 uniform window)
/// averaged over channels for outputs shaped like images (N×C×H×W, C of 1, 3 or 4, sides ≥ 7).
public struct OutputDifference: Sendable, Hashable, Codable {
    public var name: String
    public var shape: [Int]
    public var maxAbsoluteError: Double
    public var meanAbsoluteError: Double
    public var maxRelativeError: Double
    /// Peak signal-to-noise ratio in dB; `infinity` when the outputs are identical.
    public var psnr: Double
    /// The peak PSNR and SSIM were measured against.
    public var peak: Double
    /// Mean structural similarity of the first image of the batch; `nil` when the output is not image-shaped.
    public var ssim: Double?
    /// Elements outside the tolerance, and the flat index of the worst one.
    public var elementsOutside: Int
    public var worstIndex: Int
    /// Whether every element is within the tolerance.
    public var passed: Bool { elementsOutside == 0 }

    /// Compares `candidate` with `reference` element by element.
    /// - Parameter peak: the signal range for PSNR and SSIM; by default 1 for image-shaped outputs
    ///   (models take and give [0, 1]) and the reference's own range otherwise.
    public init(
        name: String, reference: Tensor, candidate: Tensor, tolerance: Tolerance, peak: Double? = nil
    ) throws(VerifyError) {
        guard reference.shape == candidate.shape else {
            throw .mismatchedOutputs(name: name, reason: "shape \(candidate.shape), reference \(reference.shape)")
        }
        let a: [Double]
        let b: [Double]
        do {
            a = try reference.doubleValues()
            b = try candidate.doubleValues()
        } catch {
            throw .mismatchedOutputs(name: name, reason: "\(reference.dataType) outputs cannot be compared numerically")
        }
        self.name = name
        shape = reference.shape
        var maxAbsolute = 0.0
        var sumAbsolute = 0.0
        var sumSquared = 0.0
        var maxRelative = 0.0
        var outside = 0
        var worst = 0
        var low = Double.infinity
        var high = -Double.infinity
        for index in a.indices {
            let expected = a[index]
            let difference = abs(b[index] - expected)
            // NaN where the reference has a number (or the other way round) is as wrong as it gets.
            let error = difference.isNaN ? (expected.isNaN && b[index].isNaN ? 0 : .infinity) : difference
            if error > maxAbsolute {
                maxAbsolute = error
                worst = index
            }
            sumAbsolute += error
            sumSquared += error * error
            if expected != 0, expected.isFinite { maxRelative = max(maxRelative, error / abs(expected)) }
            if error > tolerance.absolute + tolerance.relative * abs(expected) { outside += 1 }
            if expected.isFinite {
                low = min(low, expected)
                high = max(high, expected)
            }
        }
        let count = Double(max(a.count, 1))
        maxAbsoluteError = maxAbsolute
        meanAbsoluteError = sumAbsolute / count
        maxRelativeError = maxRelative
        elementsOutside = outside
        worstIndex = worst
        let imageShaped = ImagePlanes.isImageShaped(reference.shape)
        let range = high > low ? high - low : 1
        self.peak = peak ?? (imageShaped ? 1 : range)
        let meanSquared = sumSquared / count
        psnr = meanSquared == 0 ? .infinity : 10 * log10(self.peak * self.peak / meanSquared)
        ssim = imageShaped ? SSIM.mean(ImagePlanes(shape: reference.shape, values: a), ImagePlanes(shape: reference.shape, values: b), peak: self.peak) : nil
    }
}
