public import ImageIO

/// Streams the stitched model output into an ``ImageWriter``, adding what the model does not
/// produce: the alpha channel (resized bilinearly from the input's, which is smooth enough for
/// masks and costs nothing next to a model pass) and the conversion between the model's colour
/// channels and the file's (grey in, grey out).
public final class UpscaleSink: BandSink {
    private let writer: ImageWriter
    private let input: ImageBandSource
    private let region: PixelRect
    private let scale: Int
    private let modelChannels: Int
    private let colourChannels: Int
    private let outputWidth: Int
    /// Per output column: the two input columns and the weight of the second, for alpha.
    private let alphaColumns: [(Int, Int, Float)]
    /// The input columns those span: the part of an input row alpha is read from.
    private let alphaSpan: Range<Int>
    private var nextRow = 0

    /// - Parameters:
    ///   - input: the input, for its alpha channel and colour layout; its rows near the output
    ///     rows being written are still in its band when the scheduler feeds the stitcher.
    ///   - region: the part of the input being upscaled (the whole image unless previewing).
    ///   - modelChannels: the channels of the rows the stitcher delivers.
    public init(writer: ImageWriter, input: ImageBandSource, region: PixelRect, scale: Int, modelChannels: Int) {
        self.writer = writer
        self.input = input
        self.region = region
        self.scale = scale
        self.modelChannels = modelChannels
        colourChannels = input.layout.colorChannels >= 3 ? 3 : 1
        outputWidth = region.width * scale
        alphaColumns = (0..<(region.width * scale)).map { column in
            Self.bilinear(output: column, offset: region.x, scale: scale, extent: input.width)
        }
        // Columns never decrease along the row, so the first and last bound them all.
        alphaSpan = (alphaColumns.first?.0 ?? 0)..<((alphaColumns.last?.1 ?? 0) + 1)
    }

    /// The layout of the written file for an input of `layout`: its colour channels and alpha at `bitDepth`.
    public static func outputLayout(for layout: PixelLayout, bitDepth: Int) -> PixelLayout {
        let colour = layout.colorChannels >= 3 ? 3 : 1
        return PixelLayout(channels: colour + (layout.hasAlpha ? 1 : 0), bitDepth: bitDepth)
    }

    public func write(rows: [Float], rowCount: Int) throws {
        if colourChannels == modelChannels, !input.layout.hasAlpha {
            // The stitched rows are the file's pixels already.
            try writer.write(rows: rows, rowCount: rowCount)
            nextRow += rowCount
            return
        }
        let outChannels = colourChannels + (input.layout.hasAlpha ? 1 : 0)
        var out = [Float](repeating: 0, count: rowCount * outputWidth * outChannels)
        for row in 0..<rowCount {
            let alpha = input.layout.hasAlpha ? try alphaRow(nextRow + row) : []
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
    private func alphaRow(_ outputRow: Int) throws -> [Float] {
        let (top, bottom, weight) = Self.bilinear(output: outputRow, offset: region.y, scale: scale, extent: input.height)
        let channel = input.layout.channels - 1
        let upper = try input.plane(channel: channel, x: alphaSpan.lowerBound, y: top, width: alphaSpan.count, height: 1)
        let lower = try input.plane(channel: channel, x: alphaSpan.lowerBound, y: bottom, width: alphaSpan.count, height: 1)
        let start = alphaSpan.lowerBound
        return alphaColumns.map { left, right, horizontal in
            let a = upper[left - start] + (upper[right - start] - upper[left - start]) * horizontal
            let b = lower[left - start] + (lower[right - start] - lower[left - start]) * horizontal
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
