public import ImageIO

/// A decoded image as the tiles' input: its colour channels (alpha is upscaled separately, see
/// ``UpscaleSink``), repeated to three for a grey image when the model wants RGB.
public struct ImageTileSource: TileSource {
    public let image: Image
    public let channels: Int

    /// - Parameter channels: what the model takes: 3 (RGB) or 1 (grey).
    public init(image: Image, channels: Int = 3) {
        self.image = image
        self.channels = channels
    }

    public var width: Int { image.width }
    public var height: Int { image.height }

    public func planes(x: Int, y: Int, width: Int, height: Int) -> [Float] {
        let colour = image.layout.colorChannels
        var values: [Float] = []
        values.reserveCapacity(channels * width * height)
        if channels == 1, colour >= 3 {
            // Rec. 601 luma for a grey model fed a colour photo.
            let (r, g, b) = (
                image.plane(channel: 0, x: x, y: y, width: width, height: height),
                image.plane(channel: 1, x: x, y: y, width: width, height: height),
                image.plane(channel: 2, x: x, y: y, width: width, height: height)
            )
            for index in r.indices { values.append(0.299 * r[index] + 0.587 * g[index] + 0.114 * b[index]) }
            return values
        }
        for channel in 0..<channels {
            values += image.plane(channel: min(channel, colour - 1), x: x, y: y, width: width, height: height)
        }
        return values
    }
}
