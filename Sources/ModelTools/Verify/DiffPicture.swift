/// Pictures of where two image outputs differ, for a person to look at: a heatmap of the error
/// (magnified so the worst pixel is the brightest, colour-mapped from black through red and
/// orange to white) and a side-by-side crop around the worst pixel (reference | candidate | heatmap).
public struct DiffPicture: Sendable {
    /// An 8-bit RGB picture, rows top to bottom.
    public struct RGB: Sendable, Equatable {
        public var width: Int
        public var height: Int
        public var pixels: [UInt8]
    }

    /// The per-pixel error (largest over channels), row-major.
    public let error: [Double]
    public let width: Int
    public let height: Int
    /// The error that maps to full brightness; the heatmap magnifies by `1 / scale`.
    public let scale: Double
    private let reference: ImagePlanes
    private let candidate: ImagePlanes

    /// Draws the first image of two N×C×H×W outputs; `nil` when the output is not image-shaped.
    public init?(reference: [Double], candidate: [Double], shape: [Int]) {
        guard ImagePlanes.isImageShaped(shape), reference.count == candidate.count else { return nil }
        let a = ImagePlanes(shape: shape, values: reference)
        let b = ImagePlanes(shape: shape, values: candidate)
        var error = [Double](repeating: 0, count: a.width * a.height)
        for y in 0..<a.height {
            for x in 0..<a.width {
                var worst = 0.0
                for c in 0..<a.channels {
                    let difference = abs(a[c, y, x] - b[c, y, x])
                    worst = max(worst, difference.isNaN ? .infinity : difference)
                }
                error[y * a.width + x] = worst
            }
        }
        self.error = error
        width = a.width
        height = a.height
        let finite = error.filter(\.isFinite)
        scale = max(finite.max() ?? 0, .leastNormalMagnitude)
        self.reference = a
        self.candidate = b
    }

    /// The pixel with the largest error.
    public var worstPixel: (x: Int, y: Int) {
        let index = error.indices.max { error[$0] < error[$1] } ?? 0
        return (index % width, index / width)
    }

    /// The whole heatmap.
    public func heatmap() -> RGB {
        var pixels: [UInt8] = []
        pixels.reserveCapacity(width * height * 3)
        for value in error { pixels += Self.colour(value / scale) }
        return RGB(width: width, height: height, pixels: pixels)
    }

    /// Reference, candidate and heatmap crops of `size` pixels around the worst pixel, each
    /// enlarged `zoom` times without smoothing, separated by grey bars.
    public func sideBySide(size: Int = 96, zoom: Int = 3) -> RGB {
        let side = min(size, width, height)
        let (wx, wy) = worstPixel
        let left = min(max(wx - side / 2, 0), width - side)
        let top = min(max(wy - side / 2, 0), height - side)
        let gap = 4
        let panel = side * zoom
        let outWidth = panel * 3 + gap * 2
        var pixels = [UInt8](repeating: 128, count: outWidth * panel * 3)
        for y in 0..<panel {
            for x in 0..<panel {
                let sx = left + x / zoom
                let sy = top + y / zoom
                let panels = [
                    Self.display(reference, x: sx, y: sy), Self.display(candidate, x: sx, y: sy),
                    Self.colour(error[sy * width + sx] / scale),
                ]
                for (index, rgb) in panels.enumerated() {
                    let offset = (y * outWidth + index * (panel + gap) + x) * 3
                    pixels[offset] = rgb[0]
                    pixels[offset + 1] = rgb[1]
                    pixels[offset + 2] = rgb[2]
                }
            }
        }
        return RGB(width: outWidth, height: panel, pixels: pixels)
    }

    /// An output pixel as 8-bit RGB: values clipped to [0, 1], grey repeated, alpha dropped.
    private static func display(_ planes: ImagePlanes, x: Int, y: Int) -> [UInt8] {
        (0..<3).map { c in
            let value = planes[planes.channels >= 3 ? c : 0, y, x]
            return UInt8((min(max(value.isNaN ? 0 : value, 0), 1) * 255).rounded())
        }
    }

    /// A heat colour for `t` in [0, 1]: black, purple, red, orange, yellow, white.
    static func colour(_ t: Double) -> [UInt8] {
        let stops: [(Double, Double, Double)] = [
            (0, 0, 0), (0.35, 0.05, 0.45), (0.8, 0.1, 0.2), (1, 0.5, 0), (1, 0.9, 0.1), (1, 1, 1),
        ]
        let clamped = t.isNaN ? 1 : min(max(t, 0), 1)
        let position = clamped * Double(stops.count - 1)
        let index = min(Int(position), stops.count - 2)
        let fraction = position - Double(index)
        let (r0, g0, b0) = stops[index]
        let (r1, g1, b1) = stops[index + 1]
        func channel(_ a: Double, _ b: Double) -> UInt8 { UInt8(((a + (b - a) * fraction) * 255).rounded()) }
        return [channel(r0, r1), channel(g0, g1), channel(b0, b1)]
    }
}
