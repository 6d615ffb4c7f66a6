/// Reading samples as floats in [0, 1], the form models take.
extension Image {
    /// Channel `channel` of the region at (`x`, `y`) of `width` × `height` pixels, as floats in
    /// [0, 1] (8-bit samples divided by 255, 16-bit by 65535), row-major.
    ///
    /// The region may extend past the image: outside pixels repeat the nearest edge pixel, so a
    /// tile's context margin at the border is well defined.
    public func plane(channel: Int, x: Int, y: Int, width regionWidth: Int, height regionHeight: Int) -> [Float] {
        precondition((0..<layout.channels).contains(channel), "channel \(channel) of a \(layout) image")
        precondition(regionWidth >= 0 && regionHeight >= 0, "negative region size")
        let channels = layout.channels
        // Offsets of the region's columns within a source row, clamped once for all rows.
        let columns = (0..<regionWidth).map { Self.clamp(x + $0, below: self.width) * channels + channel }
        var plane = [Float]()
        plane.reserveCapacity(regionWidth * regionHeight)
        switch samples {
        case .uint8(let values):
            let scale = Self.unitFloats8
            for row in 0..<regionHeight {
                let start = Self.clamp(y + row, below: height) * self.width * channels
                for offset in columns { plane.append(scale[Int(values[start + offset])]) }
            }
        case .uint16(let values):
            let scale = Self.unitFloats16
            for row in 0..<regionHeight {
                let start = Self.clamp(y + row, below: height) * self.width * channels
                for offset in columns { plane.append(scale[Int(values[start + offset])]) }
            }
        }
        return plane
    }

    /// The sample at (`x`, `y`) in `channel` as a float in [0, 1]; coordinates must lie inside.
    public func sample(x: Int, y: Int, channel: Int) -> Float {
        precondition((0..<width).contains(x) && (0..<height).contains(y), "pixel (\(x), \(y)) outside \(width)×\(height)")
        precondition((0..<layout.channels).contains(channel), "channel \(channel) of a \(layout) image")
        let index = (y * width + x) * layout.channels + channel
        switch samples {
        case .uint8(let values): return Self.unitFloats8[Int(values[index])]
        case .uint16(let values): return Self.unitFloats16[Int(values[index])]
        }
    }

    private static func clamp(_ value: Int, below limit: Int) -> Int { min(max(value, 0), limit - 1) }

    /// value / 255 for every 8-bit value: a lookup is exact (a division per sample) and fast.
    private static let unitFloats8: [Float] = (0...255).map { Float($0) / 255 }
    private static let unitFloats16: [Float] = (0...65535).map { Float($0) / 65535 }
}
