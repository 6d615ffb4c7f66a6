public import ImageIO

/// Streams the stitched model output into an ``ImageWriter``, adding what the model does not
/// produce: the alpha channel (resized bilinearly from the input's, which is smooth enough for
/// masks and costs nothing next to a model pass) and the conversion between the model's colour
/// channels and the file's (grey in, grey out).
public final class UpscaleSink: BandSink {
    private let writer: ImageWriter
    private let image: Image
    private let region: PixelRect
    private let scale: Int
    private let modelChannels: Int
    private let colourChannels: Int
    private let outputWidth: Int
    /// Per output column: the two input columns and the weight of the second, for alpha.
    private let alphaColumns: [(Int, Int, Float)]
    private var nextRow = 0

    /// - Parameters:
    ///   - image: the input, for its alpha channel and colour layout.
    ///   - region: the part of the input being upscaled (the whole image unless previewing).
    ///   - modelChannels: the channels of the rows the stitcher delivers.
    public init(writer: ImageWriter, image: Image, region: PixelRect, scale: Int, modelChannels: Int) {
        self.writer = writer
        self.image = image
        self.region = region
        self.scale = scale
        self.modelChannels = modelChannels
        colourChannels = image.layout.colorChannels >= 3 ? 3 : 1
        outputWidth = region.width * scale
        alphaColumns = (0..<(region.width * scale)).map { column in
            Self.bilinear(output: column, offset: region.x, scale: scale, extent: image.width)
        }
    }

    /// The layout of the written file for `image`: its colour channels and alpha at `bitDepth`.
    public static func outputLayout(for image: Image, bitDepth: Int) -> PixelLayout {
        let colour = image.layout.colorChannels >= 3 ? 3 : 1
        return PixelLayout(channels: colour + (image.layout.hasAlpha ? 1 : 0), bitDepth: bitDepth)
    }

    public func write(rows: [Float], rowCount: Int) throws {
        if colourChannels == modelChannels, !image.layout.hasAlpha {
            // The stitched rows are the file's pixels already.
            try writer.write(rows: rows, rowCount: rowCount)
            nextRow += rowCount
            return
        }
        let outChannels = colourChannels + (image.layout.hasAlpha ? 1 : 0)
        var out = [Float](repeating: 0, count: rowCount * outputWidth * outChannels)
        for row in 0..<rowCount {
            let alpha = image.layout.hasAlpha ? alphaRow(nextRow + row) : []
            for column in 0..<outputWidth {
                let source = (row * outputWidth + column) * modelChannels
                let target = (row * outputWidth + column) * outChannels
                if colourChannels == modelChannels {
                    for c in 0..<colourChannels { out[target + c] = rows[source + c] }
                } else if colourChannels == 1 {
                    out[target] = 0.299 * rows[source] + 0.587 * rows[source + 1] + 0.114 * rows[source + 2]
                } else {
                    for c in 0..<3 { out[target + c] = rows[source] }
                }
                if !alpha.isEmpty { out[target + colourChannels] = alpha[column] }
            }
        }
        try writer.write(rows: out, rowCount: rowCount)
        nextRow += rowCount
    }

    /// One output row of alpha, interpolated from the two nearest input rows.
    private func alphaRow(_ outputRow: Int) -> [Float] {
        let (top, bottom, weight) = Self.bilinear(output: outputRow, offset: region.y, scale: scale, extent: image.height)
        let channel = image.layout.channels - 1
        let upper = image.plane(channel: channel, x: 0, y: top, width: image.width, height: 1)
        let lower = image.plane(channel: channel, x: 0, y: bottom, width: image.width, height: 1)
        return alphaColumns.map { left, right, horizontal in
            let a = upper[left] + (upper[right] - upper[left]) * horizontal
            let b = lower[left] + (lower[right] - lower[left]) * horizontal
            return a + (b - a) * weight
        }
    }

    /// The input pixels either side of output pixel `output` (pixel centres aligned, as image
    /// resizers do) and the weight of the second.
    private static func bilinear(output: Int, offset: Int, scale: Int, extent: Int) -> (Int, Int, Float) {
        let position = Float(offset) + (Float(output) + 0.5) / Float(scale) - 0.5
        let clamped = min(max(position, 0), Float(extent - 1))
        let first = Int(clamped)
        return (first, min(first + 1, extent - 1), clamped - Float(first))
    }
}
