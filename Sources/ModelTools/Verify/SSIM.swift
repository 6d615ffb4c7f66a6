/// Structural similarity as Wang et al. define it and scikit-image computes it by default: local
/// means, variances and covariance over a 7×7 uniform window with sample (N−1) normalisation,
/// constants (0.01·L)² and (0.03·L)², averaged over the window positions that fit inside the
/// image, then over channels.
enum SSIM {
    static let window = 7

    static func mean(_ a: ImagePlanes, _ b: ImagePlanes, peak: Double) -> Double {
        var total = 0.0
        for channel in 0..<a.channels { total += channelMean(a, b, channel: channel, peak: peak) }
        return total / Double(a.channels)
    }

    private static func channelMean(_ a: ImagePlanes, _ b: ImagePlanes, channel: Int, peak: Double) -> Double {
        let n = Double(window * window)
        let covarianceNorm = n / (n - 1)
        let c1 = (0.01 * peak) * (0.01 * peak)
        let c2 = (0.03 * peak) * (0.03 * peak)
        // Summed-area tables of x, y, x², y² and xy make each window O(1).
        let tables = SummedAreaTables(a, b, channel: channel)
        var total = 0.0
        let rows = a.height - window + 1
        let columns = a.width - window + 1
        for y in 0..<rows {
            for x in 0..<columns {
                let sums = tables.window(x: x, y: y, size: window)
                let meanA = sums.a / n
                let meanB = sums.b / n
                let varianceA = covarianceNorm * (sums.aa / n - meanA * meanA)
                let varianceB = covarianceNorm * (sums.bb / n - meanB * meanB)
                let covariance = covarianceNorm * (sums.ab / n - meanA * meanB)
                let numerator = (2 * meanA * meanB + c1) * (2 * covariance + c2)
                let denominator = (meanA * meanA + meanB * meanB + c1) * (varianceA + varianceB + c2)
                total += numerator / denominator
            }
        }
        return total / Double(rows * columns)
    }
}

/// Inclusive prefix sums of one channel of two images and their products.
private struct SummedAreaTables {
    struct Sums {
        var a = 0.0, b = 0.0, aa = 0.0, bb = 0.0, ab = 0.0
    }

    private let stride: Int
    private var table: [Sums]

    init(_ a: ImagePlanes, _ b: ImagePlanes, channel: Int) {
        stride = a.width + 1
        table = Array(repeating: Sums(), count: (a.height + 1) * stride)
        for y in 0..<a.height {
            var row = Sums()
            for x in 0..<a.width {
                let p = a[channel, y, x]
                let q = b[channel, y, x]
                row.a += p
                row.b += q
                row.aa += p * p
                row.bb += q * q
                row.ab += p * q
                let above = table[y * stride + x + 1]
                table[(y + 1) * stride + x + 1] = Sums(
                    a: above.a + row.a, b: above.b + row.b, aa: above.aa + row.aa, bb: above.bb + row.bb,
                    ab: above.ab + row.ab)
            }
        }
    }

    /// The sums over the `size`×`size` window whose top-left corner is (`x`, `y`).
    func window(x: Int, y: Int, size: Int) -> Sums {
        let bottomRight = table[(y + size) * stride + x + size]
        let topRight = table[y * stride + x + size]
        let bottomLeft = table[(y + size) * stride + x]
        let topLeft = table[y * stride + x]
        return Sums(
            a: bottomRight.a - topRight.a - bottomLeft.a + topLeft.a,
            b: bottomRight.b - topRight.b - bottomLeft.b + topLeft.b,
            aa: bottomRight.aa - topRight.aa - bottomLeft.aa + topLeft.aa,
            bb: bottomRight.bb - topRight.bb - bottomLeft.bb + topLeft.bb,
            ab: bottomRight.ab - topRight.ab - bottomLeft.ab + topLeft.ab)
    }
}
